// Gradient-cosine charts for the orthogonality page: (rows, {width, ...}) → element.
import * as Plot from "npm:@observablehq/plot";

/** Pairwise cosine matrix at one step (cells coloured on a diverging scale fixed to [-1, 1]; null cos = no gradient). */
export function cosineHeatmap(rows, { width, caps, title } = {}) {
  return Plot.plot({
    width: Math.min(width, 380),
    height: Math.min(width, 380) * 0.85,
    marginLeft: 80,
    marginBottom: 60,
    title,
    x: { domain: caps, label: null, tickRotate: -30 },
    y: { domain: caps, label: null },
    color: { type: "linear", scheme: "RdBu", domain: [-1, 1], legend: true, label: "cos" },
    marks: [
      // a zero gradient has no direction (cos = null from the loader): a hatched-grey cell marked "–", never a colour
      Plot.cell(
        rows.filter((d) => d.cos == null),
        { x: "cap_j", y: "cap_i", fill: "#ddd", title: () => "no gradient at this step (zero norm)" },
      ),
      Plot.cell(
        rows.filter((d) => d.cos != null),
        { x: "cap_j", y: "cap_i", fill: "cos", tip: true },
      ),
      Plot.text(rows, {
        x: "cap_j",
        y: "cap_i",
        text: (d) => (d.cos == null ? "–" : d.cos.toFixed(2)),
        fill: (d) => (Math.abs(d.cos ?? 0) > 0.6 ? "white" : "black"),
      }),
    ],
  });
}

/** cos(g_i, g_j) over steps, one small multiple per capability pair (upper triangle only), 0 line marked; gaps = no gradient. */
export function cosineOverTime(rows, { width, scrubStep, band = null } = {}) {
  const pairs = rows.filter((d) => d.cap_i < d.cap_j).map((d) => ({ ...d, pair: `${d.cap_i} · ${d.cap_j}` }));
  const steps = pairs.length ? [Math.min(...pairs.map((d) => d.step)), Math.max(...pairs.map((d) => d.step))] : [];
  return Plot.plot({
    width,
    height: 260,
    grid: true,
    y: { domain: [-1, 1], label: "cos" },
    fx: { label: null },
    color: { legend: true },
    marks: [
      // the null band: where |cos| of two random directions of the gradient's dimension falls 95% of the time
      band && steps.length ? Plot.areaY(steps, { x: (s) => s, y1: -band, y2: band, fill: "#999", fillOpacity: 0.25 }) : null,
      Plot.ruleY([0]),
      Plot.line(pairs, { x: "step", y: "cos", fx: "pair", stroke: "run" }),
      scrubStep == null ? null : Plot.ruleX([scrubStep], { stroke: "red", strokeDasharray: "3,3" }),
    ],
  });
}
