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
    // these attack checks that no item kind carries (yes_no, count_equals, json_array, mentions_relation, sorted_list):
    // they apply to items files that have them, never to generated items
    const unused = new Set(["wrong_yes_no", "wrong_count", "wrong_relation", "unsort_list"]);
    for (const k of CORRUPTIONS) expect((produced.get(k) ?? 0) > 0, `corruption ${k}`).toBe(!unused.has(k));
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
    const mcq = items.find((i) => i.kind === "world_chromosome")!;
    const wrong = corrupt(mcq, "wrong_option", rngFor(0, "x"), kg)!;
    const others = mcq.options!.filter((o) => !mcq.gold.includes(o));
    expect(others.some((o) => wrong.includes(o))).toBe(true);
    expect(wrong).not.toBe(mcq.gold);
    const caps = items.find((i) => i.kind === "world_caps_band")!;
    expect(corrupt(caps, "lower_case", rngFor(0, "x"), kg)).not.toBe(caps.gold.toUpperCase());
    const json = items.find((i) => i.kind === "world_json_location")!;
    expect(() => JSON.parse(corrupt(json, "break_json", rngFor(0, "x"), kg)!)).toThrow();
    const done = items.find((i) => i.kind === "world_alias_done")!;
    expect(corrupt(done, "drop_end_word", rngFor(0, "x"), kg)).not.toMatch(/DONE\W*$/);
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
