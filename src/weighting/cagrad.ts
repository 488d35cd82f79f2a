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
 */
import { firstOrderGains } from "./gram.ts";
import { projectSimplex, quad, type Matrix } from "./linalg.ts";
import { gramOf, linearCombination, prefWeights } from "./combination.ts";
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
  let w = w0.slice();
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
  if (c > 0 && g0n > 0) {
    const r = cagradDual(G, w0, c);
    w = r.w;
    iterations = r.iterations;
    const gwn = Math.sqrt(Math.max(quad(G, w), 0));
    lambda = gwn > 0 ? (c * g0n) / gwn : 0;
    coef = w0.map((v, k) => (v + lambda * w[k]) / (1 + c * c));
  }
  return {
    direction: linearCombination(grads, coef),
    weights: coef,
    coef,
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
