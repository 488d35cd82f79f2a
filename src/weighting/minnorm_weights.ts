/**
 * Min-norm weights from the gradient Gram (docs/method.md §4.4):
 * - `minnorm`: w* = argmin_{w∈Δ} wᵀ G w (Désidéri 2012; Sener & Koltun 2018) — exact solver in minnorm.ts.
 * - `orthogonal`: the closed form of the same problem WHEN the gradients are orthogonal,
 *   w_c = (1/‖g_c‖²) / Σ_k (1/‖g_k‖²); it ignores the off-diagonal of G, so diagnostics.maxAbsCos reports how far
 *   the premise is from holding (the weights are optimal only when it is ≈ 0).
 * Both give weight 0 to a capability with zero gradient (no first-order signal; see src/weighting/mgda.ts).
 */
import { BbioError } from "../util/errors.ts";
import { cosines, firstOrderGains, norms } from "./gram.ts";
import { minNorm as solveMinNorm } from "./minnorm.ts";
import { activeCapabilities } from "./helpers.ts";
import type { Matrix } from "./linalg.ts";
import type { StrategyOptions, StrategyStats, WeightStrategy } from "./types.ts";

function needGram(stats: StrategyStats, T: number, who: string): Matrix {
  if (!stats.gram)
    throw new BbioError(
      `weight strategy ${who} needs the per-capability gradient Gram`,
      2,
      "use a gradient-level update (grpo.method other than none) or a reward-statistics strategy (uniform, static, inverse_variance)",
    );
  if (stats.gram.length !== T) throw new BbioError(`${who}: Gram is ${stats.gram.length}×…, expected ${T}×${T}`);
  return stats.gram;
}

const activeSet = (G: Matrix) => activeCapabilities(norms(G));

function maxAbsOffDiagCos(G: Matrix, idx: number[]): number {
  const c = cosines(G);
  let m = 0;
  for (const i of idx) for (const j of idx) if (i !== j) m = Math.max(m, Math.abs(c[i][j]));
  return m;
}

export function minnorm(opts: StrategyOptions): WeightStrategy {
  return {
    name: "minnorm",
    update(stats) {
      const G = needGram(stats, opts.T, "minnorm");
      const act = activeSet(G);
      const w = new Array<number>(opts.T).fill(act.length ? 0 : 1 / opts.T);
      let value = 0;
      if (act.length) {
        const r = solveMinNorm(act.map((i) => act.map((j) => G[i][j])));
        act.forEach((i, a) => (w[i] = r.weights[a]));
        value = r.value;
      }
      return { weights: w, diagnostics: { minNorm: value, maxAbsCos: maxAbsOffDiagCos(G, act), gain: firstOrderGains(G, w).gain } };
    },
  };
}

export function orthogonalClosedForm(opts: StrategyOptions): WeightStrategy {
  return {
    name: "orthogonal",
    update(stats) {
      const G = needGram(stats, opts.T, "orthogonal");
      const act = activeSet(G);
      const w = new Array<number>(opts.T).fill(act.length ? 0 : 1 / opts.T);
      const s = act.reduce((acc, i) => acc + 1 / G[i][i], 0);
      for (const i of act) w[i] = 1 / G[i][i] / s;
      return { weights: w, diagnostics: { maxAbsCos: maxAbsOffDiagCos(G, act), gain: firstOrderGains(G, w).gain } };
    },
  };
}
