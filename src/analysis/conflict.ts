/**
 * The conflict control's outcome (docs/method.md §2.4): two capability slots ask the same prompts for opposite
 * outputs (capitals vs lower case), one slot weighted more than the other. Plain GRPO follows the heavier slot and the
 * other one collapses; a conflict-handling method should keep the lighter slot alive. Per run the outcome is each
 * slot's SAMPLED score (eval.samples completions per prompt at temperature 1: the policy's case mixture, which greedy
 * decoding hides) and the worse of the two. Per method: mean and range over its seeds. A method "changes the outcome
 * beyond the seeds' spread" when its range of a quantity does not overlap the reference method's range — with n seeds
 * each, disjoint ranges are the plain, assumption-free reading of "outside the spread".
 */
import { mean } from "./bootstrap.ts";

export interface ConflictRun {
  run: string;
  method: string;
  /** slot A's sampled score (the heavier, e.g. capitals / instruction) */
  a: number;
  /** slot B's sampled score (the lighter, e.g. lower case / integration) */
  b: number;
}

export interface Spread {
  mean: number;
  min: number;
  max: number;
}

export interface ConflictSummary {
  method: string;
  seeds: number;
  a: Spread;
  b: Spread;
  /** min(a, b) per run */
  worst: Spread;
}

function spread(xs: readonly number[]): Spread {
  if (xs.length === 0) return { mean: NaN, min: NaN, max: NaN };
  return { mean: mean(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/** one summary per method, in order of first appearance; runs with a non-finite slot score are skipped */
export function conflictOutcomes(runs: readonly ConflictRun[]): ConflictSummary[] {
  const by = new Map<string, ConflictRun[]>();
  for (const r of runs) {
    if (!Number.isFinite(r.a) || !Number.isFinite(r.b)) continue;
    by.set(r.method, [...(by.get(r.method) ?? []), r]);
  }
  return [...by].map(([method, rs]) => ({
    method,
    seeds: rs.length,
    a: spread(rs.map((r) => r.a)),
    b: spread(rs.map((r) => r.b)),
    worst: spread(rs.map((r) => Math.min(r.a, r.b))),
  }));
}

export type OutcomeKey = "a" | "b" | "worst";

/**
 * +1 when every seed of `other` is above every seed of `base` on `key`, −1 when below, 0 when the ranges overlap (or
 * either side has no seeds). One seed per side is allowed but says nothing about spread: callers report seeds.
 */
export function outcomeShift(base: ConflictSummary, other: ConflictSummary, key: OutcomeKey = "worst"): -1 | 0 | 1 {
  if (!base.seeds || !other.seeds) return 0;
  if (other[key].min > base[key].max) return 1;
  if (other[key].max < base[key].min) return -1;
  return 0;
}

/** one row per conflict-control run: each slot's score (sampled where the run has it, else the greedy headline) */
export interface ConflictRow {
  run: string;
  method: string;
  "capitals (instruction)": number | undefined;
  "lower case (integration)": number | undefined;
  worst: number;
  /** "sampled" (eval.samples: the policy's case mixture) or "greedy" (older runs without it) */
  measure: "sampled" | "greedy";
}

/** per method: each slot and the worst case over its seeds, and the verdict against the reference method */
export interface ConflictMethodRow {
  method: string;
  seeds: number;
  "capitals: mean": number;
  "lower case: mean": number;
  "lower case: min": number;
  "lower case: max": number;
  "worst: mean": number;
  "worst: min": number;
  "worst: max": number;
  /** the lighter slot (lower case) against the reference's seed range: "above" | "below" | "inside" | "" (reference) */
  "lower case vs reference": string;
}

interface SiteRun {
  id: string;
  name: string;
  method: string;
  conflict: boolean;
  scores: Partial<Record<string, { value: number }>>;
}
interface EvalMetric {
  run_id: string;
  family: string;
  metric: string;
  value: number;
}

/**
 * The Orthogonality page's conflict-control tables. `evals` = evals.arrow rows (run_id, family, metric, value): a run's
 * `sampled` instruction / integration metrics are its slots' scores; runs evaluated without eval.samples fall back to
 * the greedy headline (and say so). SFT-only runs are kept as the starting point. Methods in `order`.
 */
export function conflictControl(
  runs: readonly SiteRun[],
  evals: readonly EvalMetric[],
  order: (a: string, b: string) => number,
  opts: { reference?: string } = {},
): { rows: ConflictRow[]; perMethod: ConflictMethodRow[]; reference: string } {
  const reference = opts.reference ?? "sum";
  const sampled = new Map<string, number>();
  for (const e of evals) if (e.metric === "sampled") sampled.set(`${e.run_id}|${e.family}`, e.value);
  const rows: ConflictRow[] = runs
    .filter((r) => r.conflict)
    .map((r) => {
      const up = sampled.get(`${r.id}|instruction`),
        low = sampled.get(`${r.id}|integration`);
      const has = up !== undefined && low !== undefined;
      const a = has ? up : r.scores.instruction?.value,
        b = has ? low : r.scores.integration?.value;
      return {
        run: r.name,
        method: r.method,
        "capitals (instruction)": a,
        "lower case (integration)": b,
        worst: Math.min(a ?? NaN, b ?? NaN),
        measure: has ? "sampled" : "greedy",
      } as ConflictRow;
    })
    .sort((x, y) => order(x.method, y.method) || (x.run < y.run ? -1 : 1));
  const summaries = conflictOutcomes(
    rows.map((r) => ({ run: r.run, method: r.method, a: r["capitals (instruction)"] ?? NaN, b: r["lower case (integration)"] ?? NaN })),
  );
  const ref = summaries.find((s) => s.method === reference);
  const word = { 1: "above every seed", [-1]: "below every seed", 0: "inside the spread" } as const;
  const perMethod = summaries.map((s) => ({
    method: s.method,
    seeds: s.seeds,
    "capitals: mean": s.a.mean,
    "lower case: mean": s.b.mean,
    "lower case: min": s.b.min,
    "lower case: max": s.b.max,
    "worst: mean": s.worst.mean,
    "worst: min": s.worst.min,
    "worst: max": s.worst.max,
    "lower case vs reference": !ref || s.method === reference || s.method === "sft-only" ? "" : word[outcomeShift(ref, s, "b")],
  }));
  return { rows, perMethod, reference };
}
