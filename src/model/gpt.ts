/**
 * The tiny decoder-only transformer — the SHARED MODEL SPEC (the PyTorch twin in bench/ codes to the same text).
 * GPT-2/nanoGPT shape: learned absolute positions, pre-LayerNorm blocks (eps 1e-5), causal softmax attention scaled by
 * 1/√head_dim, GELU(tanh) MLP of width 4C, biases on every linear, final LayerNorm, output head tied to wte.
 *
 * Layout (TF.js): y = x·W + b with W [in, out]. Weight names (also the checkpoint's weights.json order):
 *   wte [V,C]  wpe [block_size,C]
 *   h.{i}.ln_1.g/.b [C]  h.{i}.attn.w_q|w_k|w_v [C,C]  h.{i}.attn.b_q|b_k|b_v [C]  h.{i}.attn.w_o [C,C]  h.{i}.attn.b_o [C]
 *   h.{i}.ln_2.g/.b [C]  h.{i}.mlp.w_fc [C,4C]  h.{i}.mlp.b_fc [4C]  h.{i}.mlp.w_proj [4C,C]  h.{i}.mlp.b_proj [C]
 *   ln_f.g/.b [C]
 * q/k/v are separate matrices (tf.split is very slow on wasm); see ops.ts for the other wasm-friendly choices.
 *
 *   const m = GPT.init(config.model, seed);
 *   const logits = m.forward(idx);   // idx int32 [B,T] → [B,T,V]
 *   const h = m.hidden(idx);         // [B,T,C], the ln_f output (a reward head sits on this)
 */
import * as tf from "@tensorflow/tfjs";
import { rngFor, type Rng } from "../util/rng.ts";
import { BbioError } from "../util/errors.ts";
import type { ModelConfig } from "./config.ts";
import { attention, embedIds, fusedAttention, gelu, kvAttention, layerNorm, linear, mm } from "./ops.ts";

/**
 * Per-layer key/value cache for generation (inference only): k[i], v[i] are [B*H, block_size, hd], allocated on the
 * first forward and filled in rows 0..len-1 (kept outside any tidy). On the native backend each step writes its rows
 * in place (ops.ts kvAttention), so a decoding step copies one token's keys and values, not the whole cache.
 */
export interface KvCache {
  k: tf.Tensor3D[];
  v: tf.Tensor3D[];
  len: number;
}

export interface ForwardOptions {
  /** append this call's keys/values to the cache; idx then holds the tokens at positions kv.len .. kv.len+T-1 */
  kv?: KvCache;
  /** training mode: dropout active when config.dropout > 0 (seeded per call from the model's dropout stream) */
  train?: boolean;
}

/** Weight names and shapes in spec (= checkpoint) order. */
export function weightShapes(c: ModelConfig): [string, number[]][] {
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
    out.push([`${p}.mlp.w_fc`, [C, 4 * C]], [`${p}.mlp.b_fc`, [4 * C]]);
    out.push([`${p}.mlp.w_proj`, [4 * C, C]], [`${p}.mlp.b_proj`, [C]]);
  }
  out.push(["ln_f.g", [C]], ["ln_f.b", [C]]);
  return out;
}

/**
 * The parameter block a weight belongs to, for per-block gradient Grams (src/weighting/gram.ts blockGrams):
 *   embeddings   wte and wpe — wte is also the output head (tied), so there is no separate head block
 *   h.{i}.attn   layer i's attention (q/k/v/o weights and biases)
 *   h.{i}.mlp    layer i's MLP
 *   layernorm    every LayerNorm gain/bias (ln_1, ln_2 of each layer and ln_f): 2C values each, too small to read
 *                per layer
 */
export function parameterBlock(name: string): string {
  if (name === "wte" || name === "wpe") return "embeddings";
  if (/(^|\.)ln_(1|2|f)\.[gb]$/.test(name)) return "layernorm";
  const m = /^(h\.\d+)\.(attn|mlp)\./.exec(name);
  if (m) return `${m[1]}.${m[2]}`;
  throw new BbioError(`parameterBlock: no block for weight "${name}"`);
}

export function paramCount(c: ModelConfig): number {
  return weightShapes(c).reduce((s, [, shape]) => s + shape.reduce((a, b) => a * b, 1), 0);
}

/** Box–Muller normals from the seeded project RNG: one stream per weight name, so init is backend-independent. */
function normals(n: number, std: number, rng: Rng): Float32Array {
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

/** nanoGPT init: N(0, 0.02); residual projections (w_o, w_proj) N(0, 0.02/√(2·n_layer)); biases 0; LN g=1, b=0. */
export function initWeights(c: ModelConfig, seed: number): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [name, shape] of weightShapes(c)) {
    const n = shape.reduce((a, b) => a * b, 1);
    if (/\.g$/.test(name)) out.set(name, new Float32Array(n).fill(1));
    else if (/\.b$|\.b_[a-z]+$/.test(name)) out.set(name, new Float32Array(n));
    else out.set(name, normals(n, /w_o$|w_proj$/.test(name) ? 0.02 / Math.sqrt(2 * c.n_layer) : 0.02, rngFor(seed, `init:${name}`)));
  }
  return out;
}

let instances = 0; // tf.variable names are global to the engine: prefix each model's variables

export class GPT {
  readonly config: ModelConfig;
  /** trainable weights by spec name, in spec order */
  readonly params: Map<string, tf.Variable>;
  private dropoutRng: Rng;

  constructor(config: ModelConfig, weights: Map<string, Float32Array>, seed = 0) {
    if (config.n_embd % config.n_head !== 0)
      throw new BbioError(`model: n_embd ${config.n_embd} is not divisible by n_head ${config.n_head}`);
    this.config = config;
    this.params = new Map();
    const prefix = `gpt${instances++}`;
    for (const [name, shape] of weightShapes(config)) {
      const data = weights.get(name);
      const n = shape.reduce((a, b) => a * b, 1);
      if (!data || data.length !== n)
        throw new BbioError(`model: weight ${name} missing or has ${data?.length ?? 0} values, expected ${n} (shape [${shape}])`);
      // tidy: the variable keeps the data; the temporary tensor handle must not outlive the constructor
      this.params.set(
        name,
        tf.tidy(() => tf.variable(tf.tensor(data, shape, "float32"), true, `${prefix}/${name}`)),
      );
    }
    this.dropoutRng = rngFor(seed, "dropout");
  }

  static init(config: ModelConfig, seed: number): GPT {
    return new GPT(config, initWeights(config, seed), seed);
  }

  get variables(): tf.Variable[] {
    return [...this.params.values()];
  }

  private W(name: string): tf.Variable {
    return this.params.get(name)!;
  }

  private dropout(x: tf.Tensor, train: boolean): tf.Tensor {
    const p = this.config.dropout;
    if (!train || p <= 0) return x;
    return tf.dropout(x, p, undefined, Math.floor(this.dropoutRng() * 2 ** 31));
  }

  /** idx int32 [B,T] → final hidden states [B,T,C] (after ln_f). */
  hidden(idx: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor3D {
    const c = this.config;
    const [B, T] = idx.shape;
    const C = c.n_embd,
      H = c.n_head,
      hd = C / H;
    const kv = opts.kv,
      train = opts.train ?? false;
    const past = kv?.len ?? 0;
    const S = past + T; // keys visible to the newest token
    if (S > c.block_size) throw new BbioError(`sequence of ${S} tokens is longer than the model's block_size ${c.block_size}`);
    if (kv && train) throw new BbioError("forward: the KV cache is for inference (train mode has no cache)");

    // token embedding (ops.ts embedIds: a row gather on the native backend, one-hot · wte [B*T,V]·[V,C] otherwise),
    // plus positions past..S-1 of wpe
    const tok = tf.reshape(embedIds(tf.reshape(idx, [-1]) as tf.Tensor1D, this.W("wte")), [B, T, C]);
    let x = this.dropout(tf.add(tok, tf.slice(this.W("wpe"), [past, 0], [T, C])), train); // [B,T,C]

    // fused attention (native backend) unless attention dropout is active; it builds its own causal mask
    const fusedAtt = fusedAttention() && !(train && c.dropout > 0);
    // additive causal mask [T,S]: new token i (absolute position past+i) sees keys j ≤ past+i; a single new token
    // sees every key, so it needs none (adding the all-zero mask changed nothing); the cached path builds its own
    const mask = fusedAtt || T === 1 || kv ? null : tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([T, S]), -1, past)), -1e9);
    // [B,T,C] → [B*H,T,hd]
    const heads = (t: tf.Tensor) => tf.reshape(tf.transpose(tf.reshape(t, [B, T, H, hd]), [0, 2, 1, 3]), [B * H, T, hd]);

    for (let i = 0; i < c.n_layer; i++) {
      const p = `h.${i}`;
      // --- causal self-attention on ln_1(x)
      const a = layerNorm(x, this.W(`${p}.ln_1.g`), this.W(`${p}.ln_1.b`));
      let y: tf.Tensor; // [B,T,C], heads merged
      if (kv) {
        // decoding: this step's keys/values go into the layer's preallocated cache (in place on native)
        if (!kv.k[i]) {
          kv.k[i] = tf.keep(tf.zeros([B * H, c.block_size, hd])) as tf.Tensor3D;
          kv.v[i] = tf.keep(tf.zeros([B * H, c.block_size, hd])) as tf.Tensor3D;
        }
        const w = (n: string) => this.W(`${p}.attn.${n}`);
        const r = kvAttention(
          a,
          { wq: w("w_q"), bq: w("b_q"), wk: w("w_k"), bk: w("b_k"), wv: w("w_v"), bv: w("b_v") },
          kv.k[i],
          kv.v[i],
          H,
          past,
        );
        kv.k[i].dispose();
        kv.v[i].dispose();
        kv.k[i] = tf.keep(r.k) as tf.Tensor3D;
        kv.v[i] = tf.keep(r.v) as tf.Tensor3D;
        y = r.y;
      } else {
        const q = heads(linear(a, this.W(`${p}.attn.w_q`), this.W(`${p}.attn.b_q`))); // [B*H,T,hd]
        const k = heads(linear(a, this.W(`${p}.attn.w_k`), this.W(`${p}.attn.b_k`))); // [B*H,T,hd]
        const v = heads(linear(a, this.W(`${p}.attn.w_v`), this.W(`${p}.attn.b_v`))); // [B*H,T,hd]
        let yh: tf.Tensor; // [B*H,T,hd]
        if (fusedAtt) yh = attention(q, k, v, 1 / Math.sqrt(hd), past);
        else {
          const raw = tf.mul(mm(q, tf.transpose(k, [0, 2, 1])), 1 / Math.sqrt(hd));
          const scores = mask ? tf.add(raw, mask) : raw; // [B*H,T,S]
          const att = this.dropout(tf.softmax(scores), train);
          yh = mm(att, v);
        }
        y = tf.reshape(tf.transpose(tf.reshape(yh, [B, H, T, hd]), [0, 2, 1, 3]), [B, T, C]);
      }
      x = tf.add(x, this.dropout(linear(y, this.W(`${p}.attn.w_o`), this.W(`${p}.attn.b_o`)), train));
      // --- MLP on ln_2(x): C → 4C → C
      const m = layerNorm(x, this.W(`${p}.ln_2.g`), this.W(`${p}.ln_2.b`));
      const h = gelu(linear(m, this.W(`${p}.mlp.w_fc`), this.W(`${p}.mlp.b_fc`))); // [B,T,4C]
      x = tf.add(x, this.dropout(linear(h, this.W(`${p}.mlp.w_proj`), this.W(`${p}.mlp.b_proj`)), train));
    }
    if (kv) kv.len = S;
    return layerNorm(x, this.W("ln_f.g"), this.W("ln_f.b")) as tf.Tensor3D;
  }

  /**
   * hidden [B,T,C] → logits [B,T,V] through the tied head: h · wteᵀ. `wteT` is that transpose when the caller holds one
   * (decoding keeps it for the whole generation: the weights do not change between its steps, and transposing the
   * [V,C] table every token was a copy per step); the product is the same either way.
   */
  head(h: tf.Tensor3D, wteT?: tf.Tensor2D): tf.Tensor3D {
    const [B, T, C] = h.shape;
    return tf.reshape(mm(tf.reshape(h, [B * T, C]), wteT ?? tf.transpose(this.W("wte"))), [B, T, this.config.vocab_size]) as tf.Tensor3D;
  }

  /** wteᵀ [C,V], kept (outside any tidy): the caller disposes it. For a run of head() calls on fixed weights. */
  headWeights(): tf.Tensor2D {
    return tf.keep(tf.tidy(() => tf.transpose(this.W("wte")) as tf.Tensor2D));
  }

  /** idx int32 [B,T] → logits [B,T,V]. */
  forward(idx: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor3D {
    return tf.tidy(() => this.head(this.hidden(idx, opts)));
  }

  /** Weights as plain arrays (checkpointing, copying a reference model for GRPO's KL). */
  async weights(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const [name, v] of this.params) out.set(name, Float32Array.from(await v.data()));
    return out;
  }

  /** An independent copy (same config, same weights, fresh variables). */
  async clone(): Promise<GPT> {
    return new GPT(this.config, await this.weights());
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
  }
}

/** Free a KV cache's tensors. */
export function disposeKv(kv: KvCache): void {
  for (const t of [...kv.k, ...kv.v]) t.dispose();
  kv.k.length = 0;
  kv.v.length = 0;
  kv.len = 0;
}
