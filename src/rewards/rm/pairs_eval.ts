/**
 * Pairwise accuracy of a reward model on preference pairs: the held-out evaluation (`bbio rm-eval`) and the
 * accuracies the RM stage reports while and after training, computed the same way (ties count ½).
 */
import type { Item } from "../../mkgsg/types.ts";
import { mean } from "../../util/stats.ts";
import type { Pair } from "../pairs.ts";
import type { BtRewardModel } from "./model.ts";

export const pairAcc = (rc: number, rr: number) => (rc > rr ? 1 : rc === rr ? 0.5 : 0);

export interface EncodedPair {
  pair: Pair;
  item: Item;
  c: number[];
  r: number[];
}

/** r(chosen), r(rejected) for each pair; every distinct (item, answer) is scored once */
export async function pairRewards(
  rm: BtRewardModel,
  ps: readonly EncodedPair[],
  batchSize: number,
): Promise<{ rc: number[]; rr: number[]; byAnswer: Map<string, number> }> {
  const key = (e: EncodedPair, ans: string) => `${e.item.id}\u0000${ans}`;
  const uniq = new Map<string, number[]>();
  for (const e of ps) {
    uniq.set(key(e, e.pair.chosen), e.c);
    uniq.set(key(e, e.pair.rejected), e.r);
  }
  const keys = [...uniq.keys()];
  const rs = await rm.rewardsOfSeqs(
    keys.map((k) => uniq.get(k)!),
    batchSize,
  );
  const byAnswer = new Map(keys.map((k, i) => [k, rs[i]]));
  return { rc: ps.map((e) => byAnswer.get(key(e, e.pair.chosen))!), rr: ps.map((e) => byAnswer.get(key(e, e.pair.rejected))!), byAnswer };
}

export interface PairEvaluation {
  /** pairwise accuracy: fraction of pairs with r(chosen) > r(rejected), ties ½ (NaN when there are no pairs) */
  accuracy: number;
  n: number;
  /** pairs skipped because their item is not in the item set */
  missing: number;
  /** pairs skipped because a sequence is longer than block_size (as in training) */
  tooLong: number;
  byFamily: Record<string, { n: number; accuracy: number }>;
  byCorruption: Record<string, { n: number; accuracy: number }>;
}

/** Pairwise accuracy of a reward model on preference pairs (prompts from the items, by item_id). No gradient. */
export async function evaluatePairs(
  rm: BtRewardModel,
  pairs: readonly Pair[],
  items: readonly Item[],
  batchSize = 32,
): Promise<PairEvaluation> {
  const byId = new Map(items.map((it) => [it.id, it]));
  const ex: EncodedPair[] = [];
  let missing = 0,
    tooLong = 0;
  const T = rm.modelConfig.block_size;
  for (const pair of pairs) {
    const item = byId.get(pair.item_id);
    if (!item) {
      missing++;
      continue;
    }
    const e = { pair, item, c: rm.sequence(item.prompt, pair.chosen), r: rm.sequence(item.prompt, pair.rejected) };
    if (e.c.length > T || e.r.length > T) tooLong++;
    else ex.push(e);
  }
  const { rc, rr } = ex.length ? await pairRewards(rm, ex, batchSize) : { rc: [], rr: [] };
  const acc = rc.map((x, i) => pairAcc(x, rr[i]));
  return {
    accuracy: mean(acc),
    n: ex.length,
    missing,
    tooLong,
    byFamily: groupAcc(ex, acc, "family"),
    byCorruption: groupAcc(ex, acc, "corruption"),
  };
}

export function groupAcc(
  ex: readonly EncodedPair[],
  acc: readonly number[],
  key: "family" | "corruption",
): Record<string, { n: number; accuracy: number }> {
  const g = new Map<string, number[]>();
  ex.forEach((e, i) => (g.get(e.pair[key]) ?? g.set(e.pair[key], []).get(e.pair[key])!).push(acc[i]));
  return Object.fromEntries([...g].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, xs]) => [k, { n: xs.length, accuracy: mean(xs) }]));
}
