/**
 * Generation and per-token log-probabilities — the API the GRPO loop and evaluation call.
 *
 *   generate(model, prompts: number[][], opts) → Promise<{tokens: number[][], logprobs: number[][], finished: boolean[]}>
 *     prompts are token ids as fed to the model (tokenizer.encodePrompt → [BOS] prompt [SEP]); tokens[b] are the
 *     completion ids INCLUDING the stop token when one was hit (so sequenceLogprobs of them covers EOS, as SFT does);
 *     logprobs[b][t] = log softmax(logits/temperature)[tokens[b][t]] (temperature 0 → plain log softmax), the
 *     sampling policy's log-prob — top-k/top-p truncation is not renormalised into it (as in TRL).
 *     opts: {maxNewTokens, temperature=1 (0 = greedy), topK=0 (off), topP=1 (off), seed=0, stop=[EOS], useCache=true}
 *     Seeded: the same seed, model and prompts give the same tokens. Prompts of different lengths are decoded in
 *     groups of equal length (learned absolute positions make left-padding change the maths).
 *
 *   sequenceLogprobs(model, {prompts, completions}, temperature=1) → tf.Tensor2D [B, Tc]
 *     DIFFERENTIABLE (call it inside tf.variableGrads): log π(completion[b][t] | prompt[b], completion[b][<t]).
 *     Tc = longest completion; positions past a row's length are 0 (use completionMask for the [B,Tc] 0/1 mask).
 *   sequenceLogprobsArray(...) → Promise<number[][]> — the same numbers, ragged, no gradient.
 */
import * as tf from "@tensorflow/tfjs";
import { rngFor, type Rng } from "../util/rng.ts";
import { vectorKernels } from "../util/vector_kernels.ts";
import { BbioError } from "../util/errors.ts";
import { disposeKv, type GPT, type KvCache } from "./gpt.ts";
import { EOS, PAD, type Tokenizer } from "./tokenizer.ts";
import { mm, pickLogprob, rowGather } from "./ops.ts";

export interface GenerateOptions {
  maxNewTokens: number;
  temperature?: number;
  topK?: number;
  topP?: number;
  seed?: number;
  stop?: number[];
  useCache?: boolean;
}

export interface Generation {
  tokens: number[][];
  logprobs: number[][];
  finished: boolean[];
}

// Scratch buffers of sampleRow, grown to the vocabulary once: one row is sampled per decoding step and row, so
// allocating (and sorting) per call dominated the sampler's time.
let scratchV = 0;
let probBuf = new Float64Array(0); // a truncated draw's candidate probabilities, highest logit first
let idBuf = new Uint32Array(0); // candidate ids, highest logit first (ties: lower id first)
let idTmp = new Uint32Array(0);
let keyBuf = new Uint32Array(0); // radix keys: ascending key = descending logit
let keyTmp = new Uint32Array(0);
const RADIX_BITS = 11;
const counts = new Uint32Array(1 << RADIX_BITS);
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function ensureScratch(V: number): void {
  if (scratchV >= V) return;
  scratchV = V;
  probBuf = new Float64Array(V);
  idBuf = new Uint32Array(V);
  idTmp = new Uint32Array(V);
  keyBuf = new Uint32Array(V);
  keyTmp = new Uint32Array(V);
}

/**
 * idBuf[0..V) ← the ids ordered by logit, highest first, ties by id: a stable LSD radix sort over the float bits
 * (three passes of 11 bits), the order the comparator sort (logits[b] − logits[a] || a − b) gives, at a fraction of
 * its cost. The key maps a float to a uint32 whose ascending order is the float's descending order (−0 and +0 share
 * one key, as they compare equal).
 */
function sortIdsByLogit(logits: Float32Array, V: number): void {
  for (let i = 0; i < V; i++) {
    f32[0] = logits[i] === 0 ? 0 : logits[i];
    const bits = u32[0];
    const asc = bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0; // ascending float order
    keyBuf[i] = ~asc >>> 0; // descending
    idBuf[i] = i;
  }
  let keys = keyBuf,
    ids = idBuf,
    keysOut = keyTmp,
    idsOut = idTmp;
  for (let shift = 0; shift < 32; shift += RADIX_BITS) {
    counts.fill(0);
    const mask = (1 << RADIX_BITS) - 1;
    for (let i = 0; i < V; i++) counts[(keys[i] >>> shift) & mask]++;
    let sum = 0;
    for (let d = 0; d < counts.length; d++) {
      const c = counts[d];
      counts[d] = sum;
      sum += c;
    }
    for (let i = 0; i < V; i++) {
      const pos = counts[(keys[i] >>> shift) & mask]++;
      keysOut[pos] = keys[i];
      idsOut[pos] = ids[i];
    }
    [keys, keysOut] = [keysOut, keys];
    [ids, idsOut] = [idsOut, ids];
  }
  if (ids !== idBuf) idBuf.set(ids.subarray(0, V)); // an odd number of passes ends in the scratch copy
}

const truncates = (topK: number, topP: number, V: number) => (topK > 0 && topK < V) || topP < 1;

/**
 * The decoder's draws for rows [B·V] of logits with temperature t > 0 and no top-k / top-p: one batched call (the
 * native addon's loop when it is loaded, src/util/vector_kernels.ts), one uniform from each row's own stream — the same
 * tokens and log-probs as sampleRow row by row.
 */
function untruncatedDraws(logits: Float32Array, V: number, t: number, rngs: readonly Rng[]): [number, number][] {
  const B = rngs.length;
  const uniforms = Float64Array.from(rngs, (rng) => rng());
  const ids = new Int32Array(B);
  const stats = new Float64Array(2 * B);
  vectorKernels().sampleRows(logits, V, t, uniforms, ids, stats);
  return Array.from(ids, (id, b) => [id, logits[b * V + id] / t - (stats[2 * b] + Math.log(stats[2 * b + 1]))]);
}

/**
 * Pick one token id from logits (one row) with temperature / top-k / top-p; returns [id, logprob].
 * Without truncation (topK 0 or ≥ V, topP 1) the draw walks the ids in id order: an inverse-CDF draw is exact in any
 * fixed order, and no sort is needed. With truncation the candidates are ordered by probability (ties by id), kept
 * while top-k and top-p allow, and the draw walks them in that order.
 */
export function sampleRow(logits: Float32Array, temperature: number, topK: number, topP: number, rng: Rng): [number, number] {
  const V = logits.length;
  const t = temperature > 0 ? temperature : 1;
  if (temperature <= 0) {
    // greedy: the first max wins, like tf.argMax; its log-prob under log softmax(logits)
    let best = 0;
    for (let i = 1; i < V; i++) if (logits[i] > logits[best]) best = i;
    const max = logits[best];
    let z = 0;
    for (let i = 0; i < V; i++) z += Math.exp(logits[i] - max);
    return [best, logits[best] - (max + Math.log(z))];
  }
  if (!truncates(topK, topP, V)) return untruncatedDraws(logits, V, t, [rng])[0]; // the decoder's batched draw, one row
  ensureScratch(V);
  // log softmax of logits/t (the policy whose log-prob we report). max(lᵢ/t) = max(lᵢ)/t exactly (t > 0, and a
  // correctly rounded division is monotonic), so the max needs one division, not V
  let top = -Infinity;
  for (let i = 0; i < V; i++) if (logits[i] > top) top = logits[i];
  const max = top / t;
  let z = 0;
  for (let i = 0; i < V; i++) z += Math.exp(logits[i] / t - max);
  const logZ = max + Math.log(z);
  const lp = (i: number) => logits[i] / t - logZ;
  sortIdsByLogit(logits, V);
  let n = topK > 0 && topK < V ? topK : V;
  // probs[j] ← the j-th candidate's probability
  const probs = probBuf;
  for (let j = 0; j < n; j++) probs[j] = Math.exp(lp(idBuf[j]));
  if (topP < 1) {
    let total = 0;
    for (let j = 0; j < n; j++) total += probs[j];
    let acc = 0,
      keep = 0;
    while (keep < n && acc < topP * total) acc += probs[keep++];
    n = Math.max(1, keep);
  }
  let total = 0;
  for (let j = 0; j < n; j++) total += probs[j];
  let r = rng() * total;
  for (let j = 0; j < n; j++) {
    r -= probs[j];
    if (r <= 0) return [idBuf[j], lp(idBuf[j])];
  }
  const last = idBuf[n - 1];
  return [last, lp(last)];
}

/**
 * Decode one group of equal-length prompts. A row that stops leaves the batch: the rows still decoding are compacted
 * (their KV cache rows gathered into a smaller cache), so the remaining steps compute only live rows instead of
 * decoding padding until the longest row ends. Each row keeps its own sampling stream, so what a row samples depends
 * on the logits it gets, and those only on the batch's row count through the kernels' blocking (deterministic).
 */
async function generateGroup(model: GPT, prompts: number[][], o: Required<GenerateOptions>, rngs: Rng[]): Promise<Generation> {
  const P = prompts[0].length;
  const H = model.config.n_head;
  const V = model.config.vocab_size;
  const maxNew = Math.min(o.maxNewTokens, model.config.block_size - P);
  const seqs = prompts.map((p) => p.slice());
  const out: Generation = { tokens: prompts.map(() => []), logprobs: prompts.map(() => []), finished: prompts.map(() => false) };
  const stop = new Set(o.stop);
  const kv: KvCache | undefined = o.useCache ? { k: [], v: [], len: 0 } : undefined;
  let live = prompts.map((_, b) => b); // the rows still decoding, in batch order
  const wteT = model.headWeights(); // one transpose for the whole generation, not one per token
  try {
    for (let s = 0; s < maxNew && live.length > 0; s++) {
      // with the cache: the whole prompt first, then only the newest token
      const feed = live.map((b) => (kv && s > 0 ? seqs[b].slice(-1) : seqs[b]));
      const B = live.length;
      const last = tf.tidy(() => {
        const h = model.hidden(tf.tensor2d(feed, [B, feed[0].length], "int32"), { kv }); // [B,T,C]
        // only the newest position's logits are needed: the tied head on that row alone
        const T = h.shape[1];
        return tf.reshape(model.head(T === 1 ? h : (tf.slice(h, [0, T - 1, 0], [B, 1, -1]) as tf.Tensor3D), wteT), [B, -1]); // [B,V]
      });
      const data = (await last.data()) as Float32Array;
      last.dispose();
      const kept: number[] = []; // batch positions of the rows that go on
      const draws =
        o.temperature > 0 && !truncates(o.topK, o.topP, V)
          ? untruncatedDraws(
              data,
              V,
              o.temperature,
              live.map((b) => rngs[b]),
            )
          : live.map((b, j) => sampleRow(data.subarray(j * V, (j + 1) * V), o.temperature, o.topK, o.topP, rngs[b]));
      live.forEach((b, j) => {
        const [id, logp] = draws[j];
        seqs[b].push(id);
        out.tokens[b].push(id);
        out.logprobs[b].push(logp);
        if (stop.has(id)) out.finished[b] = true;
        else kept.push(j);
      });
      if (kept.length < B && kept.length > 0 && kv) compactKv(kv, kept, H);
      live = kept.map((j) => live[j]);
    }
  } finally {
    if (kv) disposeKv(kv);
    wteT.dispose();
  }
  return out;
}

/** Keep batch rows `rows` (positions in the current batch) of every layer's cache: blocks b·H .. b·H+H−1. */
function compactKv(kv: KvCache, rows: number[], H: number): void {
  const idx = tf.tensor1d(
    rows.flatMap((b) => Array.from({ length: H }, (_, h) => b * H + h)),
    "int32",
  );
  for (const cache of [kv.k, kv.v])
    for (let i = 0; i < cache.length; i++) {
      const next = tf.gather(cache[i], idx) as tf.Tensor3D;
      cache[i].dispose();
      cache[i] = next;
    }
  idx.dispose();
}

export async function generate(model: GPT, prompts: number[][], opts: GenerateOptions): Promise<Generation> {
  const o: Required<GenerateOptions> = {
    temperature: 1,
    topK: 0,
    topP: 1,
    seed: 0,
    stop: [EOS],
    useCache: true,
    ...opts,
  };
  if (!(o.maxNewTokens >= 0)) throw new BbioError(`generate: maxNewTokens must be ≥ 0, got ${o.maxNewTokens}`);
  if (!(o.topP > 0 && o.topP <= 1)) throw new BbioError(`generate: topP must be in (0, 1], got ${o.topP}`);
  const res: Generation = { tokens: [], logprobs: [], finished: [] };
  // group rows by prompt length; each row gets its own sampling stream (seed, row index) so results do not depend
  // on how rows are grouped or batched
  const groups = new Map<number, number[]>();
  prompts.forEach((p, i) => {
    if (p.length === 0) throw new BbioError("generate: empty prompt");
    if (p.length >= model.config.block_size)
      throw new BbioError(`generate: prompt of ${p.length} tokens leaves no room in block_size ${model.config.block_size}`);
    groups.set(p.length, [...(groups.get(p.length) ?? []), i]);
  });
  for (const rows of groups.values()) {
    const g = await generateGroup(
      model,
      rows.map((i) => prompts[i]),
      o,
      rows.map((i) => rngFor(o.seed, `sample:${i}`)),
    );
    rows.forEach((i, j) => {
      res.tokens[i] = g.tokens[j];
      res.logprobs[i] = g.logprobs[j];
      res.finished[i] = g.finished[j];
    });
  }
  return res;
}

export interface LogprobBatch {
  prompts: number[][];
  completions: number[][];
}

/** [B,Tc] float mask: 1 where completions[b] has a token at t. */
export function completionMask(completions: number[][], Tc = Math.max(1, ...completions.map((c) => c.length))): tf.Tensor2D {
  return tf.tensor2d(
    completions.map((c) => Array.from({ length: Tc }, (_, t) => (t < c.length ? 1 : 0))),
    [completions.length, Tc],
    "float32",
  );
}

/**
 * Differentiable per-token log-probs of the completions, [B, Tc] (0 beyond each row's length).
 * Rows are right-padded prompt+completion sequences of length L; position p predicts token p+1. Where a row gather is
 * available (ops.ts rowGather: native, or no gradient tape) the completion positions' hidden states are gathered and
 * only they go through the head and log-softmax; otherwise (wasm under a tape: tf.gather has no gradient there) every
 * position's log-probs are computed and a 0/1 selection tensor S [B,L,Tc] moves row b's predictions for its
 * completion (positions P_b−1 .. P_b+|c_b|−2) into columns 0..|c_b|−1 with one batched matmul.
 */
export function sequenceLogprobs(model: GPT, batch: LogprobBatch, temperature = 1): tf.Tensor2D {
  const { prompts, completions } = batch;
  const B = prompts.length;
  if (B === 0 || completions.length !== B) throw new BbioError(`sequenceLogprobs: ${B} prompts but ${completions.length} completions`);
  const Tc = Math.max(1, ...completions.map((c) => c.length));
  const L = Math.max(...prompts.map((p, b) => p.length + completions[b].length)) - 1; // inputs drop the last token
  if (L > model.config.block_size)
    throw new BbioError(`sequenceLogprobs: prompt+completion of ${L + 1} tokens exceeds block_size+1 = ${model.config.block_size + 1}`);
  if (prompts.some((p) => p.length === 0)) throw new BbioError("sequenceLogprobs: empty prompt");
  const inputs: number[][] = [],
    targets: number[][] = [];
  for (let b = 0; b < B; b++) {
    const seq = [...prompts[b], ...completions[b]];
    const row = seq.slice(0, -1),
      tgt = seq.slice(1);
    while (row.length < L) row.push(PAD), tgt.push(PAD);
    inputs.push(row);
    targets.push(tgt);
  }
  if (rowGather()) {
    // only the completion positions go through the vocabulary head: row b's column t is position P_b−1+t (clamped
    // past its end, where the mask zeroes it), so the prompt positions' logits are never computed
    const at = new Int32Array(B * Tc),
      tgt = new Int32Array(B * Tc),
      mask = new Float32Array(B * Tc);
    for (let b = 0; b < B; b++) {
      const P = prompts[b].length;
      for (let t = 0; t < Tc; t++) {
        const i = b * Tc + t;
        at[i] = b * L + Math.min(P - 1 + t, L - 1);
        if (t < completions[b].length) (tgt[i] = completions[b][t]), (mask[i] = 1);
      }
    }
    return tf.tidy(() => {
      const h = model.hidden(tf.tensor2d(inputs, [B, L], "int32")); // [B,L,C]
      const C = h.shape[2];
      const rows = tf.gather(tf.reshape(h, [B * L, C]), tf.tensor1d(at, "int32")); // [B*Tc,C]
      const logits = tf.reshape(model.head(tf.reshape(rows, [1, B * Tc, C]) as tf.Tensor3D), [B * Tc, -1]);
      const scaled = temperature === 1 ? logits : tf.div(logits, temperature);
      const tok = pickLogprob(tf.logSoftmax(scaled) as tf.Tensor2D, tf.tensor1d(tgt, "int32")); // [B*Tc]
      return tf.reshape(tf.mul(tok, tf.tensor1d(mask, "float32")), [B, Tc]) as tf.Tensor2D;
    });
  }
  const sel = new Float32Array(B * L * Tc);
  for (let b = 0; b < B; b++) {
    const P = prompts[b].length;
    for (let t = 0; t < completions[b].length; t++) sel[(b * L + (P - 1 + t)) * Tc + t] = 1;
  }
  return tf.tidy(() => {
    const logits = model.forward(tf.tensor2d(inputs, [B, L], "int32")); // [B,L,V]
    const V = logits.shape[2];
    const scaled = temperature === 1 ? logits : tf.div(logits, temperature);
    const logp = tf.logSoftmax(tf.reshape(scaled, [B * L, V])) as tf.Tensor2D; // [B*L,V]
    const tok = pickLogprob(logp, tf.tensor1d(targets.flat(), "int32")); // [B*L]
    // [B,1,L]·[B,L,Tc] → [B,1,Tc]
    const picked = mm(tf.reshape(tok, [B, 1, L]), tf.tensor3d(sel, [B, L, Tc]));
    return tf.reshape(picked, [B, Tc]) as tf.Tensor2D;
  });
}

/** Non-differentiable convenience: ragged number[][] of the same log-probs. */
export async function sequenceLogprobsArray(model: GPT, batch: LogprobBatch, temperature = 1): Promise<number[][]> {
  const t = sequenceLogprobs(model, batch, temperature);
  const data = (await t.array()) as number[][];
  t.dispose();
  return data.map((row, b) => row.slice(0, batch.completions[b].length));
}

/**
 * Summed log-likelihood of each (prompt, completion) pair, scoring many pairs per forward: the pairs are ordered by
 * length (so a batch pads little) and scored `batchSize` rows at a time. Each row's numbers come from its own
 * tokens only (causal attention keeps the right padding out); the row count of its batch may move the last float bit
 * through the kernels' blocking, deterministically.
 */
export async function sequenceLogprobSums(model: GPT, batch: LogprobBatch, batchSize = 64): Promise<number[]> {
  const { prompts, completions } = batch;
  if (!(batchSize >= 1)) throw new BbioError(`sequenceLogprobSums: batchSize must be ≥ 1, got ${batchSize}`);
  const length = (i: number) => prompts[i].length + completions[i].length;
  const order = prompts.map((_, i) => i).sort((a, b) => length(a) - length(b) || a - b);
  const out = new Array<number>(prompts.length);
  for (let k = 0; k < order.length; k += batchSize) {
    const rows = order.slice(k, k + batchSize);
    const lp = await sequenceLogprobsArray(model, { prompts: rows.map((i) => prompts[i]), completions: rows.map((i) => completions[i]) });
    rows.forEach((i, j) => (out[i] = lp[j].reduce((a, b) => a + b, 0)));
  }
  return out;
}

/** One multiple-choice question for bestCompletions: a prompt and its options' texts. */
export interface Choice {
  prompt: string;
  completions: readonly string[];
}

/**
 * Cloze choice per question: the index of the completion with the highest summed log-likelihood after the prompt
 * (each completion ends with EOS, so a prefix of a longer option does not win by being short; ties: the first).
 * lm-evaluation-harness's `acc` for multiple choice. Every question's options are scored together, batchSize rows
 * per forward (sequenceLogprobSums).
 */
export async function bestCompletions(model: GPT, tok: Tokenizer, questions: readonly Choice[], batchSize = 64): Promise<number[]> {
  const prompts: number[][] = [],
    completions: number[][] = [];
  for (const q of questions) {
    const p = tok.encodePrompt(q.prompt);
    for (const c of q.completions) prompts.push(p), completions.push(tok.encodeCompletion(c));
  }
  const sums = await sequenceLogprobSums(model, { prompts, completions }, batchSize);
  let at = 0;
  return questions.map((q) => {
    const mine = sums.slice(at, (at += q.completions.length));
    return mine.indexOf(Math.max(...mine));
  });
}
