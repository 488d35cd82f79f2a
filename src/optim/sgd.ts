/**
 * Plain SGD with decoupled weight decay (torch.optim.SGD without momentum; HF TrainingArguments' optim="sgd"):
 *   θ ← θ·(1 − lr·λ) − lr·g
 * Why GRPO offers it (grpo.optim): the gradient-combination methods' guarantees are about the DIRECTION d they return
 * — PCGrad / cagrpo / MGDA give every capability a first-order gain ⟨g_c, d⟩ ≥ 0 (docs/method.md §7.1). SGD steps along
 * d, so the guarantee holds for a small enough step; AdamW steps along m/√v, a per-coordinate rescaling of d that can
 * turn a gain ≥ 0 into a loss. Same interface as AdamW (step/state/load/dispose); decay on matrices only, as AdamW.
 */
import * as tf from "@tensorflow/tfjs";
import type { OptimizerState } from "../model/checkpoint.ts";

export class SGD {
  t = 0;
  constructor(
    private params: Map<string, tf.Variable>,
    readonly hyper: { weightDecay: number },
  ) {}

  step(grads: Map<string, tf.Tensor>, lr: number): void {
    this.t += 1;
    const wd = this.hyper.weightDecay;
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const g = grads.get(name);
        if (!g) continue;
        const decayed = p.rank >= 2 && wd > 0 ? tf.mul(p, 1 - lr * wd) : p;
        p.assign(tf.sub(decayed, tf.mul(g, lr)));
      }
    });
  }

  async state(): Promise<OptimizerState> {
    return { step: this.t, hyper: { ...this.hyper }, tensors: new Map() };
  }

  load(s: OptimizerState): void {
    this.t = s.step;
  }

  dispose(): void {}
}
