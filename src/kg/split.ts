/**
 * Deterministic gene-level train/eval split.
 *
 * A gene's split is a pure function of its Entrez id: FNV-1a("bbio-split:<entrez>") mod 100 < 10 → "eval" (~10 %),
 * else "train". It needs no seed and no list of genes, so it is the same in every run, on every machine, for every
 * subset of genes, and a gene never moves when the data are regenerated. MKGSG assigns an item the split of its
 * subject gene(s) (an item touching an eval gene is eval), so no eval item shares a subject gene with a train item.
 */
import { fnv1a } from "../util/rng.ts";
import type { Split } from "./types.ts";

/** fraction of genes in "eval", in percent */
export const EVAL_PERCENT = 10;

export function splitOfEntrez(entrez: number): Split {
  return fnv1a(`bbio-split:${entrez}`) % 100 < EVAL_PERCENT ? "eval" : "train";
}

/**
 * Split of a GO term, for an item about terms only (no gene): FNV-1a("bbio-term-split:<GO id>") mod 100 <
 * EVAL_PERCENT → eval. Terms, unlike genes, may appear in both splits through different items: only subject genes are
 * kept disjoint. MKGSG's generator assigns it and its validator checks it.
 */
export function splitOfTerm(id: string): Split {
  return fnv1a(`bbio-term-split:${id}`) % 100 < EVAL_PERCENT ? "eval" : "train";
}
