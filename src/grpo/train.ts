/**
 * Capability-Aware GRPO (TRL GRPOTrainer semantics; docs/method.md §5–6). One step, one phase a file:
 *
 *   1. sample.ts     P train prompts per capability (knowledge, reasoning, instruction, integration) in a seeded epoch
 *                    order, G completions per prompt from the current policy (KV cache, temperature/top-k/top-p)
 *   2. rewards.ts    hybrid reward per completion, r_c = α_c·rule + (1−α_c)·RM with c the prompt's capability
 *                    (rule = the MKGSG scorer, RM = the Bradley–Terry reward model of src/rewards; α_c from
 *                    src/rewards/alpha.ts), then group-relative advantages (advantages.ts)
 *   3. gradients.ts  one GRPO loss per capability over that capability's completions (loss.ts) → one gradient per
 *                    capability over ALL shared parameters
 *   4. update.ts     for each of μ = num_iterations passes: gradients → Gram matrix → weight strategy (first pass) →
 *                    combination method (src/weighting: sum, pcgrad, mgda, cagrpo, …) → global-norm clip → AdamW
 *   5. log.ts        TRL-named metrics, the Gram, the weights actually used, sampled completions
 *
 * Why capability weights act on gradients, not on rewards: every prompt belongs to one capability, so inside a group
 * only that capability's reward varies, and with scale_rewards="group" a reward weight cancels in (R − mean)/std.
 * Weighting the per-capability policy gradients, d = Σ_c w_c g_c, is what a reward weight means here — and it is
 * where the paper's "optimal weights" must act. The two coincide only with scale_rewards="none" AND β = 0: a reward
 * weight scales the advantage (the policy term) alone, while a gradient weight also scales that capability's KL
 * penalty, w_c·β·KL_c, so with β > 0 the gradient weights change how hard each capability is held to the reference.
 *
 * Checkpoints (policy + optimizer + step + strategy state) every save_every steps and at the last step in
 * <outDir>/checkpoint; resume continues from it.
 */
import { join } from "node:path";
import type { KG } from "../kg/types.ts";
import type { score } from "../mkgsg/index.ts";
import type { Family, Item } from "../mkgsg/types.ts";
import { FAMILIES } from "../mkgsg/types.ts";
import { backendPreference, initBackend } from "../model/backend.ts";
import { isCheckpoint, loadCheckpoint, saveCheckpoint } from "../model/checkpoint.ts";
import { type GPT, parameterBlock } from "../model/gpt.ts";
import type { Tokenizer } from "../model/tokenizer.ts";
import { AdamW, adamwHyper, SGD } from "../optim/index.ts";
import { BbioError } from "../util/errors.ts";
import { progress } from "../util/progress.ts";
import type { Sink } from "../util/sink.ts";
import { getMethod, usesPreferences } from "../weighting/registry.ts";
import { makeStrategy } from "../weighting/strategies.ts";
import type { WeightStrategy } from "../weighting/types.ts";
import { mean } from "../util/stats.ts";
import type { GrpoStageConfig } from "./config.ts";
import { frozenLogprobs } from "./gradients.ts";
import { capabilityMeans, type LogContext, logStep } from "./log.ts";
import { type RewardContext, type RewardScorer, scoreCompletions } from "./rewards.ts";
import { type SamplingContext, sampleCompletions } from "./sample.ts";
import { optimisationPasses, type UpdateContext } from "./update.ts";

export type { RewardScorer };

export const CAPABILITIES: readonly Family[] = FAMILIES;

export interface GrpoOptions {
  /** a parsed config (grpoSchema refuses incoherent GRPO settings) */
  config: GrpoStageConfig;
  items: readonly Item[];
  kg: KG;
  scorer: typeof score;
  /** SFT checkpoint: the initial policy and the frozen KL reference */
  sftCheckpointDir: string;
  /** null only when every α_c = 1 (rule-only ablation) */
  rewardModel: RewardScorer | null;
  /** α_c per capability (src/rewards/alpha.ts resolveAlphas) */
  alphas: Record<Family, number>;
  outDir: string;
  sink: Sink;
  seed?: number;
  resume?: boolean;
  progress?: boolean;
  /** stop after this many steps in this call (tests simulate an interrupted run) */
  stopAfter?: number;
}

export interface GrpoResult {
  checkpointDir: string;
  steps: number;
  backend: string;
  /** mean hybrid reward per capability over the first and the last step */
  rewardFirst: Record<string, number>;
  rewardLast: Record<string, number>;
  seconds: number;
}

/** Everything a step reads: the models, optimizer and strategy, and each phase's context. */
interface Session {
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
      throw new BbioError(`GRPO: no train items of capability "${capability}"`, 2, "raise data.per_family or enable that family's kinds");
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

/** The policy (from the SFT checkpoint, or resumed), the frozen reference, optimizer, strategy and phase contexts. */
async function openSession(options: GrpoOptions, seed: number, checkpointDir: string): Promise<Session> {
  const { config, sink } = options;
  const grpo = config.grpo;
  const pools = capabilityPools(options.items);
  const resume = !!options.resume && isCheckpoint(checkpointDir);
  const checkpoint = await loadCheckpoint(resume ? checkpointDir : options.sftCheckpointDir, { expect: config.model, seed });
  const policy = checkpoint.model;
  const tokenizer = checkpoint.tokenizer;
  const reference = grpo.beta > 0 ? (await loadCheckpoint(options.sftCheckpointDir, { expect: config.model, seed })).model : null;
  const optimizer =
    grpo.optim === "sgd" ? new SGD(policy.params, { weightDecay: grpo.weight_decay }) : new AdamW(policy.params, adamwHyper(grpo));
  let start = 0;
  let strategyState: unknown;
  if (resume) {
    if (checkpoint.optimizer) optimizer.load(checkpoint.optimizer);
    start = checkpoint.state?.step ?? 0;
    strategyState = (checkpoint.state as { strategy?: unknown } | undefined)?.strategy;
    sink.resumeFrom(start);
    process.stderr.write(`[grpo] resuming from ${checkpointDir} at step ${start}\n`);
  }
  const strategy = makeStrategy(grpo.weight_strategy, {
    T: CAPABILITIES.length,
    rewardWeights: grpo.reward_weights ?? undefined,
    inner: grpo.dynamic_inner,
    every: grpo.dynamic_every,
  });
  if (strategyState !== undefined) strategy.load?.(strategyState);
  const alphas = CAPABILITIES.map((capability) => options.alphas[capability]);
  if (alphas.some((a) => a < 1) && !options.rewardModel) throw new BbioError("GRPO: a reward model is required unless every α_c = 1");
  const promptTokens = encodePrompts(pools, tokenizer, config.model.block_size);
  // preference weights reach the method only where it applies them (mgda defines its own)
  const appliesPreferences = usesPreferences(grpo.method);
  return {
    policy,
    reference,
    tokenizer,
    optimizer,
    strategy,
    start,
    sampling: { policy, tokenizer, pools, promptTokens, config: grpo, blockSize: config.model.block_size, seed },
    rewards: { scorer: options.scorer, kg: options.kg, rewardModel: options.rewardModel, alphas, config: grpo },
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
      sink,
      config: grpo,
      capabilities: CAPABILITIES,
      alphas,
      appliesPreferences,
      hasReference: reference !== null,
      hasRewardModel: options.rewardModel !== null,
    },
  };
}

/** One GRPO step: sample → rewards → per-capability gradients, combined and applied μ times → log. */
async function grpoStep(session: Session, step: number): Promise<{ capabilityMeans: number[]; meanReward: number }> {
  const batch = await sampleCompletions(session.sampling, step);
  const scored = await scoreCompletions(batch, session.rewards);
  const frozen = await frozenLogprobs(session.policy, session.reference, batch, session.sampling.config);
  const update = await optimisationPasses(session.update, batch, scored, frozen, step);
  logStep(session.log, { step, batch, scored, update });
  return { capabilityMeans: capabilityMeans({ batch, scored }), meanReward: mean(scored.hybrid) };
}

async function saveSession(session: Session, options: GrpoOptions, checkpointDir: string, step: number): Promise<void> {
  await saveCheckpoint(checkpointDir, {
    model: session.policy,
    tokenizer: session.tokenizer,
    config: options.config,
    optimizer: await session.optimizer.state(),
    state: { step, strategy: session.strategy.state?.() },
    extra: { stage: "grpo" },
  });
  await options.sink.flush();
}

export async function runGrpo(options: GrpoOptions): Promise<GrpoResult> {
  const { config } = options;
  const grpo = config.grpo;
  getMethod(grpo.method); // a name that is no combination method (an SFT-only run's "none") is refused before any work
  // the RL seed: an explicit override, else grpo.seed, else the run's seed (the pipeline passes nothing extra)
  const seed = options.seed ?? grpo.seed ?? config.seed;
  const backend = await initBackend(backendPreference(config.backend));
  const startedAt = Date.now();
  const checkpointDir = join(options.outDir, "checkpoint");
  const session = await openSession(options, seed, checkpointDir);
  const bar = progress("grpo", grpo.max_steps, { enabled: options.progress ?? true });
  bar.tick(session.start);
  const rewardFirst: Record<string, number> = {};
  const rewardLast: Record<string, number> = {};
  const end = Math.min(grpo.max_steps, options.stopAfter !== undefined ? session.start + options.stopAfter : grpo.max_steps);
  try {
    for (let step = session.start + 1; step <= end; step++) {
      const rewards = await grpoStep(session, step);
      const byName = Object.fromEntries(CAPABILITIES.map((capability, c) => [capability, rewards.capabilityMeans[c]]));
      if (step === 1) Object.assign(rewardFirst, byName);
      Object.assign(rewardLast, byName);
      bar.tick(1, { info: `reward ${rewards.meanReward.toFixed(3)}` });
      if (step % grpo.save_every === 0 || step === grpo.max_steps) await saveSession(session, options, checkpointDir, step);
    }
  } finally {
    bar.stop();
    session.optimizer.dispose();
    session.policy.dispose();
    session.reference?.dispose();
  }
  return { checkpointDir, steps: end, backend, rewardFirst, rewardLast, seconds: (Date.now() - startedAt) / 1000 };
}
