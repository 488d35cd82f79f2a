/**
 * The project's own model and training step, as the benchmark drives them: GPT (src/model/gpt.ts), the masked
 * next-token loss (src/sft/batch.ts), global-norm clipping and AdamW (src/optim/adamw.ts) — the same pieces, in the
 * same order, as one SFT step — and generate() (src/model/sample.ts) for sampling with/without the KV cache.
 * The PyTorch side mirrors this step: AdamW (decay on matrices only, β=(0.9, 0.95)) + clip_grad_norm_(1.0).
 */
import type { BenchAdapter } from "./adapter.ts";
import type { ShapeConfig } from "./flops.ts";

export const PROJECT_OPTIMIZER = { name: "adamw", lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, clip: 1.0 } as const;

export async function projectAdapter(cfg: ShapeConfig, seed: number, backendPref: string): Promise<BenchAdapter> {
  const tf = await import("@tensorflow/tfjs");
  const { initBackend } = await import("../src/model/backend.ts");
  const { GPT, paramCount } = await import("../src/model/gpt.ts");
  const { generate } = await import("../src/model/sample.ts");
  const { AdamW, clipByGlobalNorm } = await import("../src/optim/adamw.ts");
  const { maskedLoss } = await import("../src/sft/batch.ts");
  const backend = await initBackend(backendPref, { quiet: true });
  const model = GPT.init({ ...cfg, dropout: 0 }, seed);
  const o = PROJECT_OPTIMIZER;
  const opt = new AdamW(model.params, { beta1: o.beta1, beta2: o.beta2, eps: o.eps, weightDecay: o.weightDecay });
  const names = [...model.params.keys()];
  return {
    model: "project",
    backend,
    params: paramCount(model.config),
    optimizer: "adamw",
    async trainStep(b) {
      const idx = tf.tensor2d(b.tokens, undefined, "int32");
      const tg = tf.tensor2d(b.targets, undefined, "int32");
      const mask = tf.onesLike(tg).asType("float32") as typeof tg;
      // loss and gradients of every weight; variableGrads keys are variable names ("gpt0/wte"), map back to spec names
      const { value, grads } = tf.variableGrads(() => maskedLoss(model.forward(idx), tg, mask), model.variables);
      const bySpec = new Map<string, import("@tensorflow/tfjs").Tensor>();
      model.variables.forEach((v, i) => bySpec.set(names[i], grads[v.name]));
      const norm = clipByGlobalNorm(bySpec, o.clip);
      opt.step(bySpec, o.lr);
      const loss = (await value.data())[0];
      for (const t of [value, norm, idx, tg, mask, ...bySpec.values()]) t.dispose();
      return loss;
    },
    async generate(prompts, maxNew, useCache) {
      // greedy (temperature 0), no stop tokens: always maxNew tokens, so cached and uncached do the same work
      const g = await generate(model, prompts, { maxNewTokens: maxNew, temperature: 0, stop: [], useCache });
      return g.tokens;
    },
    dispose() {
      opt.dispose();
      model.dispose();
    },
  };
}
