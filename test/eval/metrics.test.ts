// The headline metrics must tell a good model from a guessing one: gold ≫ another item's gold ≫ junk, per family, on the
// gene world's items. IFEval semantics: instruction strict judges only the instructions, content is its own metric.
import { describe, expect, it } from "vitest";
import { metricValues, primary, type ItemResult } from "../../src/eval/evaluate.ts";
import { generate } from "../../src/mkgsg/generate.ts";
import { score } from "../../src/mkgsg/score.ts";
import type { Family, Item } from "../../src/mkgsg/types.ts";
import { rngFor, shuffled } from "../../src/util/rng.ts";
import { kg } from "../mkgsg/helpers.ts";

const items = generate(kg, { world: { genes: 24 } }, 5).items.filter((it) => it.split === "eval");

function result(it: Item, answer: string): ItemResult {
  const s = score(it, answer, kg),
    l = score(it, answer, kg, { loose: true });
  return {
    id: it.id,
    family: it.family,
    kind: it.kind,
    split: it.split,
    answer,
    score: s.score,
    loose: l.score,
    checks: s.checks,
    loose_checks: l.checks,
  };
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** each item answered with another item's gold of the same kind (a seeded cycle: never its own) */
function shuffledAnswers(fam: Item[]): string[] {
  const byKind = new Map<string, Item[]>();
  for (const it of fam) byKind.set(it.kind, [...(byKind.get(it.kind) ?? []), it]);
  const other = new Map<string, string>();
  for (const [k, group] of byKind) {
    const order = shuffled(rngFor(1, k), group);
    order.forEach((it, i) => other.set(it.id, order[(i + 1) % order.length].gold));
  }
  return fam.map((it) => other.get(it.id)!);
}

describe("headline metrics separate gold, another item's answer and junk", () => {
  for (const family of ["knowledge", "reasoning", "instruction", "integration"] as Family[]) {
    it(family, () => {
      const fam = items.filter((it) => it.family === family);
      expect(fam.length).toBeGreaterThanOrEqual(12);
      const gold = mean(fam.map((it) => primary(result(it, it.gold))));
      const other = mean(shuffledAnswers(fam).map((a, i) => primary(result(fam[i], a))));
      const junk = mean(fam.map((it) => primary(result(it, "zzz"))));
      expect(gold).toBe(1);
      expect(junk).toBe(0);
      // instruction following judges the instructions: another gene's well-formed answer obeys them too (that is
      // IFEval), so there the separation shows in `content`, below
      if (family === "instruction") expect(other).toBe(1);
      else expect(other, `${family}: another item's gold`).toBeLessThan(0.3);
    });
  }

  it("reasoning: another item's answer scores below 0.3, the item's own gold 1.0 (content decides, not layout)", () => {
    const fam = items.filter((it) => it.family === "reasoning");
    const other = shuffledAnswers(fam).map((a, i) => score(fam[i], a, kg).score);
    expect(mean(other)).toBeLessThan(0.3);
    for (const it of fam) expect(score(it, it.gold, kg).score).toBe(1);
  });

  it("instruction: content is its own metric, never folded into strict", () => {
    const fam = items.filter((it) => it.family === "instruction");
    const other = shuffledAnswers(fam).map((a, i) => metricValues(result(fam[i], a)));
    expect(mean(other.map((m) => m.prompt_strict))).toBe(1);
    expect(mean(other.map((m) => m.content))).toBeLessThan(0.2);
    expect(mean(fam.map((it) => metricValues(result(it, it.gold)).content))).toBe(1);
  });
});

describe("IFEval checks against hand-written answers", () => {
  const one = (kind: string) => items.find((it) => it.kind === kind)!;
  const cases: [string, (it: Item) => string, { strict: number; content: number }][] = [
    // format-perfect, content-wrong: instruction strict 1, content 0
    ["world_json_location", () => '{"chromosome":"99","band":"99q1"}', { strict: 1, content: 0 }],
    ["world_caps_band", () => "NOTAGENE BAND 99Q1", { strict: 1, content: 0 }],
    ["world_two_sentences", () => "It takes part in nothing. It is found nowhere.", { strict: 1, content: 0 }],
    [
      "world_table_terms",
      () => "| Namespace | Term |\n| --- | --- |\n| BP | GO:0000001 |\n| MF | GO:0000002 |\n| CC | GO:0000003 |",
      { strict: 1, content: 0 },
    ],
    ["world_alias_done", () => "NOTANALIAS DONE", { strict: 1, content: 0 }],
    // content right, an instruction broken: strict 0, content 1
    [
      "world_json_location",
      (it) => JSON.stringify({ band: JSON.parse(it.gold).band, chromosome: JSON.parse(it.gold).chromosome, extra: 1 }),
      { strict: 0, content: 1 },
    ],
    ["world_caps_band", (it) => it.gold.toLowerCase(), { strict: 0, content: 1 }],
    ["world_caps_band", (it) => `${it.gold} ${"WORD ".repeat(8).trim()}`, { strict: 0, content: 1 }],
    ["world_two_sentences", (it) => it.gold.replace(". It is", "; it is"), { strict: 0, content: 0 }],
    ["world_table_terms", (it) => it.gold.replace("| Namespace | Term |", "| NS | GO |"), { strict: 0, content: 1 }],
    ["world_alias_done", (it) => `Alias, ${it.gold}`, { strict: 0, content: 1 }],
    ["world_alias_done", (it) => it.gold.replace(" DONE", ""), { strict: 0, content: 1 }],
  ];
  for (const [kind, answer, want] of cases) {
    it(`${kind}: ${JSON.stringify(want)}`, () => {
      const it = one(kind);
      const m = metricValues(result(it, answer(it)));
      expect({ strict: m.prompt_strict, content: m.content }).toEqual(want);
    });
  }
});
