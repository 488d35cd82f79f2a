// Training-curve small multiples: one panel per metric, each with its own y scale (KL and rewards live on very
// different ranges), raw values faint with the smoothed line on top, one colour per run (shared legend).
import * as Plot from "npm:@observablehq/plot";

/** rows: [{run, metric, step, value, smoothed}] → a grid of panels */
export function trainingCurves(rows, {width, height = 190} = {}) {
  const metrics = [...new Set(rows.map((d) => d.metric))];
  const runs = [...new Set(rows.map((d) => d.run))];
  const color = {domain: runs, type: "categorical"};
  const cols = width > 640 ? 2 : 1;
  const panelWidth = Math.floor(width / cols) - 12;
  const grid = document.createElement("div");
  grid.style.cssText = `display:grid;grid-template-columns:repeat(${cols}, 1fr);gap:12px`;
  const legend = Plot.legend({color});
  legend.style.gridColumn = "1 / -1";
  grid.append(legend);
  for (const metric of metrics) {
    const data = rows.filter((d) => d.metric === metric);
    grid.append(
      Plot.plot({
        width: panelWidth,
        height,
        grid: true,
        title: metric,
        x: {label: "step"},
        y: {label: null, nice: true},
        color,
        marks: [
          Plot.line(data, {x: "step", y: "value", z: "run", stroke: "run", strokeOpacity: 0.25}),
          Plot.line(data, {x: "step", y: "smoothed", z: "run", stroke: "run", strokeWidth: 1.8, tip: true})
        ]
      })
    );
  }
  return grid;
}
