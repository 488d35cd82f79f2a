/**
 * One GRPO step over in-memory models, with no I/O and no node: imports: the session (models, optimizer, strategy and
 * each phase's context) and the step that calls the phases in order (sample.ts → rewards.ts → gradients.ts →
 * update.ts → log.ts). train.ts wraps it with checkpoint I/O and progress; the site's live page (docs/live.md) runs the
 * very same functions in a Web Worker (src/live/driver.ts, bundled by loaders/live-bundle.ts) — one implementation.
 */
import type { KG } from "../kg/types.ts";
import type { score } from "../mkgsg/score.ts";
import type { Capability, Item } from "../mkgsg/types.ts";
import { CAPABILITIES } from "../mkgsg/types.ts";
import type { OptimizerState } from "../model/checkpoint.ts";
import { type GPT, parameterBlock } from "../model/gpt.ts";
import type { Tokenizer } from "../model/tokenizer.ts";
import { AdamW, adamwHyper, SGD } from "../optim/index.ts";
import { BbioError } from "../util/errors.ts";
import type { Sink } from "../util/sink.ts";
import { usesPreferences } from "../weighting/registry.ts";
import { makeStrategy } from "../weighting/strategies.ts";
import type { WeightStrategy } from "../weighting/types.ts";
import { mean } from "../util/stats.ts";
import type { GrpoStageConfig } from "./config.ts";
import { frozenLogprobs } from "./gradients.ts";
import { capabilityMeans, type LogContext, logStep } from "./log.ts";
import { type RewardContext, type RewardScorer, scoreCompletions } from "./rewards.ts";
import { type SamplingContext, sampleCompletions } from "./sample.ts";
import { optimisationPasses, type UpdateContext } from "./update.ts";

export { CAPABILITIES };

/** Everything a step reads: the models, optimizer and strategy, and each phase's context. */
export interface Session {
  policy: GPT;
  reference: GPT | null;
  tokenizer: Tokenizer;
  optimizer: AdamW | SGD;
  strategy: WeightStrategy;
  /** the last step already taken (0, or the resumed checkpoint's step) */
  start: number;
  sampling: SamplingContext;
  rewards: RewardContext;
  update: UpdateContext;
  log: LogContext;
}

/** Each capability's train items; every capability must have some. */
function capabilityPools(items: readonly Item[]): Item[][] {
  return CAPABILITIES.map((capability) => {
    const pool = items.filter((item) => item.split === "train" && item.family === capability);
    if (pool.length === 0)
      throw new BbioError(
        `GRPO: no train items of capability "${capability}"`,
        2,
        "raise data.world.genes, or enable that capability's kinds (data.kinds)",
      );
    return pool;
  });
}

/** Each pool item's prompt token ids, checked to leave room for a completion in block_size. */
function encodePrompts(pools: readonly Item[][], tokenizer: Tokenizer, blockSize: number): (item: Item) => number[] {
  const encoded = new Map(pools.flat().map((item) => [item.id, tokenizer.encodePrompt(item.prompt)]));
  for (const [id, prompt] of encoded)
    if (prompt.length + 1 > blockSize)
      throw new BbioError(`GRPO: prompt of item ${id} (${prompt.length} tokens) leaves no room in block_size ${blockSize}`);
  return (item) => encoded.get(item.id)!;
}

/** What a session is built from: models already loaded (train.ts reads them from checkpoints, the worker from bytes). */
export interface SessionInputs {
  config: GrpoStageConfig;
  items: readonly Item[];
  kg: KG;
  scorer: typeof score;
  policy: GPT;
  /** the frozen KL reference; null when β = 0 */
  reference: GPT | null;
  tokenizer: Tokenizer;
  rewardModel: RewardScorer | null;
  alphas: Record<Capability, number>;
  sink: Sink;
  seed: number;
  /** the last step already taken (0, or a resumed checkpoint's step) */
  start?: number;
  optimizerState?: OptimizerState;
  strategyState?: unknown;
}

/** The optimizer, strategy and phase contexts around loaded models. */
export function buildSession(inputs: SessionInputs): Session {
  const { config, policy, reference, tokenizer, seed } = inputs;
  const grpo = config.grpo;
  const pools = capabilityPools(inputs.items);
  const optimizer =
    grpo.optim === "sgd" ? new SGD(policy.params, { weightDecay: grpo.weight_decay }) : new AdamW(policy.params, adamwHyper(grpo));
  if (inputs.optimizerState) optimizer.load(inputs.optimizerState);
  const strategy = makeStrategy(grpo.weight_strategy, {
    T: CAPABILITIES.length,
    rewardWeights: grpo.reward_weights ?? undefined,
    inner: grpo.dynamic_inner,
    every: grpo.dynamic_every,
  });
  if (inputs.strategyState !== undefined) strategy.load?.(inputs.strategyState);
  const alphas = CAPABILITIES.map((capability) => inputs.alphas[capability]);
  if (alphas.some((a) => a < 1) && !inputs.rewardModel) throw new BbioError("GRPO: a reward model is required unless every α_c = 1");
  const promptTokens = encodePrompts(pools, tokenizer, config.model.block_size);
  // preference weights reach the method only where it applies them (mgda defines its own)
  const appliesPreferences = usesPreferences(grpo.method);
  return {
    policy,
    reference,
    tokenizer,
    optimizer,
    strategy,
    start: inputs.start ?? 0,
    sampling: { policy, tokenizer, pools, promptTokens, config: grpo, blockSize: config.model.block_size, seed },
    rewards: { scorer: inputs.scorer, kg: inputs.kg, rewardModel: inputs.rewardModel, alphas, config: grpo },
    update: {
      policy,
      optimizer,
      strategy,
      appliesPreferences,
      capabilities: CAPABILITIES,
      blocks: [...policy.params.keys()].map(parameterBlock),
      config: grpo,
      seed,
    },
    log: {
      sink: inputs.sink,
      config: grpo,
      capabilities: CAPABILITIES,
      alphas,
      appliesPreferences,
      hasReference: reference !== null,
      hasRewardModel: inputs.rewardModel !== null,
    },
  };
}

/** One GRPO step: sample → rewards → per-capability gradients, combined and applied μ times → log. */
export async function grpoStep(session: Session, step: number): Promise<{ capabilityMeans: number[]; meanReward: number }> {
  const batch = await sampleCompletions(session.sampling, step);
  const scored = await scoreCompletions(batch, session.rewards);
  const frozen = await frozenLogprobs(session.policy, session.reference, batch, session.sampling.config);
  const update = await optimisationPasses(session.update, batch, scored, frozen, step);
  logStep(session.log, { step, batch, scored, update });
  return { capabilityMeans: capabilityMeans({ batch, scored }), meanReward: mean(scored.hybrid) };
}
