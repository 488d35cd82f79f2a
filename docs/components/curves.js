// Training-curve small multiples: one panel per metric, each with its own y scale (KL and rewards live on very
// different ranges), raw values faint with the smoothed line on top, one colour per run (shared legend).
import * as Plot from "npm:@observablehq/plot";
import { methodColorScale } from "./store.js";

/**
 * rows: [{run, metric, step, value, smoothed, part?}] → a grid of panels.
 * parts: optional {partName: strokeDasharray | null} — several lines per run and panel told apart by their dash
 * (e.g. a reward's mean / rule / model parts); rows whose part is not listed are not drawn.
 */
export function trainingCurves(rows, { width, height = 190, parts = null, methodOf = null } = {}) {
  const metrics = [...new Set(rows.map((d) => d.metric))];
  const runs = [...new Set(rows.map((d) => d.run))];
  // methodOf(line) → the line's method: lines are coloured by method (one fixed Okabe–Ito colour each, labels.ts),
  // a method's seeds/configs share it; without methodOf, one colour per line
  const colorOf = methodOf ? (d) => methodOf(d.run) : (d) => d.run;
  const color = methodOf ? methodColorScale(runs.map(methodOf)) : { domain: runs, type: "categorical" };
  const cols = width > 640 ? 2 : 1;
  const panelWidth = Math.floor(width / cols) - 12;
  const grid = document.createElement("div");
  grid.style.cssText = `display:grid;grid-template-columns:repeat(${cols}, 1fr);gap:12px`;
  const legend = Plot.legend({ color, label: methodOf ? "method" : null });
  legend.style.gridColumn = "1 / -1";
  grid.append(legend);
  const styles = parts ? Object.entries(parts).filter(([p]) => rows.some((d) => d.part === p)) : [[undefined, null]];
  if (parts) {
    const key = document.createElement("div");
    key.style.cssText = "grid-column:1 / -1;font:12px var(--sans-serif);display:flex;gap:18px";
    for (const [p, dash] of styles)
      key.insertAdjacentHTML(
        "beforeend",
        `<span><svg width="28" height="8"><line x1="0" x2="28" y1="4" y2="4" stroke="currentColor" stroke-width="1.8" ${dash ? `stroke-dasharray="${dash}"` : ""}/></svg> ${p}</span>`,
      );
    grid.append(key);
  }
  for (const metric of metrics) {
    const data = rows.filter((d) => d.metric === metric);
    // a constant series (e.g. α fixed at 0.5, no clipping at all) gets a visible band around its value instead of a
    // zero-height domain with meaningless ticks
    const [lo, hi] = d3extent(data.flatMap((d) => [d.value, d.smoothed]));
    const yDomain = lo === hi && Number.isFinite(lo) ? [lo - (Math.abs(lo) * 0.1 || 1), hi + (Math.abs(hi) * 0.1 || 1)] : undefined;
    grid.append(
      Plot.plot({
        width: panelWidth,
        height,
        grid: true,
        title: metric,
        ariaLabel: `${metric} over training steps`,
        x: { label: "step" },
        y: { label: null, nice: true, domain: yDomain },
        color,
        marks: styles.flatMap(([p, dash]) => {
          const d = parts ? data.filter((r) => r.part === p) : data;
          const z = (r) => `${r.run}\u0000${r.part ?? ""}`;
          // a sparse series (the eval stage logs a few points) is drawn as points joined by lines, not a faint line
          const sparse = new Set(runs.filter((run) => d.filter((r) => r.run === run).length <= 8));
          const band = d.filter((r) => r.hi > r.lo);
          return [
            // the band of the seeds averaged into a line (min–max at each step), in the line's colour
            band.length ? Plot.areaY(band, { x: "step", y1: "lo", y2: "hi", z, fill: colorOf, fillOpacity: 0.15 }) : null,
            Plot.line(d, { x: "step", y: "value", z, stroke: colorOf, strokeOpacity: 0.25, strokeDasharray: dash ?? undefined }),
            Plot.line(d, {
              x: "step",
              y: "smoothed",
              z,
              stroke: colorOf,
              strokeWidth: 1.8,
              strokeDasharray: dash ?? undefined,
              tip: true,
              channels: { line: "run", ...(parts ? { part: "part" } : {}) },
            }),
            Plot.dot(
              d.filter((r) => sparse.has(r.run)),
              { x: "step", y: "value", fill: colorOf, r: 2.5 },
            ),
          ];
        }),
      }),
    );
  }
  return grid;
}

function d3extent(values) {
  let lo = Infinity,
    hi = -Infinity;
  for (const v of values) if (Number.isFinite(v)) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  return lo <= hi ? [lo, hi] : [NaN, NaN];
}
