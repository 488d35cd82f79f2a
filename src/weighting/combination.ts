/**
 * Shared plumbing: gradients are touched only to form the Gram and to form d = Σ_k coef_k g_k.
 * Projections are tracked as a T×T coefficient matrix M with g̃_i = Σ_k M_ik g_k, so the projected Gram is
 * G̃ = M G Mᵀ and the final coefficients on the original gradients are coef = Mᵀ w.
 */
import { vectorKernels } from "../util/vector_kernels.ts";
import { gramMatrix, checkGrads } from "./gram.ts";
import { identity, matmul, normalizeWeights, transpose, type Matrix } from "./linalg.ts";
import type { CombineContext } from "./types.ts";

export function gramOf(grads: readonly Float32Array[], ctx: CombineContext | undefined): Matrix {
  checkGrads(grads);
  if (ctx?.gram) {
    if (ctx.gram.length !== grads.length) throw new Error(`ctx.gram is ${ctx.gram.length}×…, expected ${grads.length}×${grads.length}`);
    return ctx.gram;
  }
  return gramMatrix(grads);
}

export function prefWeights(T: number, ctx: CombineContext | undefined): number[] {
  if (!ctx?.weights) return new Array<number>(T).fill(1 / T);
  if (ctx.weights.length !== T) throw new Error(`got ${ctx.weights.length} weights for ${T} capabilities`);
  return normalizeWeights(ctx.weights);
}

/** direction = Σ_k coef_k g_k, accumulated in float64 per entry, stored as float32 (src/util/vector_kernels.ts). */
export function linearCombination(grads: readonly Float32Array[], coef: readonly number[]): Float32Array {
  const out = new Float32Array(grads[0].length);
  vectorKernels().combineInto(grads, Float64Array.from(coef), out);
  return out;
}

/** G̃ = M G Mᵀ */
export function projectedGram(M: Matrix, G: Matrix): Matrix {
  return matmul(matmul(M, G), transpose(M));
}

/** coef = Mᵀ w */
export function coefficients(M: Matrix, w: readonly number[]): number[] {
  const T = M.length;
  const coef = new Array<number>(T).fill(0);
  for (let i = 0; i < T; i++) for (let k = 0; k < T; k++) coef[k] += w[i] * M[i][k];
  return coef;
}

/** ‖g_i − g̃_i‖ per capability, from the Gram alone (g̃ = M g): how much of each gradient a projection removed */
export function removedNorms(M: Matrix, G: Matrix): number[] {
  const T = M.length;
  return M.map((row, i) => {
    const r = row.map((v, k) => (k === i ? 1 : 0) - v);
    let s = 0;
    for (let a = 0; a < T; a++) for (let b = 0; b < T; b++) s += r[a] * G[a][b] * r[b];
    return Math.sqrt(Math.max(s, 0));
  });
}

export { identity };
