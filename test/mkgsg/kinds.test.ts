// Every item kind: the generated items validate, the gold scores exactly 1.0, and a mutated answer (one wrong fact,
// broken hop or violated constraint, per kind) scores strictly lower; an empty answer scores 0.
import { describe, expect, it } from "vitest";
import { ALL_KINDS, CONFLICT_KINDS, WORLD_KINDS, type Kind } from "../../src/mkgsg/config.ts";
import { score } from "../../src/mkgsg/score.ts";
import { parseJsonStrict } from "../../src/mkgsg/text.ts";
import type { Item } from "../../src/mkgsg/types.ts";
import { validate } from "../../src/mkgsg/validate.ts";
import { itemsOf, kg } from "./helpers.ts";

const json = (it: Item) => JSON.parse(it.gold) as Record<string, unknown>;
/** another option's value stated in the item's answer sentence */
const otherOption = (it: Item) => {
  const { value, template } = it.checks[0].args as { value: string; template: string };
  return template.replace("{value}", it.options!.find((o) => o !== value)!);
};
const cutChain = (it: Item) => it.gold.replace(/^Chain: (GO:\d{7}).*$/m, "Chain: $1");
const reverseChain = (it: Item) => JSON.stringify({ ...json(it), chain: [...(json(it).chain as string[])].reverse() });

/** one deliberate error per kind; each must lower the score of EVERY sampled item of that kind */
const MUTATE: Record<Kind, (it: Item) => string> = {
  // another option's text; the chain cut at its start; a wrong hop; a broken format
  world_chromosome: otherOption,
  world_band: otherOption,
  world_alias: otherOption,
  world_process: otherOption,
  world_function: otherOption,
  world_location: otherOption,
  world_chain_process: cutChain,
  world_chain_function: cutChain,
  world_chain_location: cutChain,
  world_alias_chromosome: (it) => it.gold.replace(/^Answer: \S+/m, "Answer: NOTAGENE"),
  world_json_location: (it) => JSON.stringify({ ...json(it), chromosome: "99" }),
  world_caps_band: (it) => it.gold.toLowerCase(),
  world_two_sentences: (it) => it.gold.replace(". It is", "; it is"),
  world_table_terms: (it) => it.gold.split("\n").slice(0, -1).join("\n"),
  world_alias_done: (it) => it.gold.replace(/ DONE$/, ""),
  world_int_chain_process: reverseChain,
  world_int_chain_function: reverseChain,
  world_int_chain_location: reverseChain,
  world_int_report: (it) => it.gold.replace(/^Gene: \S+/m, "Gene: NOTAGENE"),
  world_case_upper: (it) => it.gold.toLowerCase(),
  world_case_lower: (it) => it.gold.toUpperCase(),
};

describe("every item kind", () => {
  it("is covered by this test", () => {
    expect(Object.keys(MUTATE).sort()).toEqual([...ALL_KINDS].sort());
  });

  for (const [family, kinds] of [...Object.entries(WORLD_KINDS), ...Object.entries(CONFLICT_KINDS)]) {
    describe(family, () => {
      for (const kind of kinds) {
        it(`${kind}: valid, gold scores 1.0, a mutated answer scores lower, no answer scores 0`, () => {
          const items = itemsOf(kind);
          expect(items.length).toBe(6);
          for (const item of items) {
            expect(item).toMatchObject({ family, kind });
            expect(validate(item, kg), item.id).toEqual({ ok: true });
            const gold = score(item, item.gold, kg);
            expect(gold.score, `${item.id}: ${JSON.stringify(gold.checks)}`).toBe(1);
            expect(gold.checks.every((c) => c.pass)).toBe(true);

            const wrong = MUTATE[kind](item);
            expect(wrong, `${item.id}: the mutation must change the answer`).not.toBe(item.gold);
            const s = score(item, wrong, kg);
            expect(s.score, `${item.id}: ${JSON.stringify(wrong)}`).toBeLessThan(1);
            expect(s.checks.some((c) => !c.pass)).toBe(true);

            expect(score(item, "", kg).score).toBe(0);
            expect(score(item, "   \n", kg).score).toBe(0);
          }
        });
      }
    });
  }

  it("integration items give partial credit per component", () => {
    const item = itemsOf("world_int_chain_process", 1)[0];
    const o = JSON.parse(item.gold);
    const wrongChromosome = JSON.stringify({ ...o, chromosome: "99" });
    const s = score(item, wrongChromosome, kg);
    expect(s.components.format).toBe(1);
    expect(s.components.reasoning).toBe(1);
    expect(s.components.knowledge).toBe(0.5);
    expect(s.score).toBeGreaterThan(0.5);
    expect(s.score).toBeLessThan(1);
  });

  it("a check with malformed args fails with a reason instead of throwing", () => {
    const item = structuredClone(itemsOf("world_json_location", 1)[0]);
    item.checks[0].args = {}; // json_object without its keys
    const s = score(item, item.gold, kg);
    expect(s.score).toBeLessThan(1);
    expect(s.checks[0]).toMatchObject({ pass: false, detail: expect.stringMatching(/could not run/) });
  });

  it("parseJsonStrict: the no-exception fast path for prose agrees with JSON.parse", () => {
    const texts = [
      '["GO:0005515"]',
      ' {"a":1} ',
      "-1",
      "3.5",
      '"x"',
      "true",
      "false",
      "null",
      "\n[]\n",
      "Answer: Yes",
      "A",
      "",
      "  ",
      "no",
      "None",
      "{oops",
      "[1,",
      "tru",
      "Evidence: IDA\nAnswer: B",
      "| a | b |",
    ];
    for (const t of texts) {
      let ok: boolean;
      try {
        JSON.parse(t.trim());
        ok = true;
      } catch {
        ok = false;
      }
      expect(parseJsonStrict(t).ok, JSON.stringify(t)).toBe(ok);
    }
  });
});

describe("prohibitions earn no credit alone", () => {
  it("a junk answer scores 0 on every kind; a wrong but attempted answer keeps its partial credit", () => {
    // (world_case_lower's one instruction is "lower case", which "x" obeys: IFEval would pass it too)
    for (const kind of ALL_KINDS.filter((k) => k !== "world_case_lower")) {
      for (const it of itemsOf(kind).slice(0, 3)) {
        expect(score(it, "x", kg).score, `${kind} ${it.id}`).toBe(0);
        expect(score(it, "ok.", kg).score, `${kind} ${it.id}`).toBe(0);
      }
    }
    // e.g. a wrong chromosome keeps the credit of the valid chain beside it, but not the workflow credit: workflow
    // rules describe how a RIGHT conclusion is stated (score.ts)
    const chain = itemsOf("world_int_chain_process")[0];
    const wrong = score(chain, JSON.stringify({ ...JSON.parse(chain.gold), chromosome: "99" }), kg);
    expect(wrong.score).toBeGreaterThan(0);
    expect(wrong.score).toBeLessThan(1);
    expect(wrong.checks.find((c) => c.name === "chain_valid")?.pass).toBe(true);
    expect(wrong.checks.find((c) => c.name === "workflow_in_scope")).toMatchObject({
      pass: false,
      detail: expect.stringMatching(/content is wrong/),
    });
  });
});
