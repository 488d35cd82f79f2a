/**
 * cagrad — "Conflict-Averse Gradient Descent for Multi-task Learning", Liu, Liu, Jin, Stone & Liu, NeurIPS 2021
 * (arXiv 2110.14048), Eq. (4)–(6), following the authors' reference implementation.
 *
 * CAGrad maximises the WORST capability's first-order improvement within a ball around the average gradient g_0:
 *     max_d min_c ⟨g_c, d⟩   s.t.  ‖d − g_0‖ ≤ c‖g_0‖,
 * whose dual over the simplex is
 *     w* = argmin_{w∈Δ}  g_wᵀ g_0 + c‖g_0‖ ‖g_w‖,    g_w = Σ_k w_k g_k,
 * giving d = g_0 + (c‖g_0‖ / ‖g_w‖) g_w, rescaled by 1/(1 + c²) (the reference code's default `rescale=1`).
 * c = 0 is the average gradient; c → ∞ approaches MGDA. g_0 uses the preference weights (default the mean).
 *
 * The dual is convex in w; we solve it by projected gradient descent on the simplex with backtracking
 * (T ≤ ~10: a few hundred T×T iterations), on a Gram rescaled to unit max diagonal (the argmin is scale-free).
 *
 * Zero gradients (one capability got equal rewards across its whole batch → zero advantage, common in GRPO) are
 * DROPPED from the dual, as mgda.ts does: w lives on the simplex of the non-zero gradients (helpers.ts
 * activeCapabilities; g_0 still includes every capability's preference, a zero gradient adds nothing to it). Why: a
 * zero gradient makes the dual objective 0 at its vertex, and when every other point of the simplex scores ≥ 0 the
 * dual's minimiser is that vertex, g_w = 0 and λ is undefined; falling back to the plain mean rescaled by
 * 1/(1+c²) instead can lower a capability that conflicts with the mean (⟨g_1, d⟩ = −0.58 in one stored run). A zero
 * gradient gains 0 from any d, so dropping it changes no other capability's first-order guarantee, and the solution
 * is LibMTL's CAGrad (LibMTL/weighting/CAGrad.py) on the non-zero gradients — the same direction, with g_0 scaled by
 * (T − #zero)/T under the mean convention (test/weighting/libmtl.test.ts, against LibMTL's code on random matrices).
 * If the non-zero gradients' own hull contains 0 (g_w* = 0: Pareto-stationary), d = g_0/(1+c²), as in LibMTL, where
 * λ·g_w vanishes with g_w.
 * Other deliberate differences from LibMTL: preference weights p give g_0 = Σ p_c g_c (LibMTL: the mean, our
 * default); the dual is solved by projected gradient descent rather than scipy's SLSQP, without LibMTL's 1e-8
 * smoothing terms (directions agree to ~1e-4, the SLSQP tolerance).
 */
import { firstOrderGains } from "./gram.ts";
import { projectSimplex, quad, type Matrix } from "./linalg.ts";
import { gramOf, linearCombination, prefWeights } from "./combination.ts";
import { activeCapabilities } from "./helpers.ts";
import type { CombineFn } from "./types.ts";

/** The CAGrad dual objective F(w) = wᵀ G w0 + cg0 · √(wᵀ G w). */
export function cagradObjective(G: Matrix, w0: readonly number[], c: number, w: readonly number[]): number {
  const g0n = Math.sqrt(Math.max(quad(G, w0), 0));
  return quad(G, w, w0) + c * g0n * Math.sqrt(Math.max(quad(G, w), 0));
}

export function cagradDual(G: Matrix, w0: readonly number[], c: number, maxIter = 2000) {
  const s = Math.max(...G.map((r, i) => r[i]));
  if (!(s > 0)) return { w: w0.slice(), iterations: 0 };
  const Gs = G.map((r) => r.map((v) => v / s));
  const f = (w: readonly number[]) => cagradObjective(Gs, w0, c, w);
  const g0n = Math.sqrt(Math.max(quad(Gs, w0), 0));
  const Gw0 = Gs.map((row) => row.reduce((a, v, j) => a + v * w0[j], 0));
  // start on the simplex: w0 restricted to the non-zero gradients (cagrad below) sums to < 1 when a dropped
  // capability had a preference
  const s0 = w0.reduce((a, b) => a + b, 0);
  let w = s0 > 0 ? w0.map((v) => v / s0) : w0.map(() => 1 / w0.length);
  let fw = f(w);
  let step = 1;
  let it = 0;
  outer: for (; it < maxIter; it++) {
    // ∇F(w) = G w0 + c‖g0‖ G w / ‖g_w‖
    const Gw = Gs.map((row) => row.reduce((a, v, j) => a + v * w[j], 0));
    const nw = Math.sqrt(
      Math.max(
        w.reduce((a, wi, i) => a + wi * Gw[i], 0),
        1e-20,
      ),
    );
    const grad = Gw0.map((v, i) => v + (c * g0n * Gw[i]) / nw);
    for (let tries = 0; tries < 60; tries++) {
      const cand = projectSimplex(w.map((wi, i) => wi - step * grad[i]));
      const moved = cand.reduce((a, v, i) => a + (v - w[i]) ** 2, 0);
      if (moved < 1e-24) break outer; // projected-gradient fixed point: optimal
      const fc = f(cand);
      if (fc <= fw - (1e-4 / step) * moved) {
        w = cand;
        fw = fc;
        step *= 1.5;
        continue outer;
      }
      step *= 0.5;
    }
    break; // no sufficient decrease at any step size: converged to rounding
  }
  return { w, iterations: it };
}

export const cagrad: CombineFn = (grads, ctx) => {
  const G = gramOf(grads, ctx);
  const T = G.length;
  const c = ctx?.c ?? 0.5;
  if (!(c >= 0)) throw new Error(`CAGrad c must be ≥ 0, got ${c}`);
  const w0 = prefWeights(T, ctx);
  const g0n = Math.sqrt(Math.max(quad(G, w0), 0));
  let coef = w0.slice();
  let lambda = 0,
    iterations = 0,
    w = w0.slice();
  // the dual over the non-zero gradients only (header): G_S, and w0 as seen from S (G_S w0_S = (G w0)_S since the
  // dropped rows and columns are zero)
  const S = activeCapabilities(
    G.map((r, i) => Math.sqrt(Math.max(r[i], 0))),
    ctx?.zeroTol,
  );
  if (c > 0 && g0n > 0 && S.length > 0) {
    const GS = S.map((i) => S.map((j) => G[i][j]));
    const r = cagradDual(
      GS,
      S.map((i) => w0[i]),
      c,
    );
    w = new Array<number>(T).fill(0);
    S.forEach((i, a) => (w[i] = r.w[a]));
    iterations = r.iterations;
    const gwn = Math.sqrt(Math.max(quad(G, w), 0));
    lambda = gwn > 0 ? (c * g0n) / gwn : 0;
    coef = w0.map((v, k) => (v + lambda * w[k]) / (1 + c * c));
  }
  return {
    direction: linearCombination(grads, coef),
    weights: coef,
    coef,
    dropped: [...Array(T).keys()].filter((i) => !S.includes(i)),
    diagnostics: {
      dualWeights: w,
      lambda,
      c,
      iterations,
      objective: cagradObjective(G, w0, c, w),
      gain: firstOrderGains(G, coef).gain,
    },
  };
};
