/**
 * Teacher-forced examples and padded batches (shared spec token format):
 *   sequence = [BOS] prompt [SEP] gold [EOS];  input = sequence[:-1], target = sequence[1:]
 *   mask = 1 where the target is a gold token or EOS, 0 on the prompt (loss only on what the model must write).
 * Batches are right-padded with PAD (mask 0). An epoch is a seeded shuffle of the examples.
 */
import * as tf from "@tensorflow/tfjs";
import type { Tokenizer } from "../model/tokenizer.ts";
import { BOS, EOS, PAD } from "../model/tokenizer.ts";
import { pickLogprob } from "../model/ops.ts";
import { rngFor, shuffled } from "../util/rng.ts";

export interface Example {
  id: string;
  input: number[];
  target: number[];
  mask: number[];
}

export function encodeExample(tok: Tokenizer, item: { id: string; prompt: string; gold: string }): Example {
  const prompt = tok.encodePrompt(item.prompt); // [BOS] p [SEP]
  const seq = [...prompt, ...tok.encodeCompletion(item.gold)]; // ... gold [EOS]
  const input = seq.slice(0, -1),
    target = seq.slice(1);
  // target index i predicts seq[i+1]; gold starts at seq index prompt.length → target index prompt.length−1
  const mask = target.map((_, i) => (i >= prompt.length - 1 ? 1 : 0));
  return { id: item.id, input, target, mask };
}

/** A document read with loss on every token (a gene card): [BOS] text [EOS]. */
export function encodeDocument(tok: Tokenizer, doc: { id: string; text: string }): Example {
  const seq = [BOS, ...tok.encode(doc.text), EOS];
  return { id: doc.id, input: seq.slice(0, -1), target: seq.slice(1), mask: seq.slice(1).map(() => 1) };
}

export interface Batch {
  inputs: tf.Tensor2D; // int32 [B,L]
  targets: tf.Tensor2D; // int32 [B,L]
  mask: tf.Tensor2D; // float32 [B,L]
  tokens: number; // real (non-pad) input tokens, for tokens/s
}

export function makeBatch(examples: readonly Example[]): Batch {
  const B = examples.length;
  const L = Math.max(...examples.map((e) => e.input.length));
  const pad = <T>(xs: T[], v: T) => xs.concat(Array<T>(L - xs.length).fill(v));
  return {
    inputs: tf.tensor2d(
      examples.map((e) => pad(e.input, PAD)),
      [B, L],
      "int32",
    ),
    targets: tf.tensor2d(
      examples.map((e) => pad(e.target, PAD)),
      [B, L],
      "int32",
    ),
    mask: tf.tensor2d(
      examples.map((e) => pad(e.mask, 0)),
      [B, L],
      "float32",
    ),
    tokens: examples.reduce((s, e) => s + e.input.length, 0),
  };
}

export function disposeBatch(b: Batch): void {
  b.inputs.dispose();
  b.targets.dispose();
  b.mask.dispose();
}

/** Mean cross-entropy over positions with mask 1: logits [B,L,V], targets [B,L], mask [B,L] → scalar. */
export function maskedLoss(logits: tf.Tensor3D, targets: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const V = logits.shape[2];
    const logp = tf.logSoftmax(tf.reshape(logits, [-1, V]));
    const nll = tf.neg(pickLogprob(logp as tf.Tensor2D, tf.reshape(targets, [-1]) as tf.Tensor1D)); // [B*L]
    const m = tf.reshape(mask, [-1]);
    return tf.div(tf.sum(tf.mul(nll, m)), tf.maximum(tf.sum(m), 1)) as tf.Scalar;
  });
}

/**
 * Deterministic batch order: epoch e is shuffled(rngFor(seed, `epoch:e`)); step s takes the s-th slice of size B
 * across epochs. Pure function of (n, B, seed, step[, lengths]), so a resumed run sees exactly the batches it would
 * have seen.
 *
 * With `lengths` (tokens per example), batches are length-bucketed: each run of `bucket` consecutive batches of the
 * shuffled epoch is sorted by length, cut into batches, and those batches are visited in a seeded random order.
 * Batches are padded to their longest example, so this cuts the padded tokens a step computes (measured ≈1.5× fewer
 * on the default data) while every example is still seen once per epoch.
 */
export function batchIndices(n: number, batchSize: number, seed: number, step: number, lengths?: readonly number[], bucket = 8): number[] {
  const B = Math.min(batchSize, n);
  const perEpoch = Math.floor(n / B); // drop the ragged tail of each epoch
  const epoch = Math.floor(step / perEpoch),
    k = step % perEpoch;
  const order = shuffled(
    rngFor(seed, `epoch:${epoch}`),
    Array.from({ length: n }, (_, i) => i),
  );
  if (!lengths) return order.slice(k * B, (k + 1) * B);
  const chunk = Math.floor(k / bucket);
  const lo = chunk * bucket * B,
    hi = Math.min((chunk + 1) * bucket * B, perEpoch * B);
  const sorted = order.slice(lo, hi).sort((a, b) => lengths[a] - lengths[b] || a - b);
  const batches = Array.from({ length: (hi - lo) / B }, (_, j) => sorted.slice(j * B, (j + 1) * B));
  return shuffled(rngFor(seed, `bucket:${epoch}:${chunk}`), batches)[k % bucket];
}
