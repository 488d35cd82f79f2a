/**
 * pcgrad — "Gradient Surgery for Multi-Task Learning", Yu, Kumar, Gupta, Levine, Hausman & Finn, NeurIPS 2020
 * (arXiv 2001.06782), Algorithm 1.
 *
 * For each capability i, visit the OTHER capabilities j in a random order; whenever the running g̃_i conflicts with
 * the ORIGINAL g_j (g̃_i·g_j < 0), project g̃_i onto the normal plane of g_j:
 *     g̃_i ← g̃_i − (g̃_i·g_j / ‖g_j‖²) g_j
 * then d = Σ_i w_i g̃_i (the paper sums; we use simplex weights, default the mean — types.ts).
 * Guarantee: after the step with j, g̃_i·g_j = 0; later projections (T > 2) can re-introduce a conflict with an
 * earlier j, which is why the order is random and seeded. Done in Gram space (combination.ts): O(T³) on top of the Gram.
 *
 * Against LibMTL's PCGrad (LibMTL/weighting/PCGrad.py; test/weighting/libmtl.test.ts, random matrices, fixed order):
 * the same direction to 1e-5. Deliberate differences: LibMTL SUMS the projected gradients (ours: simplex weights, the
 * mean by default — a factor T, types.ts's MEAN convention); its visiting order also includes i itself (a projection
 * only if g̃_i·g_i < 0, which we skip: a gradient is not in conflict with itself); its 1e-8 in ‖g_j‖² + 1e-8 is left
 * out (zero gradients are skipped instead); the order comes from our seeded stream, not Python's global random.
 */
import { rngFor, shuffled } from "../util/rng.ts";
import { cosines, firstOrderGains } from "./gram.ts";
import { coefficients, gramOf, identity, linearCombination, prefWeights, projectedGram, removedNorms } from "./combination.ts";
import type { CombineFn } from "./types.ts";

export const pcgrad: CombineFn = (grads, ctx) => {
  const G = gramOf(grads, ctx);
  const T = G.length;
  const rng = ctx?.rng ?? rngFor(ctx?.seed ?? 0, `pcgrad/${ctx?.step ?? 0}`);
  const M = identity(T); // g̃_i = Σ_k M[i][k] g_k
  let projections = 0;
  const order: number[][] = [];
  for (let i = 0; i < T; i++) {
    const others = shuffled(
      rng,
      [...Array(T).keys()].filter((j) => j !== i),
    );
    order.push(others);
    for (const j of others) {
      if (!(G[j][j] > 0)) continue;
      let dij = 0; // g̃_i · g_j
      for (let k = 0; k < T; k++) dij += M[i][k] * G[k][j];
      if (dij < 0) {
        M[i][j] -= dij / G[j][j];
        projections++;
      }
    }
  }
  const w = prefWeights(T, ctx);
  const coef = coefficients(M, w);
  const Gp = projectedGram(M, G);
  // ‖g_i − g̃_i‖: how much of each capability's gradient the surgery removed
  const normRemoved = removedNorms(M, G);
  return {
    direction: linearCombination(grads, coef),
    weights: w,
    coef,
    order,
    diagnostics: {
      projections,
      normRemoved,
      cosBefore: cosines(G),
      cosAfter: cosines(Gp),
      gain: firstOrderGains(G, coef).gain,
    },
  };
};
