/**
 * The GRPO surrogate loss for one batch of completions (DeepSeekMath eq. 3; TRL GRPOTrainer._compute_loss):
 *
 *   ρ_t   = exp(logπ_θ(o_t) − logπ_old(o_t))                               per token, o = completion tokens
 *   ℓ_t   = −min(ρ_t·Â, clip(ρ_t, 1−ε, 1+ε_high)·Â) + β·KL_t                Â = the completion's advantage
 *   KL_t  = exp(logπ_ref − logπ_θ) − (logπ_ref − logπ_θ) − 1               k3 estimator (≥ 0, unbiased)
 *
 * reduced by loss_type (m = completion mask):
 *   grpo     mean over completions of (Σ_t m ℓ_t / Σ_t m)                  per-sequence length normalisation
 *   bnpo     Σ m ℓ / Σ m                                                    token-level over the batch
 *   dapo     Σ m ℓ / num_items_in_batch                                     TRL: the active tokens of the WHOLE generation
 *                                                                          batch (every capability's completions), not of
 *                                                                          this capability's share; falls back to Σ m
 *                                                                          when the caller gives no num_items_in_batch
 *   dr_grpo  Σ m ℓ / (B · max_completion_length)                           Dr. GRPO: no length bias
 * With μ = 1 the old policy IS the current one: logπ_old = stopGradient(logπ_θ), so ρ = 1 with the right gradient.
 * Clip statistics follow TRL: low = ρ < 1−ε with Â < 0, high = ρ > 1+ε_high with Â > 0, region = either.
 */
import * as tf from "@tensorflow/tfjs";
import type { LossType } from "./config.ts";

export type { LossType };

/** Identity forward, zero gradient (TF.js has no tf.stopGradient): the "old policy" of an on-policy step. */
export const stopGradient = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor;

export interface LossInputs {
  /** [B,Tc] per-token log-probs of the completions under the policy being optimised (differentiable) */
  logp: tf.Tensor2D;
  /** [B,Tc] under the policy that sampled them; null = stopGradient(logp) (num_iterations = 1) */
  oldLogp: tf.Tensor2D | null;
  /** [B,Tc] under the frozen reference; null when beta = 0 */
  refLogp: tf.Tensor2D | null;
  /** [B,Tc] 1 on real completion tokens */
  mask: tf.Tensor2D;
  /** [B] one advantage per completion */
  advantages: tf.Tensor1D;
}

export interface LossOptions {
  beta: number;
  epsilon: number;
  epsilonHigh?: number | null;
  lossType: LossType;
  maxCompletionLength: number;
  /**
   * dapo: TRL's num_items_in_batch, the completion tokens of the whole step's batch. The GRPO loop computes one loss
   * per capability on that capability's completions, so dividing by Σ m there would weight a capability's tokens by
   * 1/(its own token count) — a capability with short completions would get a larger per-token weight.
   */
  numItemsInBatch?: number;
}

/** Masked token means, TRL's logged statistics (never part of the loss). A type, so tf.tidy can return it. */
export type LossStats<V> = {
  /** mean k3 KL to the reference; 0 when there is no reference */
  kl: V;
  /** share of tokens with ρ < 1−ε and Â < 0 (TRL clip_ratio/low_mean) */
  clipLow: V;
  /** share of tokens with ρ > 1+ε_high and Â > 0 (TRL clip_ratio/high_mean) */
  clipHigh: V;
  /** either (TRL clip_ratio/region_mean) */
  clipRegion: V;
};

export const LOSS_STATS = ["kl", "clipLow", "clipHigh", "clipRegion"] as const satisfies readonly (keyof LossStats<number>)[];

export interface LossOutput {
  loss: tf.Scalar;
  stats: LossStats<tf.Scalar>;
}

export function grpoLoss(x: LossInputs, o: LossOptions): LossOutput {
  return tf.tidy(() => {
    const [B] = x.logp.shape;
    const epsLow = o.epsilon,
      epsHigh = o.epsilonHigh ?? o.epsilon;
    const old = x.oldLogp ?? stopGradient(x.logp);
    const A = tf.reshape(x.advantages, [B, 1]); // broadcast over tokens
    const ratio = tf.exp(tf.sub(x.logp, old));
    const l1 = tf.mul(ratio, A);
    const l2 = tf.mul(tf.clipByValue(ratio, 1 - epsLow, 1 + epsHigh), A);
    let perToken = tf.neg(tf.minimum(l1, l2));
    let kl: tf.Tensor = tf.zerosLike(x.logp);
    if (x.refLogp && o.beta > 0) {
      const d = tf.sub(x.refLogp, x.logp);
      kl = tf.sub(tf.sub(tf.exp(d), d), 1);
      perToken = tf.add(perToken, tf.mul(kl, o.beta));
    }
    const m = x.mask;
    const masked = tf.mul(perToken, m);
    const tokens = tf.maximum(tf.sum(m), 1);
    let loss: tf.Tensor;
    if (o.lossType === "grpo") loss = tf.mean(tf.div(tf.sum(masked, 1), tf.maximum(tf.sum(m, 1), 1)));
    else if (o.lossType === "dr_grpo") loss = tf.div(tf.sum(masked), B * o.maxCompletionLength);
    else if (o.lossType === "dapo" && o.numItemsInBatch !== undefined) loss = tf.div(tf.sum(masked), Math.max(o.numItemsInBatch, 1));
    else loss = tf.div(tf.sum(masked), tokens); // bnpo (TRL: the micro-batch's tokens; here a capability's batch)

    // statistics only (never part of the loss)
    const r = ratio,
      a = A;
    const low = tf.logicalAnd(tf.less(r, 1 - epsLow), tf.less(a, 0));
    const high = tf.logicalAnd(tf.greater(r, 1 + epsHigh), tf.greater(a, 0));
    const frac = (b: tf.Tensor) => tf.div(tf.sum(tf.mul(tf.cast(b, "float32"), m)), tokens);
    const stats: LossStats<tf.Scalar> = {
      kl: tf.div(tf.sum(tf.mul(kl, m)), tokens) as tf.Scalar,
      clipLow: frac(low) as tf.Scalar,
      clipHigh: frac(high) as tf.Scalar,
      clipRegion: frac(tf.logicalOr(low, high)) as tf.Scalar,
    };
    return { loss: loss as tf.Scalar, stats };
  });
}

/** The size of a batch or of a part of it: its completions and their tokens (the mask's Σ). */
export interface BatchSize {
  sequences: number;
  tokens: number;
}

/**
 * A part's share of its batch's loss. Every loss_type is a weighted sum over sequences, so over a partition of a
 * batch into parts h the loss is L = Σ_h share_h·L_h, and so is its gradient:
 *   grpo, dr_grpo   B_h / B   (a mean over sequences; dr_grpo's max_completion_length divides every part alike)
 *   bnpo            N_h / N   (N = completion tokens)
 *   dapo            1         (num_items_in_batch divides every part alike; without it, as bnpo)
 * The loss statistics are token means: their share is N_h / N whatever the loss_type (statisticShare).
 */
export function lossShare(lossType: LossType, part: BatchSize, whole: BatchSize, numItemsInBatch?: number): number {
  if (lossType === "grpo" || lossType === "dr_grpo") return part.sequences / whole.sequences;
  if (lossType === "dapo" && numItemsInBatch !== undefined) return 1;
  return statisticShare(part, whole);
}

/** A part's share of its batch's token-mean statistics: N_h / N. */
export function statisticShare(part: BatchSize, whole: BatchSize): number {
  return Math.max(part.tokens, 1) / Math.max(whole.tokens, 1);
}
