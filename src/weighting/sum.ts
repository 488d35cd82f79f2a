/**
 * sum — plain (linear-scalarisation) GRPO: d = Σ_c w_c g_c with w on the simplex (default uniform 1/T, i.e. the
 * MEAN gradient; see types.ts for the mean convention). Equivalent to optimising the weighted-sum reward
 * Σ_c w_c r_c, the baseline every other method is compared against.
 */
import { firstOrderGains } from "./gram.ts";
import { checkGrads } from "./gram.ts";
import { linearCombination, prefWeights } from "./combination.ts";
import type { CombineFn, Diagnostics } from "./types.ts";

export const sum: CombineFn = (grads, ctx) => {
  checkGrads(grads);
  const w = prefWeights(grads.length, ctx);
  const diagnostics: Diagnostics = {};
  // the Gram is optional here (sum never needs it); when the caller has it, report first-order gains for free
  if (ctx?.gram) diagnostics.gain = firstOrderGains(ctx.gram, w).gain;
  return { direction: linearCombination(grads, w), weights: w, coef: w, diagnostics };
};
