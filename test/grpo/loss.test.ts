import { describe, it, expect, beforeAll } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../src/model/backend.ts";
import { grpoLoss, type LossType } from "../../src/grpo/loss.ts";

beforeAll(async () => {
  await initBackend("cpu", { quiet: true });
});

// two completions: row 0 has 2 tokens, row 1 has 1 (the second column is padding)
const logp = [
  [Math.log(0.5), Math.log(0.25)],
  [Math.log(0.9), 0],
];
const old = [
  [Math.log(0.4), Math.log(0.25)],
  [Math.log(0.5), 0],
];
const ref = [
  [Math.log(0.5), Math.log(0.5)],
  [Math.log(0.9), 0],
];
const mask = [
  [1, 1],
  [1, 0],
];
const adv = [1, -2];

function run(lossType: LossType, beta = 0, epsilon = 0.2, epsilonHigh: number | null = null) {
  return tf.tidy(() => {
    const out = grpoLoss(
      {
        logp: tf.tensor2d(logp),
        oldLogp: tf.tensor2d(old),
        refLogp: beta ? tf.tensor2d(ref) : null,
        mask: tf.tensor2d(mask),
        advantages: tf.tensor1d(adv),
      },
      { beta, epsilon, epsilonHigh, lossType, maxCompletionLength: 4 },
    );
    const stat = (t: tf.Scalar) => t.dataSync()[0];
    const stats = {
      kl: stat(out.stats.kl),
      clipLow: stat(out.stats.clipLow),
      clipHigh: stat(out.stats.clipHigh),
      clipRegion: stat(out.stats.clipRegion),
    };
    return [out.loss.dataSync()[0], stats] as const;
  });
}

// by hand: ratios row0 = [1.25, 1], row1 = [1.8]
//   row0 (A=+1): min(1.25, clip 1.2) = 1.2 → ℓ = −1.2 ; token 2: ℓ = −1
//   row1 (A=−2): min(1.8·−2, 1.2·−2) = −3.6 → ℓ = +3.6
// k3 KL (β): row0 t1: d = 0 → 0 ; t2: d = ln2 → 2 − ln2 − 1 = 0.30685 ; row1: 0
const KL = 2 - Math.LN2 - 1;

describe("GRPO loss by hand", () => {
  it("loss_type grpo: per-sequence mean, then mean over sequences", () => {
    const [loss, stats] = run("grpo");
    expect(loss).toBeCloseTo(((-1.2 - 1) / 2 + 3.6) / 2, 5);
    // clip: row0 t1 ratio 1.25 > 1.2 with A>0 → high; row1 ratio 1.8 with A<0 is not "low" (that needs ratio < 0.8)
    expect(stats.clipHigh).toBeCloseTo(1 / 3, 6);
    expect(stats.clipLow).toBe(0);
    expect(stats.clipRegion).toBeCloseTo(1 / 3, 6);
  });
  it("bnpo and dapo: token-level mean over the batch", () => {
    expect(run("bnpo")[0]).toBeCloseTo((-1.2 - 1 + 3.6) / 3, 5);
    expect(run("dapo")[0]).toBeCloseTo((-1.2 - 1 + 3.6) / 3, 5);
  });
  it("dapo divides by the WHOLE batch's completion tokens (TRL num_items_in_batch), bnpo by its own", () => {
    // these 2 completions (3 tokens) are one capability's share of a step whose batch has 10 completion tokens
    const loss = (lossType: LossType) =>
      tf.tidy(
        () =>
          grpoLoss(
            {
              logp: tf.tensor2d(logp),
              oldLogp: tf.tensor2d(old),
              refLogp: null,
              mask: tf.tensor2d(mask),
              advantages: tf.tensor1d(adv),
            },
            { beta: 0, epsilon: 0.2, lossType, maxCompletionLength: 4, numItemsInBatch: 10 },
          ).loss.dataSync()[0],
      );
    expect(loss("dapo")).toBeCloseTo((-1.2 - 1 + 3.6) / 10, 5);
    expect(loss("bnpo")).toBeCloseTo((-1.2 - 1 + 3.6) / 3, 5);
  });
  it("dr_grpo: divide by B · max_completion_length", () => {
    expect(run("dr_grpo")[0]).toBeCloseTo((-1.2 - 1 + 3.6) / (2 * 4), 5);
  });
  it("β adds the k3 KL per token; kl statistic is its masked mean", () => {
    const [loss, stats] = run("bnpo", 0.1);
    expect(loss).toBeCloseTo((-1.2 - 1 + 0.1 * KL + 3.6) / 3, 5);
    expect(stats.kl).toBeCloseTo(KL / 3, 5);
  });
  it("epsilon_high widens only the upper clip", () => {
    const [loss] = run("bnpo", 0, 0.2, 0.3);
    expect(loss).toBeCloseTo((-1.25 - 1 + 3.6) / 3, 5);
  });
  it("on-policy (old = stopGradient(logp)): ratio 1, gradient = −A/|o| per token for grpo", () => {
    const x = tf.variable(tf.tensor2d(logp));
    const { grads } = tf.variableGrads(
      () =>
        grpoLoss(
          {
            logp: x as unknown as tf.Tensor2D,
            oldLogp: null,
            refLogp: null,
            mask: tf.tensor2d(mask),
            advantages: tf.tensor1d(adv),
          },
          { beta: 0, epsilon: 0.2, lossType: "grpo", maxCompletionLength: 4 },
        ).loss,
      [x],
    );
    const g = grads[x.name].arraySync() as number[][];
    // d/dlogp of −A·exp(logp − sg(logp)) = −A; grpo divides by |o_i| and by B = 2
    expect(g[0][0]).toBeCloseTo(-1 / 2 / 2, 6);
    expect(g[0][1]).toBeCloseTo(-1 / 2 / 2, 6);
    expect(g[1][0]).toBeCloseTo(2 / 1 / 2, 6);
    expect(g[1][1]).toBe(0);
    x.dispose();
  });
});
