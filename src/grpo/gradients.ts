/**
 * Phase 3 of a GRPO step (TRL's _compute_loss, split by capability): one GRPO loss per capability over that
 * capability's completions (loss.ts), and its gradient over ALL shared parameters (tf.variableGrads).
 *
 * The old-policy and reference log-probs are computed once per sampled batch, without gradient, at the sampling
 * temperature as TRL does (logits / temperature before the log-softmax): the ratio and the KL then compare the
 * distribution the completions were actually drawn from. With μ = 1 there are no old log-probs: loss.ts uses
 * stopGradient(logπ_θ), so the ratio is 1 with the right gradient.
 */
import * as tf from "@tensorflow/tfjs";
import type { GPT } from "../model/gpt.ts";
import { completionMask, type LogprobBatch, sequenceLogprobs, sequenceLogprobsArray } from "../model/sample.ts";
import type { GrpoConfig } from "./config.ts";
import { grpoLoss, type LossStats } from "./loss.ts";
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

/** The gradient of a scalar loss w.r.t. every policy variable, read back as Float32Arrays in the policy's order. */
export async function gradientOf(model: GPT, loss: () => tf.Scalar): Promise<{ value: number; parts: Float32Array[] }> {
  const variables = [...model.params.values()];
  const { value, grads } = tf.variableGrads(loss, variables);
  const parts: Float32Array[] = [];
  for (const variable of variables) {
    const grad = grads[variable.name];
    // a variable outside this loss's graph (cannot happen for the GPT, but keep the vector layout fixed)
    parts.push(grad ? ((await grad.data()) as Float32Array) : new Float32Array(variable.size));
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
 * Every capability's gradient for one optimisation pass (capability order). dapo's normaliser is the completion
 * tokens of the whole step's batch (TRL's num_items_in_batch), whichever capability's loss it divides.
 */
export async function capabilityGradients(
  policy: GPT,
  batch: SampledBatch,
  scored: ScoredBatch,
  frozen: FrozenLogprobs,
  config: GrpoConfig,
): Promise<CapabilityGradient[]> {
  const numItemsInBatch = batch.completions.reduce((a, row) => a + row.completion.length, 0);
  const out: CapabilityGradient[] = [];
  for (const [capability, rows] of batch.byCapability.entries()) {
    const own = { old: frozen.old?.[capability] ?? null, reference: frozen.reference?.[capability] ?? null };
    out.push(await capabilityGradient(policy, batch, scored, own, rows, config, numItemsInBatch));
  }
  return out;
}
