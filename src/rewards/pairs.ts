/**
 * Reward-model preference pairs from MKGSG items (docs/method.md §3.4, ours: the paper's RM is trained on proprietary
 * "business data"; ours on validated gold vs. perturbed answers):
 *
 *   chosen   = the item's gold (validated by MKGSG curation; scores 1 under the rule scorer)
 *   rejected = corrupt(item, type, rng, kg) — a plausible wrong answer that scores strictly lower (src/mkgsg/corrupt.ts)
 *
 * Up to `pairsPerItem` pairs per item, each of a different corruption type where the item allows it (then further
 * passes over the same types — another wrong option letter, another wrong member — while they give new answers). Types are drawn
 * round-robin over the item's components (knowledge / reasoning / format / workflow) in a seeded order, so an
 * integration item's pairs attack different capabilities rather than, say, three workflow slips. Identical rejected
 * texts are never repeated for one item.
 *
 * Deterministic: the same items, KG, options and seed give the same pairs in the same order (one rng stream per item,
 * rngFor(seed, "rm-pairs:<item id>")). The split is the item's: eval pairs come from eval-split items only, so the
 * gene-level split of MKGSG (no subject gene in both splits) carries over to the RM's held-out accuracy.
 */
import type { KG, Split } from "../kg/types.ts";
import { applicableCorruptions, corrupt, corruptionComponents, CORRUPTIONS, type Corruption } from "../mkgsg/corrupt.ts";
import type { Capability, Item } from "../mkgsg/types.ts";
import { BbioError } from "../util/errors.ts";
import { rngFor, shuffled } from "../util/rng.ts";

/** one row of pairs.jsonl (= the store's `pairs` table without data_hash) */
export interface Pair {
  item_id: string;
  family: Capability;
  split: Split;
  chosen: string;
  rejected: string;
  corruption: Corruption;
}

export interface PairOptions {
  pairsPerItem: number;
  seed: number;
  /** allowed corruption types; empty/undefined = all */
  corruptions?: readonly Corruption[];
}

export interface PairStats {
  /** items that got no pair at all (no applicable corruption produced a strictly worse answer) */
  itemsWithoutPairs: string[];
}

export function buildPairs(items: readonly Item[], kg: KG, o: PairOptions, stats?: PairStats): Pair[] {
  if (!Number.isInteger(o.pairsPerItem) || o.pairsPerItem < 1)
    throw new BbioError(`pairs per item must be a positive integer, got ${o.pairsPerItem}`);
  const allowed = new Set<Corruption>(o.corruptions?.length ? o.corruptions : CORRUPTIONS);
  for (const c of allowed) if (!(CORRUPTIONS as readonly string[]).includes(c)) throw new BbioError(`unknown corruption "${c}"`);
  const out: Pair[] = [];
  for (const item of items) {
    // control items (gene world: no card, no QA) exist only to measure guessing, dev items only to choose budgets on;
    // no reward is learned from either
    if (item.split === "control" || item.split === "dev") continue;
    const rng = rngFor(o.seed, `rm-pairs:${item.id}`);
    const kinds = applicableCorruptions(item).filter((k) => allowed.has(k));
    // round-robin over components, in a seeded order, types shuffled within each component
    const byComp = new Map<string, Corruption[]>();
    for (const k of shuffled(rng, kinds)) {
      const comp = corruptionComponents(item, k)[0] ?? "other";
      (byComp.get(comp) ?? byComp.set(comp, []).get(comp)!).push(k);
    }
    const queues = shuffled(rng, [...byComp.keys()].sort()).map((c) => byComp.get(c)!);
    const order: Corruption[] = [];
    for (let i = 0; queues.some((q) => i < q.length); i++) for (const q of queues) if (i < q.length) order.push(q[i]);
    const seen = new Set<string>();
    let n = 0;
    // distinct types first; further passes (another wrong letter, another wrong member, …) while they add new answers
    for (let pass = 0; pass < o.pairsPerItem && n < o.pairsPerItem; pass++) {
      const before = n;
      for (const kind of order) {
        if (n >= o.pairsPerItem) break;
        const rejected = corrupt(item, kind, rng, kg);
        if (rejected === null || seen.has(rejected)) continue;
        seen.add(rejected);
        out.push({ item_id: item.id, family: item.family, split: item.split as Split, chosen: item.gold, rejected, corruption: kind });
        n++;
      }
      if (n === before) break;
    }
    if (n === 0) stats?.itemsWithoutPairs.push(item.id);
  }
  return out;
}

/** counts per key of a list of pairs, e.g. countBy(pairs, "family") */
export function countBy(pairs: readonly Pair[], key: "family" | "corruption" | "split"): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of pairs) out[p[key]] = (out[p[key]] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}
