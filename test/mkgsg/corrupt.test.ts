/**
 * Corruptions (src/mkgsg/corrupt/) over real MKGSG items of every kind: every corrupted answer scores strictly lower
 * than the gold, every type is exercised, each component of an integration item can be attacked, deterministic.
 * (Moved from test/rewards: tests sit beside the stage they test; the preference pairs built from these stay in
 * test/rewards/pairs.test.ts.)
 */
import { describe, it, expect, beforeAll } from "vitest";
import { itemsOfEveryKind, kg } from "./helpers.ts";
import { score, corrupt, applicableCorruptions, CORRUPTIONS, ALL_KINDS, type Item } from "../../src/mkgsg/index.ts";
import { corruptionComponents } from "../../src/mkgsg/corrupt.ts";
import { rngFor } from "../../src/util/rng.ts";

let items: Item[];

beforeAll(() => {
  items = itemsOfEveryKind(kg);
});

describe("corrupt", () => {
  it("generates items of every kind", () => {
    expect(new Set(items.map((i) => i.kind))).toEqual(new Set(ALL_KINDS));
  });

  it("every corrupted answer scores strictly lower than the gold, for every kind and every type", () => {
    const produced = new Map<string, number>();
    const perKind = new Map<string, number>();
    for (const it of items) {
      const gold = score(it, it.gold, kg).score;
      let any = 0;
      for (const k of applicableCorruptions(it)) {
        const bad = corrupt(it, k, rngFor(1, `${it.id}:${k}`), kg);
        if (bad === null) continue;
        any++;
        produced.set(k, (produced.get(k) ?? 0) + 1);
        expect(bad, `${k} on ${it.id}`).not.toBe(it.gold);
        expect(score(it, bad, kg).score, `${k} on ${it.id}: ${JSON.stringify(bad)}`).toBeLessThan(gold);
      }
      expect(any, `no corruption for ${it.id}`).toBeGreaterThan(0);
      perKind.set(it.kind, (perKind.get(it.kind) ?? 0) + any);
    }
    for (const k of CORRUPTIONS) expect(produced.get(k) ?? 0, `corruption ${k} never produced`).toBeGreaterThan(0);
    for (const k of ALL_KINDS) expect(perKind.get(k) ?? 0, `kind ${k}`).toBeGreaterThan(0);
  });

  it("integration items get corruptions of each component (knowledge, reasoning, format, workflow)", () => {
    // (the conflict control's "integration" slot is a one-fact case instruction: no chain, no workflow)
    for (const it of items.filter((i) => i.family === "integration" && i.kind !== "world_case_lower")) {
      const comps = new Set<string>();
      for (const k of applicableCorruptions(it))
        if (corrupt(it, k, rngFor(2, it.id + k), kg) !== null) for (const c of corruptionComponents(it, k)) comps.add(c);
      expect([...comps].sort(), it.id).toEqual(["format", "knowledge", "reasoning", "workflow"]);
    }
  });

  it("named types do what they say on the canonical examples", () => {
    const mcq = items.find((i) => i.kind === "mcq_chromosome")!;
    const wrong = corrupt(mcq, "wrong_option", rngFor(0, "x"), kg)!;
    expect(wrong).toMatch(/^[ABCD]$/);
    expect(wrong).not.toBe(mcq.gold);
    const caps = items.find((i) => i.kind === "all_caps_band")!;
    expect(corrupt(caps, "lower_case", rngFor(0, "x"), kg)).not.toBe(caps.gold.toUpperCase());
    const json = items.find((i) => i.kind === "json_object_gene")!;
    expect(() => JSON.parse(corrupt(json, "break_json", rngFor(0, "x"), kg)!)).toThrow();
    const sorted = items.find((i) => i.kind === "sorted_list_band")!;
    expect(corrupt(sorted, "drop_end_word", rngFor(0, "x"), kg)).not.toMatch(/DONE\W*$/);
    const yes = items.find((i) => i.kind === "subsumption_yes")!;
    expect(corrupt(yes, "wrong_yes_no", rngFor(0, "x"), kg)).toMatch(/Answer: No/);
    // not applicable → null; unknown → clear error
    expect(corrupt(mcq, "lower_case", rngFor(0, "x"), kg)).toBeNull();
    expect(() => corrupt(mcq, "nope" as never, rngFor(0, "x"), kg)).toThrow(/unknown corruption/);
  });

  it("is deterministic given the rng seed", () => {
    for (const it of items.slice(0, 40))
      for (const k of applicableCorruptions(it))
        expect(corrupt(it, k, rngFor(9, it.id + k), kg)).toBe(corrupt(it, k, rngFor(9, it.id + k), kg));
  });
});
