// Per-capability bars with confidence intervals (ablations) and the MKGSG curation funnel (data page).
import * as Plot from "npm:@observablehq/plot";

/** rows: [{label, cap, value, lo, hi}] grouped bars: one group per capability, one bar per config */
export function capabilityBars(rows, { width, caps } = {}) {
  const configs = [...new Set(rows.map((d) => d.label))]; // bars and legend in the order given (the table's)
  return Plot.plot({
    width,
    height: 300,
    fx: { domain: caps, label: null },
    x: { axis: null, domain: configs },
    y: { label: "score", grid: true },
    color: { legend: true, domain: configs },
    marks: [
      Plot.barY(rows, { fx: "cap", x: "label", y: "value", fill: "label", tip: true }),
      Plot.ruleX(rows, { fx: "cap", x: "label", y1: "lo", y2: "hi", stroke: "currentColor" }),
      Plot.ruleY([0]),
    ],
  });
}

/** rows: [{step, n}] in order: generated → passed ... → kept */
export function funnel(rows, { width } = {}) {
  return Plot.plot({
    width,
    height: 40 + 32 * rows.length,
    marginLeft: 190,
    x: { label: "candidates", grid: true },
    y: { domain: rows.map((d) => d.step), label: null },
    marks: [
      Plot.barX(rows, { x: "n", y: "step", fill: "steelblue", tip: true }),
      Plot.text(rows, { x: "n", y: "step", text: "n", dx: 14 }),
    ],
  });
}

/** rows: [{key, n}] horizontal count bars (counts per family / kind / split / reject reason) */
export function counts(rows, { width, label = null, marginLeft = 220 } = {}) {
  return Plot.plot({
    width,
    height: 40 + 22 * rows.length,
    marginLeft,
    marginRight: 30,
    x: { label: "count", grid: true },
    y: { label, domain: rows.map((d) => d.key) },
    marks: [Plot.barX(rows, { x: "n", y: "key", fill: "gray", tip: true }), Plot.text(rows, { x: "n", y: "key", text: "n", dx: 10 })],
  });
}
