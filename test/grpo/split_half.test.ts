/**
 * The split-half gradient measurement (src/grpo/gradients.ts): a capability's gradient is computed as two halves of
 * its completions and combined by their shares of the loss. The combination must equal the gradient of the whole
 * batch, for every loss_type, and the halves of identical completions must point the same way.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { grpoSchema, type LossType } from "../../src/grpo/config.ts";
import { capabilityGradient, partsCosine, splitCapabilityGradient, splitHalves } from "../../src/grpo/gradients.ts";
import type { ScoredBatch } from "../../src/grpo/rewards.ts";
import type { SampledBatch } from "../../src/grpo/sample.ts";
import { initBackend } from "../../src/model/backend.ts";
import { GPT } from "../../src/model/gpt.ts";
import { EOS } from "../../src/model/tokenizer.ts";
import { fakeItems, TINY_MODEL } from "../model/fixtures.ts";

const item = fakeItems(1)[0];

/** A batch of one capability: `groups` prompts × G completions, with the given advantages. */
function batchOf(completions: number[][], prompts: number[][], advantages: number[]): { batch: SampledBatch; scored: ScoredBatch } {
  const batch: SampledBatch = {
    completions: completions.map((completion, i) => ({
      item,
      capability: 0,
      prompt: prompts[i],
      completion,
      text: "",
      sampleLogp: 0,
    })),
    byCapability: [completions.map((_, i) => i)],
  };
  const zeros = completions.map(() => 0);
  return { batch, scored: { rule: zeros, model: zeros, hybrid: zeros, advantages: { advantages, aggregate: zeros, fracZeroStd: 0 } } };
}

let model: GPT;
beforeAll(async () => {
  await initBackend("cpu", { quiet: true });
  model = GPT.init(TINY_MODEL, 0);
});

describe("split-half gradients", () => {
  it("splits by prompt group when there are two or more, else inside the one group", () => {
    expect(splitHalves(12, 4)).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7],
      [8, 9, 10, 11],
    ]);
    expect(splitHalves(8, 4)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
    expect(splitHalves(3, 3)).toEqual([[0, 1], [2]]);
  });

  it("the halves' combination equals the whole batch's gradient, loss and statistics for every loss_type", async () => {
    const prompts = [
      [1, 10, 11, 2],
      [1, 10, 11, 2],
      [1, 12, 2],
      [1, 12, 2],
    ];
    const completions = [
      [20, 21, EOS],
      [22, EOS],
      [23, 24, 25, 26],
      [27, EOS],
    ];
    const { batch, scored } = batchOf(completions, prompts, [1, -1, 0.5, -0.5]);
    const rows = [0, 1, 2, 3];
    // near the random model's log-probs (≈ −ln 256), so the ratio and the KL are moderate and some ratios clip
    const reference = completions.map((c) => c.map((_, t) => -5.6 + 0.05 * t));
    const old = completions.map((c) => c.map((_, t) => -5.4 - 0.1 * t));
    const close = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));
    for (const loss_type of ["grpo", "dr_grpo", "dapo", "bnpo"] as LossType[]) {
      const config = grpoSchema.parse({ loss_type, num_generations: 2, beta: 0.1, num_iterations: 2, max_completion_length: 4 });
      const frozen = { old, reference };
      const whole = await capabilityGradient(model, batch, scored, frozen, rows, config, 20);
      const split = await splitCapabilityGradient(model, batch, scored, frozen, rows, config, 20);
      let largest = 0;
      let scale = 0;
      whole.parts.forEach((part, v) =>
        part.forEach((x, i) => {
          largest = Math.max(largest, Math.abs(x - split.parts[v][i]));
          scale = Math.max(scale, Math.abs(x));
        }),
      );
      expect(scale, loss_type).toBeGreaterThan(1e-3); // the check can fail: the gradient is not 0
      expect(largest, loss_type).toBeLessThan(1e-6);
      expect(close(split.loss, whole.loss), loss_type).toBeLessThan(1e-6);
      for (const key of ["kl", "clipLow", "clipHigh", "clipRegion"] as const)
        expect(close(split.stats[key], whole.stats[key]), `${loss_type} ${key}`).toBeLessThan(1e-6);
      expect(Math.abs(split.splitHalfCos)).toBeLessThanOrEqual(1 + 1e-9);
    }
  }, 60_000);

  it("halves of identical completions with equal advantages have cosine 1; opposite advantages, −1", async () => {
    const prompts = Array.from({ length: 4 }, () => [1, 10, 11, 2]);
    const completions = Array.from({ length: 4 }, () => [20, 21, EOS]);
    const config = grpoSchema.parse({ num_generations: 2, beta: 0 });
    const same = batchOf(completions, prompts, [1, 1, 1, 1]);
    const aligned = await splitCapabilityGradient(model, same.batch, same.scored, { old: null, reference: null }, [0, 1, 2, 3], config, 12);
    expect(aligned.splitHalfCos).toBeCloseTo(1, 6);
    const flipped = batchOf(completions, prompts, [1, 1, -1, -1]);
    const opposed = await splitCapabilityGradient(
      model,
      flipped.batch,
      flipped.scored,
      { old: null, reference: null },
      [0, 1, 2, 3],
      config,
      12,
    );
    expect(opposed.splitHalfCos).toBeCloseTo(-1, 6);
    expect(partsCosine([new Float32Array([0, 0])], [new Float32Array([1, 0])])).toBeNaN();
  }, 60_000);
});
