/**
 * The Ablations page's sweep grid (browser-safe): a sweep's expected runs joined with the runs the merged store holds.
 *
 *   cell     = one point of the grid with the seed left out (e.g. method=cagrpo, weight_strategy=dynamic, β=0.04)
 *   estimate = the mean over the cell's seeds that are in the store, with a t-interval over seeds (n ≥ 2), or the one
 *              run's own evaluation CI (n = 1)
 *   status   = complete (every seed there) | partial (some) | missing (none: drawn as a gap, never dropped)
 *
 * Every run carries a value for every axis (taken from its full config), so one-factor-at-a-time grids share axes:
 * a point no grid asked for is simply absent ("not planned"), which the page distinguishes from "missing".
 */
import { meanCI } from "./summary.ts";

export interface SweepSpecRun {
  id: string;
  name: string;
  /** value of every sweep axis for this run (from its config) */
  values: Record<string, unknown>;
}

export interface SweepSpec {
  name: string;
  description?: string;
  axes: Record<string, unknown[]>;
  runs: SweepSpecRun[];
}

export interface RunScore {
  value: number;
  ci_lo?: number | null;
  ci_hi?: number | null;
}

export interface GridCell {
  key: string;
  /** axis → value, seed axis excluded */
  values: Record<string, unknown>;
  expected: number;
  present: number;
  /** names of the expected runs not (yet) in the store or without this score */
  missing: string[];
  mean: number;
  lo: number;
  hi: number;
  status: "complete" | "partial" | "missing";
}

/** A value as the page shows it: strings bare, everything else as JSON. */
export const axisValueLabel = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));

const keyOf = (values: Record<string, unknown>, axes: readonly string[]) => axes.map((a) => `${a}=${axisValueLabel(values[a])}`).join(",");

/** The grid's cells for one score (e.g. one capability), in axis-value order. */
export function gridCells(spec: SweepSpec, score: (runId: string) => RunScore | undefined, seedAxis = "seed"): GridCell[] {
  const axes = Object.keys(spec.axes).filter((a) => a !== seedAxis);
  const groups = new Map<string, { values: Record<string, unknown>; runs: SweepSpecRun[] }>();
  for (const r of spec.runs) {
    const values = Object.fromEntries(axes.map((a) => [a, r.values[a]]));
    const k = keyOf(values, axes);
    const g = groups.get(k) ?? groups.set(k, { values, runs: [] }).get(k)!;
    g.runs.push(r);
  }
  const order = (a: string, v: unknown) => spec.axes[a].findIndex((x) => axisValueLabel(x) === axisValueLabel(v));
  const cells = [...groups.entries()].map(([key, g]) => {
    const got = g.runs.map((r) => ({ r, s: score(r.id) })).filter((x) => x.s && Number.isFinite(x.s.value));
    const vals = got.map((x) => x.s!.value);
    let mean = NaN,
      lo = NaN,
      hi = NaN;
    if (vals.length >= 2) ({ mean, lo, hi } = meanCI(vals));
    else if (vals.length === 1) {
      const s = got[0].s!;
      mean = s.value;
      lo = Number.isFinite(s.ci_lo ?? NaN) ? s.ci_lo! : s.value;
      hi = Number.isFinite(s.ci_hi ?? NaN) ? s.ci_hi! : s.value;
    }
    const present = vals.length;
    return {
      key,
      values: g.values,
      expected: g.runs.length,
      present,
      missing: g.runs.filter((r) => !got.some((x) => x.r === r)).map((r) => r.name),
      mean,
      lo,
      hi,
      status: present === 0 ? "missing" : present < g.runs.length ? "partial" : "complete",
    } satisfies GridCell;
  });
  return cells.sort((a, b) => {
    for (const ax of axes) {
      const d = order(ax, a.values[ax]) - order(ax, b.values[ax]);
      if (d) return d;
    }
    return 0;
  });
}

/**
 * The cells of one facet view: `shown` axes vary (x, fx, fy), every other axis is held at its `fixed` value.
 * Axes not in `fixed` and not shown are held at the value most cells have (the base config's value in a
 * one-factor-at-a-time design).
 */
export function facetSlice(cells: readonly GridCell[], shown: readonly string[], fixed: Record<string, unknown> = {}): GridCell[] {
  const axes = cells.length ? Object.keys(cells[0].values) : [];
  const hold: Record<string, string> = {};
  for (const a of axes) {
    if (shown.includes(a)) continue;
    if (a in fixed) hold[a] = axisValueLabel(fixed[a]);
    else {
      const counts = new Map<string, number>();
      for (const c of cells) counts.set(axisValueLabel(c.values[a]), (counts.get(axisValueLabel(c.values[a])) ?? 0) + 1);
      hold[a] = [...counts].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))[0][0];
    }
  }
  return cells.filter((c) => Object.entries(hold).every(([a, v]) => axisValueLabel(c.values[a]) === v));
}

/** Totals for the page's summary line. */
export function gridCoverage(
  spec: SweepSpec,
  present: (runId: string) => boolean,
): { expected: number; present: number; missing: string[] } {
  const missing = spec.runs.filter((r) => !present(r.id)).map((r) => r.name);
  return { expected: spec.runs.length, present: spec.runs.length - missing.length, missing };
}
