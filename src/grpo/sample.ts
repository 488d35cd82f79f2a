/**
 * Phase 1 of a GRPO step (TRL's generate half of _generate_and_score_completions): the step's prompts, and G
 * completions per prompt from the current policy.
 *
 *   prompts   P per capability, in capability order, from each pool's seeded per-epoch order (promptsFor)
 *   groups    one group of G completions per distinct (prompt text, occurrence within its capability): capabilities
 *             that share a prompt score the SAME completions, as TRL scores each completion with every reward function
 *             (the conflict control needs this — independent samples would bury the shared direction under sampling
 *             noise); distinct prompts, the normal case, each get their own group
 *   batch     one row per completion, G consecutive rows per prompt, prompts in capability order
 */
import type { Item } from "../mkgsg/types.ts";
import type { GPT } from "../model/gpt.ts";
import { generate } from "../model/sample.ts";
import { EOS, type Tokenizer } from "../model/tokenizer.ts";
import { pureHashOf } from "../util/sha256.ts";
import { fnv1a, rngFor, shuffled } from "../util/rng.ts";
import type { GrpoConfig } from "./config.ts";

/** One sampled completion of one prompt. */
export interface Completion {
  item: Item;
  /** index into CAPABILITIES: the capability whose prompt this is */
  capability: number;
  /** the prompt's token ids, as fed to the model */
  prompt: number[];
  /** sampled token ids, EOS included when the model stopped; cut to fit block_size + 1 with the prompt */
  completion: number[];
  text: string;
  /** Σ log-prob of the sampled tokens at the sampling temperature (the entropy estimate) */
  sampleLogp: number;
}

export interface SampledBatch {
  /** G consecutive rows per prompt; prompts in capability order */
  completions: Completion[];
  /** row indices per capability */
  byCapability: number[][];
}

export interface SamplingContext {
  policy: GPT;
  tokenizer: Tokenizer;
  /** each capability's train items */
  pools: readonly (readonly Item[])[];
  /** an item's prompt token ids (encoded once per run) */
  promptTokens(item: Item): number[];
  config: GrpoConfig;
  blockSize: number;
  seed: number;
}

/**
 * The P prompts of one capability at one step: its pool in a seeded order per epoch. The order is keyed by the pool's
 * prompt texts, not the capability's name, so capabilities that share their prompts (the conflict control: the same
 * question answered in opposite case) see the same prompts at every step — their gradients then differ only in what
 * the rewards ask for, which is the interference the control is there to show.
 */
export function promptsFor(pool: readonly Item[], P: number, seed: number, step: number): Item[] {
  const key = pureHashOf(
    pool.map((item) => item.prompt),
    12,
  );
  const out: Item[] = [];
  for (let k = 0; k < P; k++) {
    const position = (step - 1) * P + k;
    const epoch = Math.floor(position / pool.length);
    out.push(shuffled(rngFor(seed, `grpo:prompts:${key}:${epoch}`), pool)[position % pool.length]);
  }
  return out;
}

export interface StepPrompt {
  item: Item;
  capability: number;
}

/**
 * Which completion group each prompt samples from: prompts with the same text at the same occurrence within their
 * capability (its 1st, 2nd, … draw of that text this step) share a group. Groups are numbered in order of first use.
 */
export function completionGroups(prompts: readonly StepPrompt[]): { groupOf: number[]; groupItems: Item[] } {
  const seenInCapability = new Map<number, Map<string, number>>(); // capability → prompt text → draws so far
  const groupByOccurrence = new Map<string, number[]>(); // prompt text → group index per occurrence
  const groupOf: number[] = [];
  const groupItems: Item[] = [];
  for (const { item, capability } of prompts) {
    const seen = seenInCapability.get(capability) ?? new Map<string, number>();
    seenInCapability.set(capability, seen);
    const occurrence = seen.get(item.prompt) ?? 0;
    seen.set(item.prompt, occurrence + 1);
    const groups = groupByOccurrence.get(item.prompt) ?? [];
    groupByOccurrence.set(item.prompt, groups);
    if (groups[occurrence] === undefined) {
      groups[occurrence] = groupItems.length;
      groupItems.push(item);
    }
    groupOf.push(groups[occurrence]);
  }
  return { groupOf, groupItems };
}

/** The step's prompts and their completions (one generate call over every distinct group). */
export async function sampleCompletions(ctx: SamplingContext, step: number): Promise<SampledBatch> {
  const { config, policy, tokenizer } = ctx;
  const G = config.num_generations;
  const prompts: StepPrompt[] = ctx.pools.flatMap((pool, capability) =>
    promptsFor(pool, config.prompts_per_capability, ctx.seed, step).map((item) => ({ item, capability })),
  );
  const { groupOf, groupItems } = completionGroups(prompts);
  const generation = await generate(
    policy,
    groupItems.flatMap((item) => Array.from({ length: G }, () => ctx.promptTokens(item))),
    {
      maxNewTokens: config.max_completion_length,
      temperature: config.temperature,
      topK: config.top_k,
      topP: config.top_p,
      seed: fnv1a(`${ctx.seed}:grpo:sample:${step}`),
      stop: [EOS],
    },
  );
  const room = ctx.blockSize + 1; // sequenceLogprobs scores up to block_size + 1 tokens
  const completions: Completion[] = prompts.flatMap(({ item, capability }, position) =>
    Array.from({ length: G }, (_, k) => {
      const row = groupOf[position] * G + k;
      const prompt = ctx.promptTokens(item);
      const sampled = generation.tokens[row].length ? generation.tokens[row] : [EOS];
      const completion = sampled.slice(0, room - prompt.length);
      return {
        item,
        capability,
        prompt,
        completion,
        text: tokenizer.decode(completion.filter((token) => token !== EOS)),
        sampleLogp: generation.logprobs[row].reduce((a, b) => a + b, 0),
      };
    }),
  );
  const byCapability = ctx.pools.map((_, capability) =>
    completions.flatMap((row, index) => (row.capability === capability ? [index] : [])),
  );
  return { completions, byCapability };
}
