/**
 * Min-norm point of the convex hull of the gradients (docs/method.md §4.4, §6.4):
 *
 *   w* = argmin_{w ∈ Δ} ‖Σ_c w_c g_c‖² = argmin_{w ∈ Δ} wᵀ G w
 *
 * Désidéri 2012 ("Multiple-gradient descent algorithm (MGDA) for multiobjective optimization", C. R. Math. 350)
 * shows d = Σ w*_c g_c is a common ascent direction (⟨g_c, d⟩ ≥ ‖d‖² for every c) unless d = 0 (Pareto-stationary).
 * Sener & Koltun 2018 (NeurIPS, "Multi-Task Learning as Multi-Objective Optimization") solve it with Frank–Wolfe.
 *
 * Solvers:
 * - "exact" (default for T ≤ 10): active-set enumeration. The optimum is supported on some subset S whose points are
 *   affinely independent; on S it solves the KKT system [G_S 1; 1ᵀ 0][w; λ] = [0; 1]. We solve it for every subset,
 *   keep the feasible ones (w ≥ 0) and return the smallest wᵀGw. 2^T − 1 tiny solves: 15 for T = 4.
 * - "frank_wolfe" (Sener & Koltun Alg. 2, exact line search, plus away steps): any T.
 * - twoTaskMinNorm: the T = 2 closed form w_1 = clip(((g_2 − g_1)·g_2) / ‖g_1 − g_2‖², 0, 1).
 */
import { quad, solve, type Matrix } from "./linalg.ts";

export interface MinNormResult {
  weights: number[];
  /** ‖Σ w_c g_c‖² at the solution */
  value: number;
  iterations: number;
  solver: "exact" | "frank_wolfe" | "two_task";
}

export function twoTaskMinNorm(G: Matrix): MinNormResult {
  if (G.length !== 2) throw new Error("twoTaskMinNorm needs a 2×2 Gram matrix");
  const den = G[0][0] - 2 * G[0][1] + G[1][1]; // ‖g_1 − g_2‖²
  const w1 = den > 0 ? Math.min(1, Math.max(0, (G[1][1] - G[0][1]) / den)) : 0.5;
  const weights = [w1, 1 - w1];
  return { weights, value: quad(G, weights), iterations: 0, solver: "two_task" };
}

export function minNormExact(G: Matrix): MinNormResult {
  const T = G.length;
  if (T > 16) throw new Error(`exact min-norm enumerates 2^T subsets; T = ${T} is too many (use frank_wolfe)`);
  // scale to max diagonal 1 so the singularity tolerance is relative (gradients may have norms ~1e-6)
  const s = Math.max(...G.map((r, i) => r[i]));
  if (!(s > 0)) return { weights: new Array<number>(T).fill(1 / T), value: 0, iterations: 0, solver: "exact" };
  const Gs = G.map((r) => r.map((v) => v / s));
  let best: number[] | null = null,
    bestVal = Infinity,
    tried = 0;
  for (let mask = 1; mask < 1 << T; mask++) {
    const S: number[] = [];
    for (let i = 0; i < T; i++) if (mask & (1 << i)) S.push(i);
    const n = S.length;
    const K: Matrix = Array.from({ length: n + 1 }, (_, a) =>
      Array.from({ length: n + 1 }, (_, b) => (a < n && b < n ? Gs[S[a]][S[b]] : a === n && b === n ? 0 : 1)),
    );
    const rhs = new Array<number>(n + 1).fill(0);
    rhs[n] = 1;
    tried++;
    const x = solve(K, rhs, 1e-10);
    if (!x) continue;
    if (x.slice(0, n).some((v) => v < -1e-9)) continue;
    const w = new Array<number>(T).fill(0);
    S.forEach((i, a) => (w[i] = Math.max(0, x[a])));
    const sum = w.reduce((a, b) => a + b, 0);
    const wn = w.map((v) => v / sum);
    const val = quad(Gs, wn);
    // strictly smaller only: on ties the subset found first (lower mask) wins, so the result is deterministic
    if (val < bestVal - 1e-14) {
      bestVal = val;
      best = wn;
    }
  }
  if (!best) return minNormFrankWolfe(G); // cannot happen for a PSD Gram (singletons are always feasible)
  return { weights: best, value: quad(G, best), iterations: tried, solver: "exact" };
}

export function minNormFrankWolfe(G: Matrix, maxIter = 2000, tol = 1e-12): MinNormResult {
  // Frank–Wolfe with away steps (Lacoste-Julien & Jaggi 2015, NeurIPS): plain FW zig-zags at O(1/k) when the
  // optimum lies on a face; away steps make the convergence linear for this strongly convex-on-its-face problem.
  const T = G.length;
  let w = new Array<number>(T).fill(1 / T);
  const scale = Math.max(...G.map((r, i) => r[i]), 0);
  let it = 0;
  for (; it < maxIter; it++) {
    const Gw = G.map((row) => row.reduce((a, v, j) => a + v * w[j], 0)); // ½∇f
    const vv = w.reduce((a, wi, i) => a + wi * Gw[i], 0); // ‖Σ w g‖²
    let t = 0;
    for (let i = 1; i < T; i++) if (Gw[i] < Gw[t]) t = i; // FW vertex
    let a = -1;
    for (let i = 0; i < T; i++) if (w[i] > 0 && (a < 0 || Gw[i] > Gw[a])) a = i; // away vertex
    const gapFw = vv - Gw[t];
    if (gapFw <= tol * Math.max(scale, 1e-300)) break;
    const gapAway = Gw[a] - vv;
    // search direction u in weight space and the largest feasible step
    let u: number[], gammaMax: number;
    if (gapFw >= gapAway) {
      u = w.map((wi, i) => (i === t ? 1 : 0) - wi);
      gammaMax = 1;
    } else {
      u = w.map((wi, i) => wi - (i === a ? 1 : 0));
      gammaMax = w[a] < 1 ? w[a] / (1 - w[a]) : Infinity;
    }
    // exact line search: f(w + γu) = vv + 2γ uᵀGw + γ² uᵀGu
    const uGw = u.reduce((s2, ui, i) => s2 + ui * Gw[i], 0);
    const uGu = quad(G, u);
    const gamma = Math.min(gammaMax, uGu > 0 ? Math.max(0, -uGw / uGu) : gammaMax);
    if (!Number.isFinite(gamma) || gamma === 0) break;
    w = w.map((wi, i) => Math.max(0, wi + gamma * u[i]));
    const sw = w.reduce((x, y) => x + y, 0);
    w = w.map((wi) => wi / sw);
  }
  return { weights: w, value: quad(G, w), iterations: it, solver: "frank_wolfe" };
}

export function minNorm(G: Matrix, solver: "auto" | "exact" | "frank_wolfe" = "auto"): MinNormResult {
  if (solver === "frank_wolfe" || (solver === "auto" && G.length > 10)) return minNormFrankWolfe(G);
  return minNormExact(G);
}
