/**
 * AdamW (Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization", arXiv 1711.05101) — the PyTorch
 * torch.optim.AdamW update, because TF.js ships only Adam (L2-coupled decay):
 *   m ← β1·m + (1−β1)·g ;  v ← β2·v + (1−β2)·g²
 *   θ ← θ·(1 − lr·λ) − lr · (m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε)
 * Decay applies to matrices only (rank ≥ 2: linear weights, wte, wpe), not to biases or LayerNorm gains — nanoGPT's
 * grouping. State (m, v, t) is plain named tensors so checkpoints can store and restore it exactly.
 * Also: global-norm gradient clipping (torch.nn.utils.clip_grad_norm_).
 */
import * as tf from "@tensorflow/tfjs";
import type { OptimizerState } from "../model/checkpoint.ts";
import { BbioError } from "../util/errors.ts";

const fusedAdamW = () => tf.getBackend() === "native";

export interface AdamWHyper {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export class AdamW {
  /** updates taken so far (t in the bias corrections) */
  t = 0;
  private m = new Map<string, tf.Variable>();
  private v = new Map<string, tf.Variable>();

  constructor(
    private params: Map<string, tf.Variable>,
    readonly hyper: AdamWHyper,
  ) {
    for (const [name, p] of params) {
      this.m.set(
        name,
        tf.tidy(() => tf.variable(tf.zerosLike(p), false)),
      );
      this.v.set(
        name,
        tf.tidy(() => tf.variable(tf.zerosLike(p), false)),
      );
    }
  }

  /** grads keyed by spec name (same keys as params). Returns nothing; variables are updated in place. */
  step(grads: Map<string, tf.Tensor>, lr: number): void {
    this.t += 1;
    const { beta1: b1, beta2: b2, eps, weightDecay: wd } = this.hyper;
    const bc1 = 1 - b1 ** this.t,
      bc2 = 1 - b2 ** this.t;
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const g = grads.get(name);
        if (!g) continue; // not in this step's graph: leave it (and its moments) untouched
        const m = this.m.get(name)!,
          v = this.v.get(name)!;
        if (fusedAdamW()) {
          // the native backend's one-kernel update (same maths; src/model/native.ts)
          const attrs = { lr, beta1: b1, beta2: b2, eps, weightDecay: p.rank >= 2 ? wd : 0, bc1, bc2 };
          const [np, nm, nv] = tf.engine().runKernel("BbioAdamW", { p, g, m, v } as unknown as tf.NamedTensorMap, attrs) as tf.Tensor[];
          m.assign(nm);
          v.assign(nv);
          p.assign(np);
          continue;
        }
        m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
        v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.mul(g, g), 1 - b2)));
        const update = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), eps));
        const decayed = p.rank >= 2 && wd > 0 ? tf.mul(p, 1 - lr * wd) : p;
        p.assign(tf.sub(decayed, tf.mul(update, lr)));
      }
    });
  }

  async state(): Promise<OptimizerState> {
    const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [name, m] of this.m) tensors.set(`m/${name}`, { shape: m.shape, data: Float32Array.from(await m.data()) });
    for (const [name, v] of this.v) tensors.set(`v/${name}`, { shape: v.shape, data: Float32Array.from(await v.data()) });
    return { step: this.t, hyper: { ...this.hyper }, tensors };
  }

  load(s: OptimizerState): void {
    for (const [kind, store] of [
      ["m", this.m],
      ["v", this.v],
    ] as const)
      for (const [name, variable] of store) {
        const t = s.tensors.get(`${kind}/${name}`);
        if (!t || t.data.length !== variable.size) throw new BbioError(`optimizer state: ${kind}/${name} missing or wrong size`);
        tf.tidy(() => variable.assign(tf.tensor(t.data, variable.shape, "float32")));
      }
    this.t = s.step;
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
  }
}

/**
 * Scale grads in place so their global L2 norm is ≤ maxNorm (0 = no clipping). Returns the pre-clip norm tensor
 * (scalar, caller disposes) — read it together with the loss to keep one device sync per step.
 */
export function clipByGlobalNorm(grads: Map<string, tf.Tensor>, maxNorm: number): tf.Scalar {
  if (fusedAdamW() && grads.size > 0) {
    // native backend: Σg² over every gradient in one kernel, the rescale of all of them in another (same maths)
    const names = [...grads.keys()];
    const inputs = Object.fromEntries(names.map((n, i) => [`g${i}`, grads.get(n)!])) as unknown as tf.NamedTensorMap;
    const norm = tf.tidy(() => tf.sqrt(tf.engine().runKernel("BbioSumSquares", inputs, {}) as tf.Tensor) as tf.Scalar);
    if (maxNorm > 0) {
      const scale = tf.tidy(() => tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6))));
      const scaled = tf.engine().runKernel("BbioScaleAll", { ...inputs, s: scale } as unknown as tf.NamedTensorMap, {}) as tf.Tensor[];
      names.forEach((n, i) => {
        grads.get(n)!.dispose();
        grads.set(n, scaled[i]);
      });
      scale.dispose();
    }
    return norm;
  }
  const norm = tf.tidy(() => tf.sqrt(tf.addN([...grads.values()].map((g) => tf.sum(tf.mul(g, g))))) as tf.Scalar);
  if (maxNorm > 0) {
    const scale = tf.tidy(() => tf.minimum(1, tf.div(maxNorm, tf.add(norm, 1e-6))));
    for (const [name, g] of grads) {
      grads.set(name, tf.mul(g, scale));
      g.dispose();
    }
    scale.dispose();
  }
  return norm;
}
