import { describe, expect, it, beforeAll } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { SGD } from "../../src/optim/sgd.ts";
import { grpoSchema } from "../../src/grpo/config.ts";

describe("SGD (grpo.optim = sgd)", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });
  it("steps along −lr·g, with decoupled decay on matrices only (hand-computed)", async () => {
    const params = new Map<string, tf.Variable>([
      [
        "w",
        tf.variable(
          tf.tensor2d([
            [1, 2],
            [3, 4],
          ]),
        ),
      ],
      ["b", tf.variable(tf.tensor1d([1, -1]))],
    ]);
    const opt = new SGD(params, { weightDecay: 0.5 });
    opt.step(
      new Map<string, tf.Tensor>([
        [
          "w",
          tf.tensor2d([
            [1, 0],
            [0, 1],
          ]),
        ],
        ["b", tf.tensor1d([2, 2])],
      ]),
      0.1,
    );
    // w: w·(1 − 0.1·0.5) − 0.1·g ; b: no decay
    const w = Array.from(await params.get("w")!.data());
    [1 * 0.95 - 0.1, 2 * 0.95, 3 * 0.95, 4 * 0.95 - 0.1].forEach((x, i) => expect(w[i]).toBeCloseTo(x, 6));
    expect(Array.from(await params.get("b")!.data()).map((x) => +x.toFixed(6))).toEqual([0.8, -1.2]);
    expect(opt.t).toBe(1);
    const s = await opt.state();
    const again = new SGD(params, { weightDecay: 0.5 });
    again.load(s);
    expect(again.t).toBe(1);
  });
  it("is a GRPO option next to TRL's default AdamW, and nothing else is accepted", () => {
    expect(grpoSchema.parse({}).optim).toBe("adamw_torch");
    expect(grpoSchema.parse({ optim: "sgd" }).optim).toBe("sgd");
    expect(() => grpoSchema.parse({ optim: "adam" })).toThrow();
  });
});
