/**
 * mgda — Multiple-Gradient Descent Algorithm (Désidéri 2012, C. R. Math. 350:313–318) with the min-norm solver of
 * Sener & Koltun 2018 ("Multi-Task Learning as Multi-Objective Optimization", NeurIPS; arXiv 1810.04650).
 *
 *   w* = argmin_{w∈Δ} ‖Σ_c w_c g_c‖²,   d = Σ_c w*_c g_c
 *
 * KKT property (tested): ⟨g_c, d⟩ ≥ ‖d‖² for every capability c, so d improves all of them to first order unless
 * d = 0 (Pareto-stationary). We apply it to the shared-parameter gradients directly (Sener & Koltun's "-UB" variant
 * applies it to the shared representation's gradients; LibMTL's gradient normalisation options are not used).
 * Preference weights are ignored (the min-norm point defines its own weights).
 *
 * Zero gradients: a capability whose gradient is ~0 this step (e.g. every completion in every group got the same
 * reward → zero advantage) would make the min-norm point 0 and stall training; since ⟨0, d⟩ = 0 for every d, dropping
 * it changes no capability's first-order guarantee. Those capabilities get weight 0 (`dropped`).
 *
 * Against LibMTL's MGDA (LibMTL/weighting/MGDA.py; test/weighting/libmtl.test.ts, random matrices): the same direction
 * as its default mgda_gn='none' up to LibMTL's solver — it clamps the two-task solution to [0.001, 0.999] and stops
 * Frank–Wolfe after 250 steps or a change < 1e-5, where we solve exactly. Its 'l2' option (divide each gradient by its
 * norm, weights and direction from the normalised gradients) is this function applied to g_c/‖g_c‖ (tested); 'loss'
 * and 'loss+' need the losses, which the GRPO loop does not pass. LibMTL keeps zero gradients (its min-norm point is
 * then 0, a zero step); we drop them (above).
 */
import { cosines, firstOrderGains, norms } from "./gram.ts";
import { minNorm } from "./minnorm.ts";
import { gramOf, linearCombination } from "./combination.ts";
import { activeCapabilities } from "./helpers.ts";
import type { CombineFn } from "./types.ts";

export const mgda: CombineFn = (grads, ctx) => {
  const G = gramOf(grads, ctx);
  const T = G.length;
  const n = norms(G);
  const active = activeCapabilities(n, ctx?.zeroTol);
  const w = new Array<number>(T).fill(0);
  let value = 0,
    iterations = 0;
  if (active.length > 0) {
    const sub = active.map((i) => active.map((j) => G[i][j]));
    const r = minNorm(sub);
    active.forEach((i, a) => (w[i] = r.weights[a]));
    value = r.value;
    iterations = r.iterations;
  } else w.fill(1 / T); // every gradient is zero: any weights give d = 0
  return {
    direction: linearCombination(grads, w),
    weights: w,
    coef: w,
    dropped: [...Array(T).keys()].filter((i) => !active.includes(i)),
    diagnostics: {
      minNorm: value,
      iterations,
      cos: cosines(G),
      gain: firstOrderGains(G, w).gain,
    },
  };
};
