/**
 * What the benchmark needs from a TF.js model, behind one small interface so `bench/run.ts` times the project's
 * model (src/model + src/sft, "project") and the spec twin in bench/spec_gpt.ts ("spec") the same way.
 */
import type { ShapeConfig } from "./flops.ts";
import type * as TF from "@tensorflow/tfjs";

export interface Batch {
  tokens: number[][]; // [B,T] inputs
  targets: number[][]; // [B,T] next tokens
}

export interface BenchAdapter {
  model: "project" | "spec";
  backend: string;
  params: number;
  /** which update trainStep applies — the PyTorch side mirrors it (adam: plain Adam; adamw: AdamW + grad clipping) */
  optimizer: "adam" | "adamw";
  /** One optimizer step (forward, backward, Adam update) on the batch; resolves once the step has finished. */
  trainStep(batch: Batch): Promise<number>;
  /** Greedy decoding of maxNew tokens after the prompts, with or without the KV cache. */
  generate(prompts: number[][], maxNew: number, useCache: boolean): Promise<number[][]>;
  dispose(): void;
}

/** The spec twin: bench/spec_gpt.ts with tf.train.adam. */
export async function specAdapter(cfg: ShapeConfig, seed: number, backendPref: string, lr = 1e-3): Promise<BenchAdapter> {
  const { initBackend } = await import("../src/model/backend.ts");
  const backend = await initBackend(backendPref, { quiet: true });
  const tf = await import("@tensorflow/tfjs");
  const { initWeights, forward, maskedLoss, greedy } = await import("./spec_gpt.ts");
  const { paramCount } = await import("./flops.ts");
  const w = initWeights(cfg, seed);
  const opt = tf.train.adam(lr);
  const vars = [...w.values()];
  return {
    model: "spec",
    backend,
    params: paramCount(cfg).total,
    optimizer: "adam",
    async trainStep(b) {
      const loss = tf.tidy(
        () =>
          opt.minimize(
            () => {
              const idx = tf.tensor2d(b.tokens, undefined, "int32");
              const tg = tf.tensor2d(b.targets, undefined, "int32");
              return maskedLoss(forward(cfg, w, idx), tg, tf.onesLike(tg) as TF.Tensor2D);
            },
            true,
            vars,
          )!,
      );
      const v = (await loss.data())[0];
      loss.dispose();
      return v;
    },
    generate: (prompts, maxNew, useCache) => greedy(cfg, w, prompts, maxNew, useCache),
    dispose() {
      opt.dispose();
      for (const v of vars) v.dispose();
    },
  };
}
