/**
 * Loops over large typed arrays that the native addon runs faster: the float64 sums of the gradient combine
 * (src/weighting, src/grpo/gradients.ts: pairwise dot products and coefficient-weighted sums over Float32Array
 * gradients of ~10⁶ entries), and the decoder's draw of one token per row from softmax(logits / t) (src/model/sample.ts).
 *
 * The JS functions here are the reference. The native addon (src/model/native.ts) installs faster twins with
 * `useVectorKernels` when it loads; they keep the same order of float64 operations, so every result is bit-identical
 * whichever runs (test/unit/vector_kernels.test.ts checks it). They are faster because one pass carries every pair's
 * sum at once: the JS dot waits on its single accumulator's add latency.
 */

export interface VectorKernels {
  /** acc[i·T + j] += Σ_k v_i[k]·v_j[k] for i ≤ j, each sum in k order starting from acc's value (T = v.length) */
  dotsInto(vectors: readonly Float32Array[], acc: Float64Array): void;
  /** out[k] = float32(Σ_c coef_c·g_c[k]), summed from 0 in c order, zero coefficients skipped */
  combineInto(grads: readonly Float32Array[], coef: Float64Array, out: Float32Array): void;
  /**
   * One draw per row b of `logits` ([B·V]) from softmax(logits_b / t), t > 0, no truncation: max = max(l)/t,
   * e_i = exp(l_i/t − max) (Math.exp's bits; the addon ports V8's fdlibm exp), z = Σ e_i in id order; r = u_b·z and the
   * token is the first id where r − Σ_{j≤i} e_j ≤ 0 (V−1 if rounding leaves r > 0). Writes ids[b] and
   * stats[2b..2b+1] = [max, z], from which the caller takes the token's log-prob l_id/t − (max + log z).
   */
  sampleRows(logits: Float32Array, V: number, t: number, uniforms: Float64Array, ids: Int32Array, stats: Float64Array): void;
}

let probScratch = new Float64Array(0);

function checkLengths(vectors: readonly Float32Array[], what: string): number {
  const n = vectors[0]?.length ?? 0;
  for (const v of vectors) if (v.length !== n) throw new Error(`${what}: vectors differ in length (${v.length} vs ${n})`);
  return n;
}

export const jsVectorKernels: VectorKernels = {
  dotsInto(vectors, acc) {
    const T = vectors.length;
    const n = checkLengths(vectors, "dotsInto");
    if (acc.length !== T * T) throw new Error(`dotsInto: acc holds ${acc.length} values, expected ${T * T}`);
    for (let i = 0; i < T; i++)
      for (let j = i; j < T; j++) {
        const a = vectors[i];
        const b = vectors[j];
        let s = acc[i * T + j];
        for (let k = 0; k < n; k++) s += a[k] * b[k];
        acc[i * T + j] = s;
      }
  },
  combineInto(grads, coef, out) {
    const n = checkLengths(grads, "combineInto");
    if (coef.length !== grads.length) throw new Error(`combineInto: ${coef.length} coefficients for ${grads.length} vectors`);
    if (out.length !== n) throw new Error(`combineInto: out has ${out.length} entries, vectors ${n}`);
    const acc = new Float64Array(n);
    grads.forEach((g, c) => {
      const w = coef[c];
      if (w === 0) return;
      for (let k = 0; k < n; k++) acc[k] += w * g[k];
    });
    out.set(acc);
  },
  sampleRows(logits, V, t, uniforms, ids, stats) {
    const B = uniforms.length;
    if (!(V > 0) || logits.length !== B * V || ids.length !== B || stats.length !== 2 * B)
      throw new Error(`sampleRows: ${logits.length} logits, V = ${V}, ${B} uniforms, ${ids.length} ids, ${stats.length} stats`);
    if (probScratch.length < V) probScratch = new Float64Array(V);
    const prob = probScratch;
    for (let b = 0; b < B; b++) {
      const o = b * V;
      let top = -Infinity;
      for (let i = 0; i < V; i++) if (logits[o + i] > top) top = logits[o + i];
      const max = top / t;
      let z = 0;
      for (let i = 0; i < V; i++) {
        const e = Math.exp(logits[o + i] / t - max);
        prob[i] = e;
        z += e;
      }
      let r = uniforms[b] * z;
      let id = V - 1;
      for (let i = 0; i < V; i++) {
        r -= prob[i];
        if (r <= 0) {
          id = i;
          break;
        }
      }
      ids[b] = id;
      stats[2 * b] = max;
      stats[2 * b + 1] = z;
    }
  },
};

let active: VectorKernels = jsVectorKernels;

/** Install faster kernels with the same results (the native addon does, on load); null restores the JS ones. */
export function useVectorKernels(kernels: VectorKernels | null): void {
  active = kernels ?? jsVectorKernels;
}

export function vectorKernels(): VectorKernels {
  return active;
}
