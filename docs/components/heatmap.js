// Gradient-cosine charts for the orthogonality page: (rows, {width, ...}) → element.
import * as Plot from "npm:@observablehq/plot";
import { methodColorScale } from "./store.js";

/** Pairwise cosine matrix at one step (cells coloured on a diverging scale fixed to [-1, 1]; null cos = no gradient). */
export function cosineHeatmap(rows, { width, caps, title, capLabel = (c) => c } = {}) {
  // compact form on a phone: short tick labels (first letters), smaller margins, the cells stay legible
  const compact = width < 300;
  const tick = compact ? (c) => capLabel(c).slice(0, 5) : capLabel;
  return Plot.plot({
    width: Math.max(200, Math.min(width, 380)),
    height: Math.max(200, Math.min(width, 380)) * 0.85,
    marginLeft: compact ? 44 : 80,
    marginBottom: compact ? 36 : 60,
    title,
    ariaLabel: `pairwise gradient cosines: ${title ?? ""}`,
    x: { domain: caps, label: null, tickRotate: -30, tickFormat: tick },
    y: { domain: caps, label: null, tickFormat: tick },
    color: { type: "linear", scheme: "RdBu", domain: [-1, 1], legend: true, label: "cos" },
    marks: [
      // a zero gradient has no direction (cos = null from the loader): a hatched-grey cell marked "–", never a colour
      Plot.cell(
        rows.filter((d) => d.cos == null),
        { x: "capability_j", y: "capability_i", fill: "#ddd", title: () => "no gradient at this step (zero norm)" },
      ),
      Plot.cell(
        rows.filter((d) => d.cos != null),
        { x: "capability_j", y: "capability_i", fill: "cos", tip: true },
      ),
      Plot.text(rows, {
        x: "capability_j",
        y: "capability_i",
        text: (d) => (d.cos == null ? "–" : d.cos.toFixed(2)),
        fill: (d) => (Math.abs(d.cos ?? 0) > 0.6 ? "white" : "black"),
      }),
    ],
  });
}

/** cos(g_i, g_j) over steps, one small multiple per capability pair (upper triangle only), 0 line marked; gaps = no gradient. */
export function cosineOverTime(rows, { width, scrubStep, band = null } = {}) {
  const pairs = rows.filter((d) => d.capability_i < d.capability_j).map((d) => ({ ...d, pair: `${d.capability_i} · ${d.capability_j}` }));
  const steps = pairs.length ? [Math.min(...pairs.map((d) => d.step)), Math.max(...pairs.map((d) => d.step))] : [];
  // on a narrow screen the pairs stack (one row each) instead of six unreadable columns
  const narrow = width < 640;
  const npairs = new Set(pairs.map((d) => d.pair)).size || 1;
  const facet = narrow ? { fy: "pair" } : { fx: "pair" };
  return Plot.plot({
    width,
    height: narrow ? 40 + 120 * npairs : 260,
    marginRight: narrow ? 110 : 20,
    grid: true,
    y: { domain: [-1, 1], label: "cos" },
    fx: { label: null },
    fy: { label: null },
    ariaLabel: "gradient cosine of each capability pair over training steps",
    color: { legend: true, ...(pairs.some((d) => d.method) ? methodColorScale(pairs.map((d) => d.method)) : {}) },
    marks: [
      // the null band: where |cos| of two random directions of the gradient's dimension falls 95% of the time
      band && steps.length ? Plot.areaY(steps, { x: (s) => s, y1: -band, y2: band, fill: "#999", fillOpacity: 0.25 }) : null,
      Plot.ruleY([0]),
      Plot.line(pairs, { x: "step", y: "cos", ...facet, z: "run", stroke: (d) => d.method ?? d.run, tip: true, channels: { run: "run" } }),
      scrubStep == null ? null : Plot.ruleX([scrubStep], { stroke: "red", strokeDasharray: "3,3" }),
    ],
  });
}
