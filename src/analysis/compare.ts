/**
 * A paired comparison of two configs (each with one or more seeds) on one capability, from per-item eval values:
 * the units are (item, seed pair), and the bootstrap resamples whole items (an item is scored by every seed, so its
 * observations are not independent). Returns the paired interval of mean(A − B) and the minimum detectable
 * difference at that n (paired.ts). Only the headline split ("eval": the extraction genes) enters.
 *
 * Seed pairing: runs are sorted by id; with one run on a side (SFT-only: no RL seed) it pairs with every run of the
 * other; otherwise run k pairs with run k (seeds are exchangeable, so any fixed matching is valid).
 */
import { pairedBootstrap, type PairedResult } from "./paired.ts";

export interface EvalItemRow {
  run_id: string;
  item_id: string;
  family: string;
  split?: string | null;
  value: number;
}

export function pairedComparison(
  rows: readonly EvalItemRow[],
  runsA: readonly string[],
  runsB: readonly string[],
  family: string,
  opts: { iters?: number; seed?: number } = {},
): PairedResult | null {
  const A = [...runsA].sort(),
    B = [...runsB].sort();
  if (!A.length || !B.length) return null;
  const pairs: [string, string][] =
    A.length === 1
      ? B.map((b) => [A[0], b])
      : B.length === 1
        ? A.map((a) => [a, B[0]])
        : A.slice(0, Math.min(A.length, B.length)).map((a, k) => [a, B[k]]);
  const byRun = new Map<string, Map<string, number>>();
  for (const r of rows) {
    if (r.family !== family || (r.split != null && r.split !== "eval")) continue;
    (byRun.get(r.run_id) ?? byRun.set(r.run_id, new Map()).get(r.run_id)!).set(r.item_id, r.value);
  }
  const a: number[] = [],
    b: number[] = [],
    groups: string[] = [];
  for (const [ra, rb] of pairs) {
    const ma = byRun.get(ra),
      mb = byRun.get(rb);
    if (!ma || !mb) continue;
    for (const [item, va] of ma) {
      const vb = mb.get(item);
      if (vb === undefined) continue;
      a.push(va), b.push(vb), groups.push(item);
    }
  }
  if (new Set(groups).size < 2) return null;
  return pairedBootstrap(a, b, { groups, iters: opts.iters ?? 2000, seed: opts.seed ?? 0 });
}
