/**
 * The few tensor ops the model needs, written the way the wasm backend runs fast (measured with tf.profile on a
 * 470,528-parameter probe model: together these took wasm training from 670 to 2,854 tokens/s):
 *  - `mm`: matMul whose gradient uses explicit tf.transpose + plain matMul. Autodiff of tf.matMul emits
 *    transposeA/transposeB matmuls, which run ~30× slower on wasm.
 *  - `embed`: one-hot · table with a gradient only for the table (wasm has no UnsortedSegmentSum, the gradient
 *    of tf.gather, so lookups are matmuls; the one-hot side never needs a gradient, so we skip that matmul).
 *  - `gelu`: tanh approximation with x*x*x (pow is slow on wasm).
 *  - `layerNorm`: eps 1e-5 as in the shared spec.
 */
import * as tf from "@tensorflow/tfjs";

const T2 = (t: tf.Tensor) => tf.transpose(t, t.rank === 3 ? [0, 2, 1] : [1, 0]);

/** a [M,K]·b [K,N] → [M,N], or batched a [B,M,K]·b [B,K,N] → [B,M,N]. */
type Save = (ts: tf.Tensor[]) => void;
// customGrad's typing wants a variadic (...inputs) signature; the two-input form below is what it calls at run time
const custom = (
  f: (a: tf.Tensor, b: tf.Tensor, save: Save) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[] },
) => tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

export const mm = custom((a, b, save) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D),
    gradFunc: (dy, saved) => {
      const [x, y] = saved;
      // d(x·y)/dx = dy·yᵀ ;  d(x·y)/dy = xᵀ·dy
      return [tf.matMul(dy as tf.Tensor3D, T2(y) as tf.Tensor3D), tf.matMul(T2(x) as tf.Tensor3D, dy as tf.Tensor3D)];
    },
  };
});

/** oneHot [M,V] · table [V,C] → [M,C]; gradient flows to the table only (the one-hot is data). */
export const embed = custom((oneHot, table, save) => {
  save([oneHot]);
  return {
    value: tf.matMul(oneHot as tf.Tensor2D, table as tf.Tensor2D),
    gradFunc: (dy, saved) => {
      const [oh] = saved;
      return [tf.zerosLike(oh), tf.matMul(T2(oh) as tf.Tensor2D, dy as tf.Tensor2D)];
    },
  };
});

/**
 * Token ids [M] → rows of table [V,C] → [M,C]. The native backend gathers (its UnsortedSegmentSum gives the gradient);
 * other backends use one-hot · table (`embed`). Both give exactly the table's rows.
 */
export function embedIds(ids: tf.Tensor1D, table: tf.Tensor): tf.Tensor {
  if (fused()) return tf.gather(table, ids);
  return embed(tf.oneHot(ids, table.shape[0]), table);
}

/** native: x·W + b in one kernel (addmm), its gradient in one kernel ([dx, dW, db]) */
const linearFused = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, save: Save) => {
  save([x, w]);
  return {
    value: run("BbioLinear", { x, w, b }) as tf.Tensor,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => run("BbioLinearGrad", { dy, x: saved[0], w: saved[1] }) as tf.Tensor[],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** x [...,K] · W [K,N] + b [N] → [...,N] (flattened to 2-D for one plain matmul). */
export function linear(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (fused() && x.dtype === "float32" && w.rank === 2 && b.rank === 1)
    return taping() ? linearFused(x, w, b) : (run("BbioLinear", { x, w, b }) as tf.Tensor);
  const K = x.shape[x.rank - 1];
  const N = w.shape[1]!;
  const y = mm(tf.reshape(x, [-1, K]), w);
  return tf.add(tf.reshape(y, [...x.shape.slice(0, -1), N]), b);
}

/** The native backend (src/model/native.ts) has fused LayerNorm and GELU kernels; other backends compose them. */
const fused = () => tf.getBackend() === "native";
/**
 * Whether a gradient tape is recording. Without one (sampling, evaluation) the fused kernels are called directly,
 * skipping tf.customGrad's bookkeeping; the engine's isTapeOn() is internal, so when it is absent assume a tape.
 */
const engine = tf.engine() as unknown as { isTapeOn?: () => boolean };
const taping = () => (typeof engine.isTapeOn === "function" ? engine.isTapeOn() : true);
const run = (name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, number> = {}) =>
  tf.engine().runKernel(name, inputs as unknown as tf.NamedTensorMap, attrs) as unknown;

/** fused LayerNorm: one kernel forward ([y, mean, rstd]), one backward ([dx, dg, db]); same maths as below */
const layerNormFused = (eps: number) =>
  tf.customGrad(((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: Save) => {
    const [y, mean, rstd] = run("BbioLayerNorm", { x, g, b }, { eps }) as tf.Tensor[];
    save([x, g, mean, rstd]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sg, smean, srstd] = saved;
        return run("BbioLayerNormGrad", { dy, x: sx, mean: smean, rstd: srstd, g: sg }) as tf.Tensor[];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor;
const layerNormFusedByEps = new Map<number, (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor>();

const geluFused = tf.customGrad(((x: tf.Tensor, save: Save) => {
  save([x]);
  return {
    value: run("BbioGelu", { x }) as tf.Tensor,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [run("BbioGeluGrad", { dy, x: saved[0] }) as tf.Tensor],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor) => tf.Tensor;

/** LayerNorm over the last axis, eps 1e-5, scale g and shift b. */
export function layerNorm(x: tf.Tensor, g: tf.Tensor, b: tf.Tensor, eps = 1e-5): tf.Tensor {
  if (fused() && x.dtype === "float32" && x.rank >= 1 && x.shape[x.rank - 1] > 0) {
    if (!taping()) {
      const [y, mean, rstd] = run("BbioLayerNorm", { x, g, b }, { eps }) as tf.Tensor[];
      mean.dispose();
      rstd.dispose();
      return y;
    }
    let f = layerNormFusedByEps.get(eps);
    if (!f) layerNormFusedByEps.set(eps, (f = layerNormFused(eps)));
    return f(x, g, b);
  }
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), g), b);
}

/**
 * Whether tf.gather can pick rows here: always without a gradient tape; under one only on the native backend (wasm
 * has no UnsortedSegmentSum, gather's gradient).
 */
export const rowGather = (): boolean => fused() || !taping();

/** True when `attention` below runs as one fused kernel (the native backend). */
export const fusedAttention = (): boolean => fused();

/**
 * Causal softmax attention, fused (native backend only; callers check fusedAttention()):
 * q [BH,T,hd], k/v [BH,S,hd] → softmax(q·kᵀ·scale + causal mask) · v  [BH,T,hd], query t at absolute position past+t
 * seeing keys j ≤ past+t (masked scores get −1e9, as the composed path's additive mask). One kernel forward, one back.
 */
export function attention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, scale: number, past: number): tf.Tensor {
  if (!taping()) {
    const [y, att] = run("BbioAttention", { q, k, v }, { scale, past }) as tf.Tensor[];
    att.dispose();
    return y;
  }
  const f = tf.customGrad(((q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, save: Save) => {
    const [y, att] = run("BbioAttention", { q, k, v }, { scale, past }) as tf.Tensor[];
    save([q, k, v, att]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, s: tf.Tensor[]) =>
        run("BbioAttentionGrad", { dy, q: s[0], k: s[1], v: s[2], att: s[3] }, { scale }) as tf.Tensor[],
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => tf.Tensor;
  return f(q, k, v);
}

/** q/k/v projection weights of one attention layer (kvAttention's input). */
export interface QkvWeights {
  wq: tf.Tensor;
  bq: tf.Tensor;
  wk: tf.Tensor;
  bk: tf.Tensor;
  wv: tf.Tensor;
  bv: tf.Tensor;
}

/**
 * Cached self-attention for decoding (inference: no gradient through the caches). x [B,T,C] is the ln_1 output of
 * the tokens at positions past..past+T-1; kc/vc [B*H, Smax, hd] are the layer's key/value caches, rows 0..past-1
 * filled. Returns y [B,T,C] (softmax(q·kᵀ/√hd + causal mask)·v, heads merged, before the output projection) and the
 * caches with this call's keys/values in rows past..past+T-1.
 *   native: one kernel (BbioKvAttention) — q/k/v projections, an in-place write into the preallocated caches and the
 *           attention; the returned caches alias the input caches' data (dispose the inputs, keep the outputs).
 *   elsewhere (and under a gradient tape): the same maths in TF.js ops, returning new cache tensors.
 */
export function kvAttention(
  x: tf.Tensor,
  w: QkvWeights,
  kc: tf.Tensor,
  vc: tf.Tensor,
  nHead: number,
  past: number,
): { y: tf.Tensor; k: tf.Tensor; v: tf.Tensor } {
  const [B, T, C] = x.shape as [number, number, number];
  const H = nHead,
    hd = C / H,
    S = past + T,
    BH = B * H,
    Smax = kc.shape[1]!;
  const scale = 1 / Math.sqrt(hd);
  if (fused() && !taping() && x.dtype === "float32") {
    const [y, k, v] = run("BbioKvAttention", { x, ...w, kc, vc }, { nHead, past, scale }) as tf.Tensor[];
    return { y, k, v };
  }
  // [B,T,C] → [B*H,T,hd]
  const heads = (t: tf.Tensor) => tf.reshape(tf.transpose(tf.reshape(t, [B, T, H, hd]), [0, 2, 1, 3]), [BH, T, hd]);
  const q = heads(linear(x, w.wq, w.bq));
  // the cache with rows past..S-1 replaced by this call's keys (values)
  const put = (c: tf.Tensor, n: tf.Tensor) => {
    const parts = [tf.slice(c, [0, 0, 0], [BH, past, hd]), n, tf.slice(c, [0, S, 0], [BH, Smax - S, hd])].filter((p) => p.size > 0);
    return parts.length === 1 ? tf.clone(parts[0]) : tf.concat(parts, 1);
  };
  const k = put(kc, heads(linear(x, w.wk, w.bk)));
  const v = put(vc, heads(linear(x, w.wv, w.bv)));
  const ks = tf.slice(k, [0, 0, 0], [BH, S, hd]),
    vs = tf.slice(v, [0, 0, 0], [BH, S, hd]);
  let yh: tf.Tensor; // [B*H,T,hd]
  if (fusedAttention()) yh = attention(q, ks, vs, scale, past);
  else {
    // the composed attention of gpt.ts: additive −1e9 causal mask (one new token sees every key and needs none)
    const raw = tf.mul(mm(q, tf.transpose(ks, [0, 2, 1])), scale);
    const scores = T === 1 ? raw : tf.add(raw, tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([T, S]), -1, past)), -1e9));
    yh = mm(tf.softmax(scores), vs);
  }
  return { y: tf.reshape(tf.transpose(tf.reshape(yh, [B, H, T, hd]), [0, 2, 1, 3]), [B, T, C]), k, v };
}

/** GELU, tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (fused() && x.dtype === "float32") return taping() ? geluFused(x) : (run("BbioGelu", { x }) as tf.Tensor);
  const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

/**
 * logp[n, targets[n]] for each row: logp [N,V], targets [N] → [N]. The native backend gathers from the flattened
 * [N·V] values (its UnsortedSegmentSum gives the gradient, a scatter into zeros); other backends multiply by a one-hot
 * and sum (wasm has no gather gradient). Both give exactly the picked values and the same gradient: the one-hot sum
 * adds only exact zeros to the picked value.
 */
export function pickLogprob(logp: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const [N, V] = logp.shape;
  if (fused())
    return tf.tidy(() =>
      tf.gather(tf.reshape(logp, [N * V]), tf.add(tf.mul(tf.range(0, N, 1, "int32"), tf.scalar(V, "int32")), targets)),
    ) as tf.Tensor1D;
  return tf.sum(tf.mul(logp, tf.oneHot(targets, V)), -1) as tf.Tensor1D;
}
