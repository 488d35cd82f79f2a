/**
 * Phase 3 of a GRPO step (TRL's _compute_loss, split by capability): one GRPO loss per capability over that
 * capability's completions (loss.ts), and its gradient over ALL shared parameters (tf.variableGrads). Each
 * capability's gradient is computed as two halves of its completions and combined (the loss is a weighted sum over
 * sequences), so the cosine between the halves — how much of the gradient is signal rather than sampling noise —
 * comes without an extra backward pass.
 *
 * The old-policy and reference log-probs are computed once per sampled batch, without gradient, at the sampling
 * temperature as TRL does (logits / temperature before the log-softmax): the ratio and the KL then compare the
 * distribution the completions were actually drawn from. With μ = 1 there are no old log-probs: loss.ts uses
 * stopGradient(logπ_θ), so the ratio is 1 with the right gradient.
 */
import * as tf from "@tensorflow/tfjs";
import { vectorKernels } from "../util/vector_kernels.ts";
import { splitLike as viewsOf } from "../weighting/step.ts";
import type { GPT } from "../model/gpt.ts";
import { completionMask, type LogprobBatch, sequenceLogprobs, sequenceLogprobsArray } from "../model/sample.ts";
import type { GrpoConfig } from "./config.ts";
import { type BatchSize, grpoLoss, LOSS_STATS, type LossStats, lossShare, statisticShare } from "./loss.ts";
import type { ScoredBatch } from "./rewards.ts";
import type { SampledBatch } from "./sample.ts";

/** Per-token log-probs without gradient, per capability (rows as in SampledBatch.byCapability); null = not needed. */
export interface FrozenLogprobs {
  /** the sampling policy's, for the ratio when num_iterations > 1 */
  old: number[][][] | null;
  /** the frozen reference's, for the KL when beta > 0 */
  reference: number[][][] | null;
}

/** One capability's loss and its gradient, per variable in the policy's parameter order. */
export interface CapabilityGradient {
  parts: Float32Array[];
  loss: number;
  stats: LossStats<number>;
}

/** A capability's gradient, computed as the combination of its two halves' gradients (splitHalves). */
export interface SplitGradient extends CapabilityGradient {
  /** cos(gradient of half A, gradient of half B); NaN when either half's gradient is 0 */
  splitHalfCos: number;
}

/** Some rows of the batch as sequenceLogprobs takes them. */
export function logprobBatch(batch: SampledBatch, rows: readonly number[]): LogprobBatch {
  return {
    prompts: rows.map((i) => batch.completions[i].prompt),
    completions: rows.map((i) => batch.completions[i].completion),
  };
}

export async function frozenLogprobs(policy: GPT, reference: GPT | null, batch: SampledBatch, config: GrpoConfig): Promise<FrozenLogprobs> {
  const perCapability = (model: GPT) =>
    Promise.all(batch.byCapability.map((rows) => sequenceLogprobsArray(model, logprobBatch(batch, rows), config.temperature)));
  return {
    old: config.num_iterations > 1 ? await perCapability(policy) : null,
    reference: reference ? await perCapability(reference) : null,
  };
}

/**
 * The gradient of a scalar loss w.r.t. every policy variable, read back as Float32Arrays in the policy's order. The
 * parts are consecutive views of one buffer, so the combine's flattenParts takes the whole vector without a copy.
 */
export async function gradientOf(model: GPT, loss: () => tf.Scalar): Promise<{ value: number; parts: Float32Array[] }> {
  const variables = [...model.params.values()];
  const { value, grads } = tf.variableGrads(loss, variables);
  const parts = viewsOf(
    new Float32Array(variables.reduce((a, v) => a + v.size, 0)),
    variables.map((v) => v.size),
  );
  for (const [v, variable] of variables.entries()) {
    const grad = grads[variable.name];
    // a variable outside this loss's graph (cannot happen for the GPT, but keep the vector layout fixed) stays 0
    if (grad) parts[v].set((await grad.data()) as Float32Array);
  }
  const lossValue = (await value.data())[0];
  value.dispose();
  for (const grad of Object.values(grads)) grad.dispose();
  return { value: lossValue, parts };
}

/** Token log-prob rows padded with 0 to the longest completion of `rows`, as a [B, Tc] tensor. */
function padded(logprobs: number[][], batch: SampledBatch, rows: readonly number[]): tf.Tensor2D {
  const width = Math.max(1, ...rows.map((i) => batch.completions[i].completion.length));
  return tf.tensor2d(
    logprobs.map((row) => [...row, ...Array(width - row.length).fill(0)]),
    [rows.length, width],
    "float32",
  );
}

/**
 * Capability `capability`'s GRPO loss over the given rows of the batch (by default all of its rows) and its gradient.
 * `frozen` holds that capability's old / reference log-probs for those rows, in the same order.
 */
export async function capabilityGradient(
  policy: GPT,
  batch: SampledBatch,
  scored: ScoredBatch,
  frozen: { old: number[][] | null; reference: number[][] | null },
  rows: readonly number[],
  config: GrpoConfig,
  numItemsInBatch: number,
): Promise<CapabilityGradient> {
  let statTensors: LossStats<tf.Scalar> | undefined;
  const gradient = await gradientOf(policy, () => {
    const out = grpoLoss(
      {
        logp: sequenceLogprobs(policy, logprobBatch(batch, rows), config.temperature),
        oldLogp: frozen.old ? padded(frozen.old, batch, rows) : null,
        refLogp: frozen.reference ? padded(frozen.reference, batch, rows) : null,
        mask: completionMask(rows.map((i) => batch.completions[i].completion)),
        advantages: tf.tensor1d(
          rows.map((i) => scored.advantages.advantages[i]),
          "float32",
        ),
      },
      {
        beta: config.beta,
        epsilon: config.epsilon,
        epsilonHigh: config.epsilon_high,
        lossType: config.loss_type,
        maxCompletionLength: config.max_completion_length,
        numItemsInBatch,
      },
    );
    statTensors = {
      kl: tf.keep(out.stats.kl),
      clipLow: tf.keep(out.stats.clipLow),
      clipHigh: tf.keep(out.stats.clipHigh),
      clipRegion: tf.keep(out.stats.clipRegion),
    };
    return out.loss;
  });
  const kept = statTensors!;
  const [kl, clipLow, clipHigh, clipRegion] = await Promise.all(
    [kept.kl, kept.clipLow, kept.clipHigh, kept.clipRegion].map(async (t) => (await t.data())[0]),
  );
  for (const t of [kept.kl, kept.clipLow, kept.clipHigh, kept.clipRegion]) t.dispose();
  return { parts: gradient.parts, loss: gradient.value, stats: { kl, clipLow, clipHigh, clipRegion } };
}

/**
 * Two disjoint halves of one capability's rows (positions into them; G consecutive rows per prompt): by prompt group
 * when there are at least two groups — then each half is an independent draw of prompts and completions, and the
 * cosine between the halves' gradients measures how much of the gradient is signal rather than sampling noise —
 * else, with one prompt, inside its group (the halves then share the prompt and its group baseline).
 */
export function splitHalves(rows: number, G: number): [number[], number[]] {
  const groups = Math.floor(rows / G);
  const cut = groups >= 2 ? Math.ceil(groups / 2) * G : Math.ceil(rows / 2);
  const positions = Array.from({ length: rows }, (_, k) => k);
  return [positions.slice(0, cut), positions.slice(cut)];
}

/** cos(a, b) over the concatenated parts, in float64; NaN when either is 0 */
export function partsCosine(first: readonly Float32Array[], second: readonly Float32Array[]): number {
  // one running sum each for a·b, a·a and b·b over every variable in turn (src/util/vector_kernels.ts: one pass)
  const acc = new Float64Array(4);
  for (let v = 0; v < first.length; v++) vectorKernels().dotsInto([first[v], second[v]], acc);
  const [firstNorm2, dot, , secondNorm2] = acc;
  return firstNorm2 > 0 && secondNorm2 > 0 ? dot / Math.sqrt(firstNorm2 * secondNorm2) : Number.NaN;
}

/** shareFirst·first + shareSecond·second per variable (float64 sums, stored as float32) */
function combineParts(
  first: readonly Float32Array[],
  second: readonly Float32Array[],
  shareFirst: number,
  shareSecond: number,
): Float32Array[] {
  const sizes = first.map((part) => part.length);
  const parts = viewsOf(new Float32Array(sizes.reduce((a, b) => a + b, 0)), sizes);
  first.forEach((part, v) => {
    const other = second[v];
    const out = parts[v];
    for (let i = 0; i < part.length; i++) out[i] = shareFirst * part[i] + shareSecond * other[i];
  });
  return parts;
}

/**
 * One capability's gradient as the share-weighted sum of its two halves' gradients (loss.ts lossShare: the loss is a
 * weighted sum over sequences), plus the cosine between the halves: the split-half measurement costs no extra
 * backward pass. `frozen` holds the capability's old / reference log-probs in the order of `rows`.
 */
export async function splitCapabilityGradient(
  policy: GPT,
  batch: SampledBatch,
  scored: ScoredBatch,
  frozen: { old: number[][] | null; reference: number[][] | null },
  rows: readonly number[],
  config: GrpoConfig,
  numItemsInBatch: number,
): Promise<SplitGradient> {
  const sizeOf = (positions: readonly number[]): BatchSize => ({
    sequences: positions.length,
    tokens: positions.reduce((a, k) => a + batch.completions[rows[k]].completion.length, 0),
  });
  const whole = sizeOf(rows.map((_, k) => k));
  const halves = splitHalves(rows.length, config.num_generations);
  const gradients: CapabilityGradient[] = [];
  const lossShares: number[] = [];
  const statShares: number[] = [];
  for (const positions of halves) {
    const own = {
      old: frozen.old ? positions.map((k) => frozen.old![k]) : null,
      reference: frozen.reference ? positions.map((k) => frozen.reference![k]) : null,
    };
    gradients.push(
      await capabilityGradient(
        policy,
        batch,
        scored,
        own,
        positions.map((k) => rows[k]),
        config,
        numItemsInBatch,
      ),
    );
    lossShares.push(lossShare(config.loss_type, sizeOf(positions), whole, numItemsInBatch));
    statShares.push(statisticShare(sizeOf(positions), whole));
  }
  const [first, second] = gradients;
  const stats = { kl: 0, clipLow: 0, clipHigh: 0, clipRegion: 0 };
  for (const key of LOSS_STATS) stats[key] = statShares[0] * first.stats[key] + statShares[1] * second.stats[key];
  return {
    parts: combineParts(first.parts, second.parts, lossShares[0], lossShares[1]),
    loss: lossShares[0] * first.loss + lossShares[1] * second.loss,
    stats,
    splitHalfCos: partsCosine(first.parts, second.parts),
  };
}

/**
 * Every capability's gradient for one optimisation pass (capability order), each from its two halves. dapo's
 * normaliser is the completion tokens of the whole step's batch (TRL's num_items_in_batch), whichever capability's
 * loss it divides.
 */
export async function capabilityGradients(
  policy: GPT,
  batch: SampledBatch,
  scored: ScoredBatch,
  frozen: FrozenLogprobs,
  config: GrpoConfig,
): Promise<SplitGradient[]> {
  const numItemsInBatch = batch.completions.reduce((a, row) => a + row.completion.length, 0);
  const out: SplitGradient[] = [];
  for (const [capability, rows] of batch.byCapability.entries()) {
    const own = { old: frozen.old?.[capability] ?? null, reference: frozen.reference?.[capability] ?? null };
    out.push(await splitCapabilityGradient(policy, batch, scored, own, rows, config, numItemsInBatch));
  }
  return out;
}
