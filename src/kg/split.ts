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
