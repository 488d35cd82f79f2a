/**
 * src/weighting: per-capability weights, from gradients or from statistics — one home for both, as LibMTL's
 * `weighting/` (one method a file, each with its citation; shared plumbing in gram.ts, linalg.ts, combination.ts,
 * helpers.ts; one result type, WeightingResult in types.ts).
 *
 *   gradient-combination methods (grpo.method; registry.ts):  combine(grads, ctx) → {direction, weights, diagnostics}
 *     sum, pcgrad, mgda, cagrpo (ours), cagrad, aligned_mtl
 *   weight strategies (grpo.weight_strategy; strategies.ts):  update(stats, step) → {weights, diagnostics}
 *     uniform, static, minnorm, orthogonal, inverse_variance, dynamic (minnorm_weights.ts, static.ts, …)
 *   the rule/RM mixing α (minimum-variance α, min_variance_alpha.ts) — a weight on two reward sources, not on capabilities
 *
 * A strategy's weights are the preferences a method applies (mgda computes its own; src/grpo/config.ts refuses the pair).
 * Two calls rather than one `weights(input)`: they run in sequence each step (strategy → preferences → method →
 * direction), a strategy may carry state across steps and checkpoints (dynamic's EMA), and a method is stateless and must
 * return a direction; one call would merge the two steps without removing any code.
 */
export { METHODS, METHOD_NAMES, PREFERENCE_FREE_METHODS, getMethod, usesPreferences, type MethodName } from "./registry.ts";
export type {
  CombineFn,
  CombineContext,
  CombineResult,
  Diagnostics,
  WeightingResult,
  StrategyOptions,
  StrategyResult,
  StrategyStats,
  WeightStrategy,
} from "./types.ts";
export {
  gramMatrix,
  summarizeGram,
  gramRows,
  blockGrams,
  blockGramRows,
  firstOrderGains,
  cosines,
  norms,
  scaleGram,
  type BlockGram,
} from "./gram.ts";
export { minNorm, twoTaskMinNorm } from "./minnorm.ts";
export { capabilityAwareUpdate, flattenParts, splitLike, type UpdateResult } from "./step.ts";
export { STRATEGIES, STRATEGY_NAMES, makeStrategy, weightRows, type StrategyName } from "./strategies.ts";
export { estimateNoise, minVarianceAlpha, mixingAlphas } from "./min_variance_alpha.ts";
export { activeCapabilities, ZERO_TOL } from "./helpers.ts";
