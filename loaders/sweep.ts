/**
 * sweep.json: the ablation sweep the Ablations page lays its grid out from — name, axes (facets) and every expected
 * run with its id and its value on every axis — so runs still missing from the merged store show as gaps.
 * The sweep is $BBIO_SWEEP when set (the file `bbio sweep` ran), else configs/sweeps/paper-ablations.json. Only
 * names, ids and config values go out: no paths.
 */
import { existsSync } from "node:fs";
import { loadSweep } from "../src/sweep/spec.ts";
import type { SweepSpec } from "../src/analysis/sweepgrid.ts";

export function sweepFile(): string {
  return process.env.BBIO_SWEEP || new URL("../configs/sweeps/paper-ablations.json", import.meta.url).pathname;
}

const at = (o: unknown, path: string): unknown =>
  path.split(".").reduce<unknown>((x, k) => (x && typeof x === "object" ? (x as Record<string, unknown>)[k] : undefined), o);

export function sweepSpec(file = sweepFile()): SweepSpec | null {
  if (!existsSync(file)) {
    process.stderr.write(`loaders: no sweep file (${file}): the Ablations page shows no sweep grid\n`);
    return null;
  }
  const s = loadSweep(file);
  const axes = Object.keys(s.axes);
  return {
    name: s.name,
    description: s.description,
    axes: s.axes,
    runs: s.runs.map((r) => ({ id: r.id, name: r.name, values: Object.fromEntries(axes.map((a) => [a, at(r.config, a)])) })),
  };
}
