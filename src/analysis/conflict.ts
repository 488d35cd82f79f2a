/**
 * The conflict control's outcome (docs/method.md §2.4): two capability slots ask the same prompts for opposite
 * outputs (capitals vs lower case), one slot weighted more than the other. Plain GRPO follows the heavier slot and the
 * other one collapses; a conflict-handling method should keep the lighter slot alive. Per run the outcome is each
 * slot's SAMPLED score (eval.samples completions per prompt at temperature 1: the policy's case mixture, which greedy
 * decoding hides) and the worse of the two. Per method: mean and range over its seeds. A method "changes the outcome
 * beyond the seeds' spread" when its range of a quantity does not overlap the reference method's range — with n seeds
 * each, disjoint ranges are the plain, assumption-free reading of "outside the spread".
 */

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
  return { mean: xs.reduce((s, x) => s + x, 0) / xs.length, min: Math.min(...xs), max: Math.max(...xs) };
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
