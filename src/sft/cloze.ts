/**
 * Cloze accuracy of a value-answered MCQ (gene world knowledge items): the option whose answer sentence — the item's
 * template filled with that option's value — has the highest log-likelihood after the prompt is the model's choice
 * (lm-evaluation-harness's multiple-choice `acc`). Used by the evaluation and by SFT's capacity probe.
 */
import type { Item } from "../mkgsg/types.ts";
import type { GPT } from "../model/gpt.ts";
import { bestCompletion } from "../model/sample.ts";
import type { Tokenizer } from "../model/tokenizer.ts";

/** the gold value and answer template of a value-answered MCQ, or undefined for any other item */
export function valueSpec(item: Item): { value: string; template?: string } | undefined {
  const args = item.checks.find((c) => c.name === "answer_value")?.args as { value?: unknown; template?: unknown } | undefined;
  if (!args || typeof args.value !== "string" || !item.options?.length) return undefined;
  return { value: args.value, ...(typeof args.template === "string" ? { template: args.template } : {}) };
}

/** 1 when the highest-likelihood option is the gold value, 0 when not, undefined for items without one */
export async function clozeCorrect(model: GPT, tok: Tokenizer, item: Item): Promise<number | undefined> {
  const spec = valueSpec(item);
  if (!spec) return undefined;
  const sentences = item.options!.map((o) => (spec.template ? spec.template.replace("{value}", o) : o));
  return item.options![await bestCompletion(model, tok, item.prompt, sentences)] === spec.value ? 1 : 0;
}
