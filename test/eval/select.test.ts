// Which items an evaluation scores. eval.control decides which runs score the unseen-gene control: every run, only
// runs without RL, or none (the pipeline resolves "sft_only" per run in stages.ts; `bbio eval` on a bare checkpoint
// scores it unless it is false). eval.capabilities picks the capabilities scored (the conflict control: its two slots).
import { describe, expect, it } from "vitest";
import { evalSchema, scoresControl } from "../../src/eval/config.ts";
import { selectItems } from "../../src/eval/evaluate.ts";
import { generate } from "../../src/mkgsg/generate.ts";
import { kg, SMALL } from "../mkgsg/helpers.ts";

const items = generate(kg, { world: { ...SMALL, genes: 24, control_genes: 4 } }, 5).items;
const splits = (control: boolean | "sft_only") =>
  new Set(selectItems(items, evalSchema.parse({ control, max_items_per_family: 5 })).map((it) => it.split));

describe("eval.control", () => {
  it("sft_only scores the control for a run without RL and skips it after RL", () => {
    expect(scoresControl("sft_only", false)).toBe(true);
    expect(scoresControl("sft_only", true)).toBe(false);
    expect(scoresControl(true, true)).toBe(true);
    expect(scoresControl(false, false)).toBe(false);
  });

  it("selects control items unless the control is off", () => {
    expect(splits(true)).toEqual(new Set(["eval", "control"]));
    expect(splits("sft_only")).toEqual(new Set(["eval", "control"]));
    expect(splits(false)).toEqual(new Set(["eval"]));
  });

  it("refuses other values", () => {
    expect(() => evalSchema.parse({ control: "grpo_only" })).toThrow();
  });
});

describe("eval.capabilities", () => {
  it("scores only the listed capabilities, all four by default", () => {
    const families = (cfg: object) => new Set(selectItems(items, evalSchema.parse(cfg)).map((it) => it.family));
    expect(families({})).toEqual(new Set(["knowledge", "reasoning", "instruction", "integration"]));
    expect(families({ capabilities: ["instruction", "integration"] })).toEqual(new Set(["instruction", "integration"]));
  });

  it("refuses an empty list, an unknown capability and repeats", () => {
    for (const capabilities of [[], ["writing"], ["knowledge", "knowledge"]]) expect(() => evalSchema.parse({ capabilities })).toThrow();
  });
});
