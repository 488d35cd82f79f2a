// Capability-space charts for the Pareto explorer and the what-if page: (data, {width, ...}) → element.
import * as Plot from "npm:@observablehq/plot";
import { methodColorScale } from "./store.js";

/**
 * Scatter of config groups on two capabilities: mean ± spread over seeds (error bars), non-dominated points ringed
 * and joined by the 2-D front's staircase, selected group highlighted.
 *   points: [{group, method, x, y, xlo, xhi, ylo, yhi, onFront}]   front: points on the front ordered by x
 */
export function paretoScatter(points, { width, xLabel, yLabel, front = [], selected = null, reference = [] } = {}) {
  return Plot.plot({
    width,
    height: Math.min(520, Math.max(320, width * 0.6)),
    grid: true,
    x: { label: xLabel, nice: true },
    y: { label: yLabel, nice: true },
    ariaLabel: `${yLabel} against ${xLabel}: one point per config`,
    color: { legend: true, ...methodColorScale(points.map((d) => d.method)) },
    marks: [
      Plot.line(front, { x: "x", y: "y", curve: "step-before", stroke: "currentColor", strokeDasharray: "4,3" }),
      Plot.ruleX(points, { x: "x", y1: "ylo", y2: "yhi", stroke: "method", strokeOpacity: 0.5 }),
      Plot.ruleY(points, { y: "y", x1: "xlo", x2: "xhi", stroke: "method", strokeOpacity: 0.5 }),
      Plot.dot(points, { x: "x", y: "y", fill: "method", r: 5, tip: true, channels: { config: (d) => d.label ?? d.group, seeds: "n" } }),
      Plot.dot(
        points.filter((d) => d.onFront),
        { x: "x", y: "y", r: 9, stroke: "currentColor", strokeWidth: 1.5 },
      ),
      Plot.dot(selected ? [selected] : [], { x: "x", y: "y", r: 13, stroke: "red", strokeWidth: 2 }),
      Plot.dot(reference, { x: "x", y: "y", symbol: "star", r: 7, fill: "none", stroke: "gray" }),
      Plot.text(reference, { x: "x", y: "y", text: "label", dy: -12, fill: "gray" }),
    ],
  });
}

/** Parallel coordinates over all four capabilities (one polyline per config group; front groups drawn bold). */
export function parallelCoordinates(points, caps, { width, labels = {} } = {}) {
  const long = points.flatMap((p) =>
    caps.map((c) => ({ group: p.group, method: p.method, onFront: p.onFront, cap: labels[c] ?? c, value: p.values[c] })),
  );
  return Plot.plot({
    width,
    height: 300,
    ariaLabel: "each config's score on all four capabilities",
    x: { domain: caps.map((c) => labels[c] ?? c), label: null },
    y: { label: "score", grid: true },
    color: { legend: true, ...methodColorScale(points.map((d) => d.method)) },
    marks: [
      Plot.line(long, {
        x: "cap",
        y: "value",
        z: "group",
        stroke: "method",
        strokeWidth: (d) => (d.onFront ? 2.5 : 1),
        strokeOpacity: (d) => (d.onFront ? 1 : 0.4),
      }),
      Plot.dot(long, { x: "cap", y: "value", fill: "method", r: 2.5 }),
    ],
  });
}
