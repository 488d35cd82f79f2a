// Per-capability bars with confidence intervals (ablations) and the MKGSG curation funnel (data page).
import * as Plot from "npm:@observablehq/plot";
import { methodColorScale } from "./store.js";

/**
 * rows: [{label, method, cap, value, lo, hi}] grouped bars: one group per capability, one bar per config (in the order
 * given: the table's), coloured by its method's fixed colour (a tip names the config).
 */
export function capabilityBars(rows, { width, caps } = {}) {
  const configs = [...new Set(rows.map((d) => d.label))];
  return Plot.plot({
    width,
    height: 300,
    ariaLabel: "score per capability and config, with 95% intervals",
    fx: { domain: caps, label: null },
    x: { axis: null, domain: configs },
    y: { label: "score", grid: true, domain: [0, 1] },
    color: { legend: true, ...methodColorScale(rows.map((d) => d.method ?? d.label)) },
    marks: [
      Plot.barY(rows, { fx: "cap", x: "label", y: "value", fill: (d) => d.method ?? d.label, tip: true, channels: { config: "label" } }),
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
    ariaLabel: "curation funnel: candidates left after each step",
    marginLeft: Math.min(190, Math.max(90, width * 0.4)),
    marginRight: 40,
    x: { label: "candidates", grid: true },
    y: { domain: rows.map((d) => d.step), label: null },
    marks: [
      Plot.barX(rows, { x: "n", y: "step", fill: "steelblue", tip: true }),
      Plot.text(rows, { x: "n", y: "step", text: "n", dx: 14 }),
    ],
  });
}

/** rows: [{key, n}] horizontal count bars (counts per capability / kind / split / reject reason) */
export function counts(rows, { width, label = null, marginLeft = 220 } = {}) {
  return Plot.plot({
    width,
    height: 40 + 22 * rows.length,
    ariaLabel: `counts${label ? ` per ${label}` : ""}`,
    marginLeft: Math.min(marginLeft, Math.max(80, width * 0.45)),
    marginRight: 30,
    x: { label: "count", grid: true },
    y: { label, domain: rows.map((d) => d.key) },
    marks: [Plot.barX(rows, { x: "n", y: "key", fill: "gray", tip: true }), Plot.text(rows, { x: "n", y: "key", text: "n", dx: 10 })],
  });
}
