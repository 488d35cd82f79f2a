/**
 * aligned_mtl — "Independent Component Alignment for Multi-Task Learning", Senushkin, Patakin, Kuznetsov &
 * Konushin, CVPR 2023 (arXiv 2305.19000), Alg. 1; same computation as LibMTL's Aligned_MTL.
 *
 * Make the T gradients an orthogonal, equal-norm system with the smallest change: with the Gram M = V Λ Vᵀ
 * (rank r, eigenvalues λ_1 ≥ … ≥ λ_r > 0),
 *     B = √λ_r · V Λ^{-1/2} Vᵀ,   ĝ_i = Σ_k B_ik g_k,   d = Σ_i w_i ĝ_i   (coef = B w; B is symmetric)
 * The aligned gradients have Gram B M B = λ_r · V Vᵀ: mutually orthogonal with equal norm √λ_r when M is full rank
 * (condition number 1) — the orthogonality BalancedBio asks for, obtained by a linear map rather than by weights.
 *
 * Against LibMTL's Aligned_MTL (LibMTL/weighting/Aligned_MTL.py; test/weighting/libmtl.test.ts, random matrices incl. a
 * zero row): the same direction to 1e-4. Deliberate difference: LibMTL's weights are alpha = B·1 (a SUM over the
 * aligned gradients), ours B·w with simplex preferences w, the mean by default — a factor T (types.ts).
 */
import { cosines, firstOrderGains } from "./gram.ts";
import { symEig, type Matrix } from "./linalg.ts";
import { coefficients, gramOf, linearCombination, prefWeights, projectedGram } from "./combination.ts";
import type { CombineFn } from "./types.ts";

/** torch.finfo(torch.float32).eps */
export const FLOAT32_EPS = 1.1920928955078125e-7;

export function alignmentMatrix(G: Matrix): { B: Matrix; eigenvalues: number[]; rank: number } {
  const T = G.length;
  const { values, vectors: V } = symEig(G);
  // LibMTL's rank tolerance, tol = λ_max · T · torch.finfo().eps with torch's default dtype float32 (eps = 2⁻²³).
  // Gradients arrive as float32, so an eigenvalue below that is rounding, not signal; a tighter tolerance keeps a
  // near-zero capability gradient, and its tiny λ_r then sets σ_r = √λ_r and the 1/√λ_r stretch along its
  // eigenvector — the update is dominated by the direction that carries the least signal.
  const tol = Math.max(values[0], 0) * T * FLOAT32_EPS;
  const keep = values.map((v, k) => (v > tol ? k : -1)).filter((k) => k >= 0);
  const B: Matrix = Array.from({ length: T }, () => new Array<number>(T).fill(0));
  if (keep.length === 0) return { B, eigenvalues: values, rank: 0 };
  const sigmaMin = Math.sqrt(values[keep[keep.length - 1]]);
  for (const k of keep) {
    const f = sigmaMin / Math.sqrt(values[k]);
    for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) B[i][j] += f * V[i][k] * V[j][k];
  }
  return { B, eigenvalues: values, rank: keep.length };
}

export const alignedMtl: CombineFn = (grads, ctx) => {
  const G = gramOf(grads, ctx);
  const T = G.length;
  const w = prefWeights(T, ctx);
  const { B, eigenvalues, rank } = alignmentMatrix(G);
  const coef = coefficients(B, w); // Bᵀ w = B w
  return {
    direction: linearCombination(grads, coef),
    weights: w,
    coef,
    diagnostics: {
      eigenvalues,
      rank,
      cosBefore: cosines(G),
      cosAfter: cosines(projectedGram(B, G)),
      gain: firstOrderGains(G, coef).gain,
    },
  };
};
