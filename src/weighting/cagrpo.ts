/**
 * cagrpo — OUR reconstruction of BalancedBio's "Capability-Aware GRPO" update (docs/method.md §6.5; the paper's
 * own formula is not public). Only ACTIVE capabilities take part: S = { c : p_c > 0 and g_c ≠ 0 }. A capability with
 * preference 0, or with a zero gradient (every completion of every group got the same reward → zero advantage), has
 * no say: it is in no conflict set C(i), in no balance or floor row, and gets weight 0 (tested: adding one changes no
 * other capability's coefficient).
 *
 * 1. Remove conflicting directions, symmetrically. For i ∈ S let C(i) = { j ∈ S, j ≠ i : g_i·g_j < 0 } (on the
 *    ORIGINAL gradients) and remove from g_i its component in span{ g_j : j ∈ C(i) }:
 *        g̃_i = g_i − Σ_{j∈C(i)} a_j g_j,   G_CC a = G_C,i   (least squares; pseudo-inverse if dependent)
 *    so g̃_i ⊥ g_j EXACTLY for every conflicting j, with any number of conflicts and in no order (no RNG).
 *    Cooperative components are kept (positive transfer is not thrown away, docs/method.md §7.1).
 * 2. Remove dominating magnitudes. The step is built from the UNIT conflict-free directions ũ_k = g̃_k/‖g̃_k‖, and the
 *    preferences set each capability's share of it:
 *        d = s · Σ_k v_k ũ_k,   s = Σ_k p̂_k ‖g̃_k‖   (p̂: p renormalised over the active set; coef = Mᵀ(s v/‖g̃‖))
 *        v = argmax_{v∈Δ} min_c v_c / p̂_c   s.t.  ⟨g_c, d⟩ ≥ 0 for every c ∈ S          (maxmin.ts maxMinWithFloor)
 *    Whenever v = p̂ keeps every first-order gain ≥ 0, v = p̂ exactly (the balance value is then 1); otherwise the
 *    floor moves v as little as the max–min ratio allows. s only restores the gradients' scale (‖Σ v ũ‖ ≤ 1).
 *    Why: in GRPO a capability's gradient norm reflects its batch's reward spread and token count, not its importance,
 *    and a larger gradient dominates any sum — one of Yu et al. 2020's three causes of interference, beside conflicting
 *    directions. Here the direction gives each capability's conflict-free direction the share its preference asks for.
 *
 * First-order guarantee (tested on random Grams): if some v ∈ Δ has every original gain ⟨g_c, d⟩ ≥ 0, d has it. For
 * |S| = 2 it always holds and the floor never binds: after the projection ⟨g_c, g̃_k⟩ = 0 for k ≠ c and
 * ⟨g_c, g̃_c⟩ = ‖g̃_c‖², so gain_c = s p̂_c ‖g̃_c‖ > 0 unless g_c is parallel to the other gradient. If no v meets the
 * floor (|S| ≥ 3 only), v maximises the worst original gain instead (maxMinGain; the least first-order harm in the
 * cone of the projected gradients) and floorFeasible = 0 is logged.
 *
 * Why not equal first-order gains on the original objectives ((G Mᵀ w)_c = t): with every capability in the solution
 * coef = Mᵀ w = t·G⁻¹1 whatever M is — MGDA's direction (with it, the stored default runs equal MGDA's). Any rule
 * that equalises original gains in span{g} is MGDA wherever MGDA is interior. Why not equal
 * gains on the projected Gram G̃ = M G Mᵀ (coef = t·G⁻¹M⁻¹p̂, also not MGDA): ⟨g̃_c, g̃_k⟩ > 0 for a conflicting pair
 * (T = 2: −G_12(1 − cos²)), so that balance credits a capability with progress along the other's projected gradient
 * that its original objective never sees (⟨g_c, g̃_k⟩ = 0); it put all weight on the larger gradient and left the
 * dominated capability with gain exactly 0 in the toy problem (step.test.ts) and in most steps of the conflict
 * control (docs/method.md §6.5).
 * Not MGDA, not PCGrad (tested): for T = 2 and uniform preferences d ∝ ũ_1 + ũ_2, gains ∝ ‖g_c‖ — MGDA's are equal,
 * PCGrad's ∝ ‖g̃_c‖². (That one case coincides with LibMTL's MGDA under its 'l2' normalisation; with preferences or
 * T ≥ 3 it does not.)
 *
 * "Orthogonality-preserving", in the only sense the formula earns: capability k's part of the step has zero
 * first-order effect on every capability it conflicts with (g̃_k ⊥ g_j, j ∈ C(k)). d itself is not orthogonal to
 * anything, and cosines cannot be changed by weights (docs/method.md §7.2).
 *
 * Switches (ctx.weightRule): "closed_form" w_c ∝ p_c/‖g̃_c‖² on the projected gradients, "min_norm" (MGDA on G̃;
 * refuses non-uniform p). With more than 6 active capabilities (beyond the exact LP's vertex enumeration) "balanced"
 * uses v = p̂ without the floor. Diagnostics: cosines before/after, norm removed, conflicting pairs, shares v,
 * floorFeasible, gains on the original and the projected gradients.
 */
import { cosines, firstOrderGains, norms } from "./gram.ts";
import { pinvSolveSym, type Matrix } from "./linalg.ts";
import { minNorm } from "./minnorm.ts";
import { maxMinGain, maxMinWithFloor } from "./maxmin.ts";
import { coefficients, gramOf, identity, linearCombination, prefWeights, projectedGram, removedNorms } from "./combination.ts";
import { activeCapabilities } from "./helpers.ts";
import type { CombineFn, WeightRule } from "./types.ts";
import { BbioError } from "../util/errors.ts";

/** the largest number of capabilities the exact balanced rule handles (vertex enumeration in maxMinWithFloor) */
export const MAX_EXACT = 6;

/**
 * Step 1 as a coefficient matrix: g̃_i = Σ_k M[i][k] g_k. Then g̃_i·g_j = (M G)[i][j], which is 0 (to rounding) for
 * every j in C(i). Only `active` capabilities project and are projected against (default: every non-zero gradient);
 * the rows of the others stay identity rows (they get weight 0 anyway).
 */
export function conflictProjection(G: Matrix, active?: readonly number[]): { M: Matrix; conflictingPairs: number } {
  const T = G.length;
  const n0 = norms(G);
  const S = active ?? [...Array(T).keys()].filter((j) => n0[j] > 0);
  const M = identity(T);
  let conflictingPairs = 0;
  for (const i of S) {
    const C = S.filter((j) => j !== i && G[i][j] < 0 && n0[j] > 0);
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
  const p = prefWeights(T, ctx);
  // S: non-zero gradient and a non-zero preference — the only capabilities that steer anything
  const S = activeCapabilities(n0, ctx?.zeroTol).filter((c) => p[c] > 0);
  const { M, conflictingPairs } = conflictProjection(G, S);
  const Gp = projectedGram(M, G);
  const np = norms(Gp);
  const cosAfter = cosines(Gp);
  // K: active capabilities whose projected gradient is non-zero (g_2 = −g_1 cancels both: no direction left)
  const Ksub = activeCapabilities(
    S.map((c) => np[c]),
    ctx?.zeroTol,
  );
  const K = Ksub.map((a) => S[a]);

  let maxAbsCos = 0;
  for (const i of K) for (const j of K) if (i !== j) maxAbsCos = Math.max(maxAbsCos, Math.abs(cosAfter[i][j]));
  const rule = ctx?.weightRule ?? "balanced";
  const pS = S.reduce((a, c) => a + p[c], 0);
  const pK = K.reduce((a, c) => a + p[c], 0);
  const uniformPrefs = S.every((c) => Math.abs(p[c] / pS - 1 / S.length) < 1e-12);
  const useMinNorm = rule === "min_norm";
  if (!uniformPrefs && useMinNorm)
    throw new BbioError("cagrpo: the min-norm weight rule defines its own weights; non-uniform preference weights would be ignored");

  const w = new Array<number>(T).fill(0);
  let minNormValue = NaN,
    balanceValue = NaN,
    floorFeasible = NaN;
  let shares: number[] = [];
  if (K.length === 0) {
    // nothing left to step along: d = 0 (every active gradient is zero or cancelled by its conflicts)
  } else if (rule === "closed_form") {
    const inv = K.map((i) => p[i] / Gp[i][i]);
    const s = inv.reduce((x, y) => x + y, 0);
    K.forEach((i, a) => (w[i] = inv[a] / s));
  } else if (useMinNorm) {
    const r = minNorm(K.map((i) => K.map((j) => Gp[i][j])));
    K.forEach((i, a) => (w[i] = r.weights[a]));
    minNormValue = r.value;
  } else if (K.length > MAX_EXACT) {
    // beyond the exact LP: the preference shares without the floor (see the header)
    K.forEach((i) => (w[i] = p[i] / pK / np[i]));
    shares = K.map((i) => p[i] / pK);
  } else {
    // unknowns v (shares of the unit conflict-free directions ũ_k = g̃_k/‖g̃_k‖); balance rows v_c/p̂_c ≥ t,
    // floor rows ⟨g_c, ũ_k⟩ v ≥ 0 for every active c
    const B = K.map((c) => K.map((k) => (k === c ? pK / p[c] : 0)));
    const F = S.map((c) => K.map((k) => M[k].reduce((acc, m, q) => acc + G[c][q] * m, 0) / np[k]));
    const r = maxMinWithFloor(B, F);
    const v = r ? r.weights : maxMinGain(F).weights;
    floorFeasible = r ? 1 : 0;
    if (r) balanceValue = r.value;
    K.forEach((i, a) => (w[i] = v[a] / np[i]));
    shares = v;
  }
  if (rule === "balanced" && K.length > 0) {
    // magnitude: the preference-weighted mean of the projected norms (the direction's own norm is ≤ 1)
    const scale = K.reduce((a, c) => a + (p[c] / pK) * np[c], 0);
    K.forEach((i) => (w[i] *= scale));
  }
  const coef = coefficients(M, w);
  const normRemoved = removedNorms(M, G);
  return {
    direction: linearCombination(grads, coef),
    weights: w,
    coef,
    dropped: [...Array(T).keys()].filter((i) => !K.includes(i)),
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
      /** the rule that chose the weights, logged as metric method/weight_rule/<rule> = 1 */
      [`weight_rule/${rule satisfies WeightRule}`]: 1,
      ...(Number.isFinite(minNormValue) ? { minNorm: minNormValue } : {}),
      ...(Number.isFinite(balanceValue) ? { balance: balanceValue } : {}),
      /** balanced rule: each active capability's share v_c of the unit conflict-free directions (= p̂_c unless the floor binds) */
      ...(shares.length ? { shares: [...Array(T).keys()].map((i) => (K.includes(i) ? shares[K.indexOf(i)] : 0)) } : {}),
      /** 1 = some weights kept every original gain ≥ 0 (then they do), 0 = none did (worst original gain maximised) */
      ...(Number.isFinite(floorFeasible) ? { floorFeasible } : {}),
      /** ⟨g̃_c, d⟩ on the projected gradients */
      gainProjected: firstOrderGains(Gp, w).gain,
      /** ⟨g_c, d⟩ on the original gradients: what actually happens to each capability to first order */
      gain: firstOrderGains(G, coef).gain,
    },
  };
};
