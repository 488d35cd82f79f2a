/**
 * Knowledge scoring of a value-answered MCQ (gene world knowledge items, whose answer is a fixed prefix then the value:
 * "The chromosome is 16."), as lm-evaluation-harness scores a `multiple_choice` task:
 *
 *   context       the prompt, then the answer prefix ("… Answer in words." [SEP] "The chromosome is")
 *   continuation  " " + the option's value — no EOS, no final period appended (lm-eval's target_delimiter + choice)
 *   acc           1 when the option with the highest summed log-likelihood is the gold
 *   acc_norm      the same, each sum divided by the option's length in characters (lm-eval: `len(choice)`, Python
 *                 characters; our values are ASCII, so characters = bytes)
 *   acc_generate  1 when the greedy continuation after the same context, up to EOS and without its final period, is
 *                 exactly the gold value (what a user of the model sees)
 *
 * Used by the evaluation and by SFT's capacity probe.
 */
import type { Item } from "../mkgsg/types.ts";
import type { GPT } from "../model/gpt.ts";
import { generate, sequenceLogprobSums } from "../model/sample.ts";
import { EOS, type Tokenizer } from "../model/tokenizer.ts";

export interface ValueSpec {
  value: string;
  template?: string;
  /** the answer's fixed text before the value ("The chromosome is"); "" when the template starts with the value */
  prefix: string;
}

/** the gold value, answer template and prefix of a value-answered MCQ, or undefined for any other item */
export function valueSpec(item: Item): ValueSpec | undefined {
  const args = item.checks.find((c) => c.name === "answer_value")?.args as { value?: unknown; template?: unknown } | undefined;
  if (!args || typeof args.value !== "string" || !item.options?.length) return undefined;
  const template = typeof args.template === "string" ? args.template : undefined;
  const at = template ? template.indexOf("{value}") : -1;
  const prefix = template && at > 0 ? template.slice(0, at).trimEnd() : "";
  return { value: args.value, ...(template ? { template } : {}), prefix };
}

/** the token context of a value item's continuation: [BOS] prompt [SEP] prefix */
const contextOf = (tok: Tokenizer, item: Item, spec: ValueSpec) => [...tok.encodePrompt(item.prompt), ...tok.encode(spec.prefix)];
/** the continuation text of one option: lm-eval's target_delimiter " " + the choice (no delimiter without a prefix) */
const continuation = (spec: ValueSpec, option: string) => (spec.prefix ? ` ${option}` : option);

export interface ClozeResult {
  acc: number;
  acc_norm: number;
  /** per option: summed log-likelihood of its continuation */
  loglik: number[];
}

/** argmax with the first index winning ties (numpy's argmax) */
const argmax = (xs: readonly number[]) => xs.reduce((b, x, i) => (x > xs[b] ? i : b), 0);

/** lm-eval's acc and acc_norm of one value item from the options' summed log-likelihoods (pure: tests use it) */
export function clozeFromLogliks(options: readonly string[], gold: string, loglik: readonly number[]): { acc: number; acc_norm: number } {
  const gi = options.indexOf(gold);
  const norm = loglik.map((l, i) => l / [...options[i]].length);
  return { acc: argmax(loglik) === gi ? 1 : 0, acc_norm: argmax(norm) === gi ? 1 : 0 };
}

/**
 * cloze scores of value items (undefined for items without a value): every item's options scored together,
 * batchSize rows per forward (sequenceLogprobSums)
 */
export async function clozeScoresMany(
  model: GPT,
  tok: Tokenizer,
  items: readonly Item[],
  batchSize = 64,
): Promise<(ClozeResult | undefined)[]> {
  const prompts: number[][] = [],
    completions: number[][] = [];
  const specs = items.map((item) => {
    const spec = valueSpec(item);
    if (!spec) return undefined;
    const ctx = contextOf(tok, item, spec);
    for (const o of item.options!) prompts.push(ctx), completions.push(tok.encode(continuation(spec, o)));
    return spec;
  });
  const sums = await sequenceLogprobSums(model, { prompts, completions }, batchSize);
  let at = 0;
  return items.map((item, i) => {
    const spec = specs[i];
    if (!spec) return undefined;
    const options = item.options!;
    const loglik = sums.slice(at, (at += options.length));
    return { ...clozeFromLogliks(options, spec.value, loglik), loglik };
  });
}

/** cloze scores of a value item, or undefined for items without one */
export async function clozeScores(model: GPT, tok: Tokenizer, item: Item): Promise<ClozeResult | undefined> {
  return (await clozeScoresMany(model, tok, [item]))[0];
}

/** 1 when the highest-likelihood option is the gold value (lm-eval `acc`), 0 when not, undefined for other items */
export async function clozeCorrect(model: GPT, tok: Tokenizer, item: Item): Promise<number | undefined> {
  return (await clozeScores(model, tok, item))?.acc;
}

/** the value a greedy answer states after the prefix: its text up to the end, trimmed, without one final period */
export function generatedValue(text: string): string {
  return text.trim().replace(/\.$/, "").trim();
}

/**
 * acc_generate for value items, batched: the greedy continuation after [BOS] prompt [SEP] prefix, stopped at EOS,
 * is exactly the gold value (generatedValue). Returns per item 1 / 0 and the generated value; undefined entries for
 * items without a value.
 */
export async function generatedValues(
  model: GPT,
  tok: Tokenizer,
  items: readonly Item[],
  opts: { maxNewTokens?: number; batchSize?: number } = {},
): Promise<({ correct: number; value: string } | undefined)[]> {
  const out: ({ correct: number; value: string } | undefined)[] = items.map(() => undefined);
  const todo = items.map((it, i) => ({ i, it, spec: valueSpec(it) })).filter((x) => x.spec);
  const bs = opts.batchSize ?? 64;
  for (let k = 0; k < todo.length; k += bs) {
    const chunk = todo.slice(k, k + bs);
    const maxNew = opts.maxNewTokens ?? Math.max(...chunk.map((x) => tok.encode(` ${x.spec!.value}.`).length)) + 4;
    const g = await generate(
      model,
      chunk.map((x) => contextOf(tok, x.it, x.spec!)),
      { maxNewTokens: maxNew, temperature: 0, stop: [EOS] },
    );
    g.tokens.forEach((t, j) => {
      const value = generatedValue(tok.decode(t.filter((x) => x !== EOS)));
      out[chunk[j].i] = { correct: value === chunk[j].spec!.value ? 1 : 0, value };
    });
  }
  return out;
}
