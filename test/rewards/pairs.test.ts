/**
 * Preference pairs (src/rewards/pairs.ts) over real MKGSG items of every kind: chosen = the gold, rejected = a
 * corruption (src/mkgsg/corrupt/, tested in test/mkgsg/corrupt.test.ts) that scores strictly lower; deterministic,
 * and each pair keeps its item's split.
 */
import { describe, it, expect, beforeAll } from "vitest";
import { itemsOfEveryKind, kg } from "../mkgsg/helpers.ts";
import { score, type Item } from "../../src/mkgsg/index.ts";
import { buildPairs } from "../../src/rewards/pairs.ts";

let items: Item[];

beforeAll(() => {
  items = itemsOfEveryKind(kg);
});

describe("buildPairs", () => {
  it("chosen = gold, rejected = a strictly worse corruption; deterministic; split and family from the item", () => {
    const a = buildPairs(items, kg, { pairsPerItem: 3, seed: 4 });
    const b = buildPairs(items, kg, { pairsPerItem: 3, seed: 4 });
    expect(a).toEqual(b);
    expect(buildPairs(items, kg, { pairsPerItem: 3, seed: 5 })).not.toEqual(a);
    const byId = new Map(items.map((i) => [i.id, i]));
    const perItem = new Map<string, string[]>();
    for (const p of a) {
      const it = byId.get(p.item_id)!;
      expect(Object.keys(p).sort()).toEqual(["chosen", "corruption", "family", "item_id", "rejected", "split"]);
      expect(p.chosen).toBe(it.gold);
      expect([p.split, p.family]).toEqual([it.split, it.family]);
      expect(score(it, p.rejected, kg).score).toBeLessThan(score(it, p.chosen, kg).score);
      perItem.set(p.item_id, [...(perItem.get(p.item_id) ?? []), p.rejected]);
    }
    for (const [id, rs] of perItem) {
      expect(rs.length).toBeLessThanOrEqual(3);
      expect(new Set(rs).size, id).toBe(rs.length);
    }
    // eval pairs come only from eval items; both splits are present
    expect(a.some((p) => p.split === "eval")).toBe(true);
    expect(a.filter((p) => p.split === "eval").every((p) => byId.get(p.item_id)!.split === "eval")).toBe(true);
    // an allow-list restricts the types
    const only = buildPairs(items, kg, { pairsPerItem: 2, seed: 4, corruptions: ["wrong_option", "lower_case"] });
    expect(new Set(only.map((p) => p.corruption))).toEqual(new Set(["wrong_option", "lower_case"]));
  });
});
