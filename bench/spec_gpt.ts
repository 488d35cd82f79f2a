/**
 * A minimal TF.js implementation of the SHARED MODEL SPEC, kept in bench/ as an independent second reading of the
 * spec: it lets the PyTorch twin be checked (and the benchmark run) without depending on src/model's internals,
 * and it is the fallback `npm run bench -- --model spec` uses. The project's model is src/model/gpt.ts.
 *
 * Layout: linear weights are [in, out] (y = x·W + b); names as in weights.json (wte, wpe, h.{i}.attn.w_q, ...).
 * wasm-friendly ops (src/model/ops.ts says why): one-hot matmul embedding (wasm has no gather gradient), separate q/k/v
 * matrices (no tf.split), matMul whose gradient uses explicit transposes (transposeA/B matmuls are ~30× slower on wasm).
 */
import * as tf from "@tensorflow/tfjs";
import { rngFor } from "../src/util/rng.ts";
import type { ShapeConfig } from "./flops.ts";

export type Weights = Map<string, tf.Variable>;

/** Spec weight names and shapes, in checkpoint order. */
export function weightShapes(c: ShapeConfig): [string, number[]][] {
  const C = c.n_embd;
  const out: [string, number[]][] = [
    ["wte", [c.vocab_size, C]],
    ["wpe", [c.block_size, C]],
  ];
  for (let i = 0; i < c.n_layer; i++) {
    const p = `h.${i}`;
    out.push([`${p}.ln_1.g`, [C]], [`${p}.ln_1.b`, [C]]);
    for (const w of ["q", "k", "v"]) out.push([`${p}.attn.w_${w}`, [C, C]]);
    for (const w of ["q", "k", "v"]) out.push([`${p}.attn.b_${w}`, [C]]);
    out.push([`${p}.attn.w_o`, [C, C]], [`${p}.attn.b_o`, [C]]);
    out.push([`${p}.ln_2.g`, [C]], [`${p}.ln_2.b`, [C]]);
    out.push([`${p}.mlp.w_fc`, [C, 4 * C]], [`${p}.mlp.b_fc`, [4 * C]], [`${p}.mlp.w_proj`, [4 * C, C]], [`${p}.mlp.b_proj`, [C]]);
  }
  out.push(["ln_f.g", [C]], ["ln_f.b", [C]]);
  return out;
}

/** Box–Muller normals from the seeded project RNG (deterministic across backends). */
function normals(n: number, std: number, seed: number, label: string): Float32Array {
  const rng = rngFor(seed, label);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = Math.max(rng(), 1e-12),
      v = rng();
    const r = std * Math.sqrt(-2 * Math.log(u));
    a[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) a[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return a;
}

/** nanoGPT init: N(0,.02); w_o and w_proj N(0, .02/sqrt(2L)); biases 0; LN g=1, b=0. */
let instances = 0; // tf.variable names must be unique per engine
export function initWeights(c: ShapeConfig, seed: number): Weights {
  const w: Weights = new Map();
  const instance = instances++;
  for (const [name, shape] of weightShapes(c)) {
    const n = shape.reduce((a, b) => a * b, 1);
    let data: Float32Array;
    if (name.endsWith(".g")) data = new Float32Array(n).fill(1);
    else if (name.endsWith(".b") || /\.b_/.test(name)) data = new Float32Array(n);
    else data = normals(n, /w_o$|w_proj$/.test(name) ? 0.02 / Math.sqrt(2 * c.n_layer) : 0.02, seed, name);
    w.set(name, tf.variable(tf.tensor(data, shape), true, `spec_${instance}/${name}`));
  }
  return w;
}

// customGrad's declared type takes (...inputs: (Tensor | GradSaveFunc)[]); our functions name their inputs
type CustomGradFn = Parameters<typeof tf.customGrad>[0];

/** a·b for 2-D or batched 3-D a, with a gradient made of plain matMuls + explicit transposes (fast on wasm). */
const mm = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: (ts: tf.Tensor[]) => void) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [x, y] = saved;
      const rank = x.rank;
      const perm = rank === 3 ? [0, 2, 1] : [1, 0];
      const dx = tf.matMul(dy as tf.Tensor3D, tf.transpose(y, y.rank === 3 ? [0, 2, 1] : [1, 0]) as tf.Tensor3D);
      let dw: tf.Tensor;
      if (y.rank === 2 && rank === 3) {
        // shared weight used on [B,T,K]: flatten the batch, dW = xᵀ·dy  → [K,N]
        const x2 = tf.reshape(x, [-1, x.shape[2]!]),
          dy2 = tf.reshape(dy, [-1, dy.shape[2]!]);
        dw = tf.matMul(tf.transpose(x2, [1, 0]) as tf.Tensor2D, dy2 as tf.Tensor2D);
      } else dw = tf.matMul(tf.transpose(x, perm) as tf.Tensor3D, dy as tf.Tensor3D);
      return [dx, dw];
    },
  };
}) as CustomGradFn) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** oneHot [M,V]·table [V,C] with a gradient for the table only: the one-hot is data, its gradient is never used. */
const embed = tf.customGrad(((oh: tf.Tensor, table: tf.Tensor, save: (ts: tf.Tensor[]) => void) => {
  save([oh]);
  return {
    value: tf.matMul(oh as tf.Tensor2D, table as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
      tf.zerosLike(saved[0]),
      tf.matMul(tf.transpose(saved[0]) as tf.Tensor2D, dy as tf.Tensor2D),
    ],
  };
}) as CustomGradFn) as (oh: tf.Tensor, table: tf.Tensor) => tf.Tensor;

/** x [B,T,K] · W [K,N] + b [N] → [B,T,N] */
function linear(x: tf.Tensor3D, w: tf.Tensor, b: tf.Tensor): tf.Tensor3D {
  const [B, T, K] = x.shape;
  const y = mm(tf.reshape(x, [B * T, K]), w);
  return tf.add(tf.reshape(y, [B, T, w.shape[1]!]), b) as tf.Tensor3D;
}

function layerNorm(x: tf.Tensor3D, g: tf.Tensor, b: tf.Tensor): tf.Tensor3D {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b) as tf.Tensor3D;
}

/** GELU, tanh approximation: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) — x*x*x, not pow (slow on wasm). */
function gelu(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

/** Per-layer key/value cache for generation: k[i], v[i] are [B*H, len, hd]. */
export interface KvCache {
  k: tf.Tensor3D[];
  v: tf.Tensor3D[];
  len: number;
}

/**
 * idx [B,T] int32 → logits [B,T,V]. With `kv`, idx holds the T tokens that follow the kv.len cached positions:
 * their keys/values are appended to the cache (new cache tensors are tf.keep'd, the old ones disposed), so one
 * token per call costs O(T) attention instead of re-running the whole prefix.
 */
export function forward(c: ShapeConfig, w: Weights, idx: tf.Tensor2D, kv?: KvCache): tf.Tensor3D {
  const [B, T] = idx.shape;
  const C = c.n_embd,
    H = c.n_head,
    hd = C / H;
  const past = kv?.len ?? 0;
  const S = past + T; // keys visible to the new tokens
  if (S > c.block_size) throw new Error(`sequence ${S} longer than block_size ${c.block_size}`);
  const W = (n: string) => w.get(n)!;
  const wte = W("wte");
  // one-hot matmul embedding [B*T,V]·[V,C] + positions [T,C]
  const tok = tf.reshape(embed(tf.oneHot(tf.reshape(idx, [-1]), c.vocab_size), wte), [B, T, C]);
  let x = tf.add(tok, tf.slice(W("wpe"), [past, 0], [T, C])) as tf.Tensor3D;
  // additive causal mask [T,S]: new token i (absolute position past+i) sees keys j <= past+i
  const mask = tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([T, S]), -1, past)), -1e9);
  const heads = (t: tf.Tensor3D) => tf.reshape(tf.transpose(tf.reshape(t, [B, T, H, hd]), [0, 2, 1, 3]), [B * H, T, hd]) as tf.Tensor3D;
  for (let i = 0; i < c.n_layer; i++) {
    const p = `h.${i}`;
    const a = layerNorm(x, W(`${p}.ln_1.g`), W(`${p}.ln_1.b`));
    const q = heads(linear(a, W(`${p}.attn.w_q`), W(`${p}.attn.b_q`))); // [B*H,T,hd]
    let k = heads(linear(a, W(`${p}.attn.w_k`), W(`${p}.attn.b_k`)));
    let v = heads(linear(a, W(`${p}.attn.w_v`), W(`${p}.attn.b_v`)));
    if (kv) {
      if (past > 0) {
        const [k0, v0] = [kv.k[i], kv.v[i]];
        k = tf.concat([k0, k], 1);
        v = tf.concat([v0, v], 1);
        k0.dispose();
        v0.dispose();
      }
      kv.k[i] = tf.keep(k);
      kv.v[i] = tf.keep(v);
    }
    const att = tf.softmax(tf.add(tf.mul(mm(q, tf.transpose(k, [0, 2, 1])), 1 / Math.sqrt(hd)), mask)); // [B*H,T,S]
    const y = tf.reshape(tf.transpose(tf.reshape(mm(att, v), [B, H, T, hd]), [0, 2, 1, 3]), [B, T, C]) as tf.Tensor3D;
    x = tf.add(x, linear(y, W(`${p}.attn.w_o`), W(`${p}.attn.b_o`))) as tf.Tensor3D;
    const m = layerNorm(x, W(`${p}.ln_2.g`), W(`${p}.ln_2.b`));
    const h = gelu(linear(m, W(`${p}.mlp.w_fc`), W(`${p}.mlp.b_fc`))) as tf.Tensor3D;
    x = tf.add(x, linear(h, W(`${p}.mlp.w_proj`), W(`${p}.mlp.b_proj`))) as tf.Tensor3D;
  }
  if (kv) kv.len = S;
  const f = layerNorm(x, W("ln_f.g"), W("ln_f.b"));
  // tied output head: [B*T,C]·wteᵀ [C,V]
  return tf.reshape(mm(tf.reshape(f, [B * T, C]), tf.transpose(wte)), [B, T, c.vocab_size]) as tf.Tensor3D;
}

/** Greedy decoding of `maxNew` tokens after equal-length prompts, with or without the KV cache. */
export async function greedy(c: ShapeConfig, w: Weights, prompts: number[][], maxNew: number, useCache: boolean): Promise<number[][]> {
  const seqs = prompts.map((p) => p.slice());
  const kv: KvCache | undefined = useCache ? { k: [], v: [], len: 0 } : undefined;
  for (let s = 0; s < maxNew; s++) {
    // with the cache: the whole prompt on the first call, then only the last token
    const feed = useCache && s > 0 ? seqs.map((q) => q.slice(-1)) : seqs;
    const next = tf.tidy(() => {
      const logits = forward(c, w, tf.tensor2d(feed, undefined, "int32"), kv);
      return tf.argMax(tf.squeeze(tf.slice(logits, [0, logits.shape[1] - 1, 0], [-1, 1, -1]), [1]), -1);
    });
    const ids = await next.data();
    next.dispose();
    seqs.forEach((q, b) => q.push(ids[b]));
  }
  if (kv) for (const t of [...kv.k, ...kv.v]) t.dispose();
  return seqs.map((q, b) => q.slice(prompts[b].length));
}

/** Mean cross-entropy over positions with mask 1 (prompt positions 0). */
export function maskedLoss(logits: tf.Tensor3D, targets: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  const V = logits.shape[2];
  const logp = tf.logSoftmax(tf.reshape(logits, [-1, V]));
  const nll = tf.neg(tf.sum(tf.mul(logp, tf.oneHot(tf.reshape(targets, [-1]), V)), -1));
  const m = tf.reshape(tf.cast(mask, "float32"), [-1]);
  return tf.div(tf.sum(tf.mul(nll, m)), tf.maximum(tf.sum(m), 1)) as tf.Scalar;
}

/**
 * Writes the spec's weight files (config.json, weights.bin, weights.json with byte offsets) — just enough of the
 * checkpoint format for the PyTorch twin to load; full checkpoints (tokenizer, optimizer, state) are src/model's.
 */
export async function saveSpecWeights(dir: string, c: ShapeConfig, w: Weights): Promise<void> {
  const { mkdir, writeFile } = await import("node:fs/promises");
  const { join } = await import("node:path");
  await mkdir(dir, { recursive: true });
  const index: { name: string; shape: number[]; offset: number }[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const [name] of weightShapes(c)) {
    const v = w.get(name)!;
    const data = Float32Array.from(await v.data()); // copy: little-endian on every platform Node runs on
    index.push({ name, shape: v.shape, offset });
    chunks.push(Buffer.from(data.buffer));
    offset += data.byteLength;
  }
  await writeFile(join(dir, "config.json"), JSON.stringify({ model: c }, null, 2));
  await writeFile(join(dir, "weights.json"), JSON.stringify(index));
  await writeFile(join(dir, "weights.bin"), Buffer.concat(chunks));
}
