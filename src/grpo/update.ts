/**
 * Phase 4 of a GRPO step: for each of μ = num_iterations passes over the sampled batch, the per-capability gradients
 * (gradients.ts) → Gram matrix (whole model and per parameter block) → weight strategy → combination method
 * (src/weighting: sum, pcgrad, mgda, cagrpo, …) → global-norm clip → optimizer step.
 *
 * The gradients are those of the LOSS (descent directions); every method is odd-equivariant, so combining them is
 * fine. The strategy sees the Gram and rewards ONCE per step, on the first (on-policy) pass: the μ passes re-use one
 * sampled batch, and a stateful strategy (dynamic's EMA) must fold in one observation per step, not μ — otherwise its
 * smoothing horizon would shrink by μ. Later passes keep these preferences.
 *
 * The logged `loss` is Σ_c coef_c·L_c with coef the method's effective coefficients on the original gradients, so its
 * gradient IS the update direction.
 */
import * as tf from "@tensorflow/tfjs";
import type { GPT } from "../model/gpt.ts";
import { clipByGlobalNorm } from "../optim/index.ts";
import { type BlockGram, blockGrams } from "../weighting/gram.ts";
import { capabilityAwareUpdate, type UpdateResult } from "../weighting/step.ts";
import type { WeightStrategy } from "../weighting/types.ts";
import type { GrpoConfig } from "./config.ts";
import { type CapabilityGradient, capabilityGradients, type FrozenLogprobs } from "./gradients.ts";
import { LOSS_STATS, type LossStats } from "./loss.ts";
import { rewardsByGroup, type ScoredBatch } from "./rewards.ts";
import type { SampledBatch } from "./sample.ts";

/** What the optimizer needs: AdamW or SGD (src/optim). */
export interface Optimizer {
  step(grads: Map<string, tf.Tensor>, lr: number): void;
}

export interface UpdateContext {
  policy: GPT;
  optimizer: Optimizer;
  strategy: WeightStrategy;
  /** does the method apply preference weights (mgda defines its own) */
  appliesPreferences: boolean;
  /** capability names, in order */
  capabilities: readonly string[];
  /** parameter block of each policy variable, in the policy's order */
  blocks: readonly string[];
  config: GrpoConfig;
  seed: number;
}

/** One step's update, over its μ passes. */
export interface StepUpdate {
  /** the last pass's combination (its direction, coef, diagnostics, Gram rows and gradient metrics) */
  update: UpdateResult;
  /** the last pass's Gram per parameter block */
  blocks: BlockGram[];
  /** the strategy's preference weights this step */
  preferences: number[];
  /** Σ_c coef_c·L_c of the last pass */
  loss: number;
  /** the pre-clip norm of the combined direction, mean over the passes */
  gradNorm: number;
  /** the loss statistics, mean over capabilities and passes */
  stats: LossStats<number>;
  /** per capability, the cosine between its two halves' gradients (gradients.ts splitHalves), last pass */
  splitHalfCos: number[];
}

/** Combine one pass's gradients, clip, and step the optimizer. */
async function combineAndStep(
  ctx: UpdateContext,
  gradients: readonly CapabilityGradient[],
  gram: number[][],
  preferences: number[],
  step: number,
): Promise<{ update: UpdateResult; loss: number; gradNorm: number }> {
  const { config, policy } = ctx;
  const update = capabilityAwareUpdate(
    gradients.map((gradient) => gradient.parts),
    {
      method: config.method,
      capabilities: ctx.capabilities,
      step,
      weights: ctx.appliesPreferences ? preferences : undefined,
      seed: ctx.seed,
      gram,
    },
  );
  const loss = update.coef.reduce((a, w, c) => a + w * gradients[c].loss, 0);
  const grads = new Map<string, tf.Tensor>();
  [...policy.params.entries()].forEach(([name, variable], k) =>
    grads.set(name, tf.tensor(update.perVariable[k], variable.shape, "float32")),
  );
  const norm = clipByGlobalNorm(grads, config.max_grad_norm);
  const gradNorm = (await norm.data())[0];
  norm.dispose();
  ctx.optimizer.step(grads, config.learning_rate);
  for (const t of grads.values()) t.dispose();
  return { update, loss, gradNorm };
}

export async function optimisationPasses(
  ctx: UpdateContext,
  batch: SampledBatch,
  scored: ScoredBatch,
  frozen: FrozenLogprobs,
  step: number,
): Promise<StepUpdate> {
  const { config } = ctx;
  const passes = config.num_iterations;
  const count = ctx.capabilities.length * passes;
  const stats: LossStats<number> = { kl: 0, clipLow: 0, clipHigh: 0, clipRegion: 0 };
  let preferences: number[] = [];
  let gradNormSum = 0;
  let last: { update: UpdateResult; loss: number; blocks: BlockGram[]; splitHalfCos: number[] } | undefined;
  for (let pass = 0; pass < passes; pass++) {
    const gradients = await capabilityGradients(ctx.policy, batch, scored, frozen, config);
    for (const gradient of gradients) for (const key of LOSS_STATS) stats[key] += gradient.stats[key] / count;
    // per-block Grams (embeddings, each layer's attention / MLP, layer norms) in one pass; their sum is the
    // whole-model Gram, handed to the strategy and the method so it is not computed a second time
    const grams = blockGrams(
      gradients.map((gradient) => gradient.parts),
      ctx.blocks,
    );
    if (pass === 0)
      preferences = ctx.strategy.update({ gram: grams.gram, rewards: rewardsByGroup(batch, scored, config.num_generations) }, step).weights;
    const applied = await combineAndStep(ctx, gradients, grams.gram, preferences, step);
    gradNormSum += applied.gradNorm;
    last = {
      update: applied.update,
      loss: applied.loss,
      blocks: grams.blocks,
      splitHalfCos: gradients.map((gradient) => gradient.splitHalfCos),
    };
  }
  const { update, loss, blocks, splitHalfCos } = last!;
  return { update, blocks, preferences, loss, gradNorm: gradNormSum / passes, stats, splitHalfCos };
}
