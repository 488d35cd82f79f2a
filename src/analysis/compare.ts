/**
 * A comparison of two configs (each with one or more RL seeds) on one capability, from per-item eval values: the
 * two-level (seeds × items) bootstrap of seed_bootstrap.ts over the extraction items every run of both sides answered
 * (docs/method.md §8.4). Only the headline split ("eval": the extraction genes) enters.
 *
 * Seeds are NOT paired across sides: seed k of one method and seed k of another are different training runs, and the
 * seed factor is resampled within each side. Items are paired (every run answers the same items). A side with one run
 * (SFT-only: no RL seed) adds no between-seed variance; one run on each side gives an items-only interval, labelled so
 * and never significant.
 *
 * comparisonWording is the one place a comparison becomes words: pages, verdicts and `bbio report` all call it.
 */
import { seedItemBootstrap, type SeedComparison } from "./seed_bootstrap.ts";

export type { SeedComparison } from "./seed_bootstrap.ts";

export interface EvalItemRow {
  run_id: string;
  item_id: string;
  capability: string;
  split?: string | null;
  value: number;
}

export function pairedComparison(
  rows: readonly EvalItemRow[],
  runsA: readonly string[],
  runsB: readonly string[],
  capability: string,
  opts: { iters?: number; seed?: number } = {},
): SeedComparison | null {
  const byRun = new Map<string, Map<string, number>>();
  for (const r of rows) {
    if (r.capability !== capability || (r.split != null && r.split !== "eval")) continue;
    (byRun.get(r.run_id) ?? byRun.set(r.run_id, new Map()).get(r.run_id)!).set(r.item_id, r.value);
  }
  // runs without item rows for this capability are left out (they cannot be compared item by item); the rest keep
  // the caller's order — RL-seed order (runs.ts bySeed) on every page — which the bootstrap's draws follow
  const A = [...new Set(runsA)].filter((r) => byRun.has(r)),
    B = [...new Set(runsB)].filter((r) => byRun.has(r));
  if (!A.length || !B.length) return null;
  // the items every run of both sides answered, in a fixed order
  const items = [...byRun.get(A[0])!.keys()].filter((i) => [...A, ...B].every((r) => byRun.get(r)!.has(i))).sort();
  if (items.length < 2) return null;
  const matrix = (runs: string[]) => runs.map((r) => items.map((i) => byRun.get(r)!.get(i)!));
  return seedItemBootstrap(matrix(A), matrix(B), A, B, { iters: opts.iters ?? 2000, seed: opts.seed ?? 0 });
}

/** "3 seeds" when both sides have that many or one side is a single run (SFT-only), else "3 vs 2 seeds" */
export function seedCount(c: Pick<SeedComparison, "seedsA" | "seedsB">): string {
  const a = c.seedsA.length,
    b = c.seedsB.length;
  const n = a === b || b === 1 ? a : a === 1 ? b : null;
  return n === null ? `${a} vs ${b} seeds` : `${n} seed${n === 1 ? "" : "s"}`;
}

export type ComparisonWord = "higher" | "lower" | `undecided at ${string}` | "items only (1 seed)" | "no data";

/**
 * What a comparison may say, in words: "higher" / "lower" only when the seed-level interval excludes 0; an interval
 * that covers 0 is "undecided at n seeds", never a direction; one run per side is "items only (1 seed)" whatever its
 * interval (a single seed's luck is not in it).
 */
export function comparisonWording(c: SeedComparison | null): ComparisonWord {
  if (!c) return "no data";
  if (c.basis === "items only (1 seed)") return "items only (1 seed)";
  if (c.significant) return c.estimate > 0 ? "higher" : "lower";
  return `undecided at ${seedCount(c)}`;
}

const pts = (v: number) => (100 * v).toFixed(1);
/** "0.94 / 0.77 / 0.76": each run's score on the compared items, in the order the runs were given (RL seeds) */
export const perSeedText = (s: readonly { score: number }[]): string => s.map((x) => x.score.toFixed(2)).join(" / ");

/** "+12.0 [4.0, 20.0] MDD 9.5, higher" (×100 points), or "—" without data */
export function comparisonText(c: SeedComparison | null): string {
  if (!c) return "—";
  return `${c.estimate >= 0 ? "+" : ""}${pts(c.estimate)} [${pts(c.lo)}, ${pts(c.hi)}] MDD ${pts(c.mdd)}, ${comparisonWording(c)}`;
}
