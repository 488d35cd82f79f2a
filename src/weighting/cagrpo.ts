/**
 * cagrpo — OUR reconstruction of BalancedBio's "Capability-Aware GRPO" update (docs/method.md §6.5; the paper's
 * own formula is not public). Two steps:
 *
 * 1. Orthogonalise only the conflicting components, symmetrically. For each capability i let
 *    C(i) = { j ≠ i : g_i·g_j < 0 } (computed on the ORIGINAL gradients), and remove from g_i its component in
 *    span{ g_j : j ∈ C(i) }:
 *        g̃_i = g_i − Σ_{j∈C(i)} a_j g_j,   G_CC a = G_C,i   (least squares; pseudo-inverse if dependent)
 *    so g̃_i ⊥ g_j EXACTLY for every conflicting j — even with several conflicts, where PCGrad's sequential
 *    projections can re-introduce one — and the result does not depend on any order (no RNG). Non-conflicting
 *    (cooperative) components are kept: positive transfer is not thrown away (docs/method.md §7.1).
 *    For T = 2 this coincides with PCGrad.
 * 2. Weights on the projected gradients, d = Σ_c w_c g̃_c. Default "balanced": maximise the smallest first-order gain
 *    on the ORIGINAL objectives, max_{w∈Δ} min_c ⟨g_c, d⟩ (maxmin.ts); whenever feasible this gives every
 *    capability exactly the same improvement — the paper's "balanced development". Two special cases make it the
 *    derived closed form w_c = (1/‖g̃_c‖²)/Σ_k(1/‖g̃_k‖²) of W1 (docs/method.md §4.4): mutually orthogonal inputs (nothing is
 *    projected, gains w_c‖g_c‖²) and T = 2 (⟨g_c, g̃_k⟩ = 0 for c ≠ k after the projection). Alternatives as
 *    switches: "closed_form" (that formula on any inputs) and "min_norm" (MGDA on the projected Gram G̃ = M G Mᵀ).
 *    Why not min-norm by default: when one projected gradient is short and positively aligned with another, the
 *    min-norm point is that vertex alone and the other capability's gain is exactly 0 (tested) — it is "not hurt",
 *    but it stops developing, which is the opposite of balanced.
 *
 * Preference weights p (ctx.weights, the run's grpo.weight_strategy; default uniform) are APPLIED, never only logged:
 * they set the ratio of the first-order gains the update aims for. "balanced" maximises min_c gain_c / (T·p_c) — equal
 * gains when p is uniform (the rule above, unchanged), gains ∝ p_c otherwise; a capability with p_c = 0 imposes no
 * constraint. "closed_form" uses w_c ∝ p_c/‖g̃_c‖² (gains ∝ p_c when the projected gradients are orthogonal).
 * "min_norm" (MGDA) defines its own weights, so a non-uniform p under it is refused rather than silently dropped.
 *
 * Why step 1 exists: cosines are invariant to positive rescaling (cos(s_i g_i, s_j g_j) = cos(g_i, g_j)), so weights
 * alone can never make gradients orthogonal (docs/method.md §7.2). The diagnostics therefore record what the
 * projection did: cosines before/after, norm removed per capability, number of conflicting pairs.
 * Capabilities with ~zero (projected) gradient get weight 0 (see mgda.ts for why that is safe).
 */
import { cosines, firstOrderGains, norms } from "./gram.ts";
import { pinvSolveSym, type Matrix } from "./linalg.ts";
import { minNorm } from "./minnorm.ts";
import { maxMinGain } from "./maxmin.ts";
import { coefficients, gramOf, identity, linearCombination, prefWeights, projectedGram, removedNorms } from "./combination.ts";
import { activeCapabilities } from "./helpers.ts";
import type { CombineFn } from "./types.ts";
import { BbioError } from "../util/errors.ts";

/**
 * Step 1 as a coefficient matrix: g̃_i = Σ_k M[i][k] g_k. Then g̃_i·g_j = (M G)[i][j], which is 0 (to rounding) for
 * every j in C(i).
 */
export function conflictProjection(G: Matrix): { M: Matrix; conflictingPairs: number } {
  const T = G.length;
  const n0 = norms(G);
  const M = identity(T);
  let conflictingPairs = 0;
  for (let i = 0; i < T; i++) {
    const C = [...Array(T).keys()].filter((j) => j !== i && G[i][j] < 0 && n0[j] > 0);
    conflictingPairs += C.length;
    if (C.length === 0) continue;
    const a = pinvSolveSym(
      C.map((j) => C.map((k) => G[j][k])),
      C.map((j) => G[j][i]),
    );
    C.forEach((j, idx) => (M[i][j] -= a[idx]));
  }
  return { M, conflictingPairs: conflictingPairs / 2 };
}

export const cagrpo: CombineFn = (grads, ctx) => {
  const G = gramOf(grads, ctx);
  const T = G.length;
  const n0 = norms(G);
  const { M, conflictingPairs } = conflictProjection(G);
  const Gp = projectedGram(M, G);
  const np = norms(Gp);
  const cosAfter = cosines(Gp);
  const active = activeCapabilities(np, ctx?.zeroTol);

  let maxAbsCos = 0;
  for (const i of active) for (const j of active) if (i !== j) maxAbsCos = Math.max(maxAbsCos, Math.abs(cosAfter[i][j]));
  const rule = ctx?.weightRule ?? "balanced";
  const p = prefWeights(T, ctx);
  const uniformPrefs = p.every((x) => Math.abs(x - 1 / T) < 1e-12);
  if (!uniformPrefs && (rule === "min_norm" || active.length > 10))
    throw new BbioError("cagrpo: the min-norm weight rule defines its own weights; non-uniform preference weights would be ignored");

  const w = new Array<number>(T).fill(0);
  let minNormValue = NaN,
    maxMinValue = NaN;
  if (active.length === 0) w.fill(1 / T);
  else if (rule === "closed_form") {
    const inv = active.map((i) => p[i] / Gp[i][i]);
    const s = inv.reduce((x, y) => x + y, 0);
    if (s > 0) active.forEach((i, a) => (w[i] = inv[a] / s));
    else active.forEach((i) => (w[i] = 1 / active.length)); // every active capability has preference 0
  } else if (rule === "min_norm" || active.length > 10) {
    const r = minNorm(active.map((i) => active.map((j) => Gp[i][j])));
    active.forEach((i, a) => (w[i] = r.weights[a]));
    minNormValue = r.value;
  } else {
    // A[c][k] = ⟨g_c, g̃_k⟩ / (T·p_c) = (G Mᵀ)[c][k] / (T·p_c), rows: capabilities with a non-zero original gradient
    // and a non-zero preference (T·p_c = 1 under uniform preferences, so the default is the plain equal-gain rule)
    const nonZero = activeCapabilities(n0, ctx?.zeroTol);
    let rowsIdx = nonZero.filter((c) => p[c] > 0);
    if (rowsIdx.length === 0) rowsIdx = nonZero;
    const A = rowsIdx.map((c) => active.map((k) => M[k].reduce((acc, m, q) => acc + G[c][q] * m, 0) / (p[c] > 0 ? T * p[c] : 1)));
    const r = maxMinGain(A);
    active.forEach((i, a) => (w[i] = r.weights[a]));
    maxMinValue = r.value;
  }
  const coef = coefficients(M, w);
  const normRemoved = removedNorms(M, G);
  return {
    direction: linearCombination(grads, coef),
    weights: w,
    coef,
    dropped: [...Array(T).keys()].filter((i) => !active.includes(i)),
    diagnostics: {
      /** the preference weights that were applied (the weight strategy's output, normalised) */
      preferences: p,
      conflictingPairs,
      normRemoved,
      normBefore: n0,
      normAfter: np,
      cosBefore: cosines(G),
      cosAfter,
      maxAbsCosAfter: maxAbsCos,
      /** 0 = balanced (max–min gain), 1 = closed form, 2 = min-norm on the projected Gram */
      weightRule: rule === "balanced" && active.length <= 10 ? 0 : rule === "closed_form" ? 1 : 2,
      ...(Number.isFinite(minNormValue) ? { minNorm: minNormValue } : {}),
      ...(Number.isFinite(maxMinValue) ? { maxMinGain: maxMinValue } : {}),
      /** ⟨g̃_c, d⟩ on the projected gradients (equal for all active c under the closed form) */
      gainProjected: firstOrderGains(Gp, w).gain,
      /** ⟨g_c, d⟩ on the original gradients: what actually happens to each capability to first order */
      gain: firstOrderGains(G, coef).gain,
    },
  };
};
