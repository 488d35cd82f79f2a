/**
 * Capability-weight strategies keyed by config name (docs/method.md §4.4):
 *   uniform           w_c = 1/|C|                                  static baseline
 *   static            user reward_weights, normalised              TRL's reward_weights
 *   minnorm           min-norm (MGDA) weights from the Gram        Désidéri 2012; Sener & Koltun 2018
 *   orthogonal        min-norm closed form w_c ∝ 1/‖g_c‖²          exact when gradients are orthogonal
 *   inverse_variance  w_c ∝ 1/Var_group(r_c)
 * and `dynamic`, which wraps any of them: makeStrategy("dynamic", {inner: "minnorm", every: 10, emaDecay: 0.9}).
 * The rule/RM mixing α_c (minimum-variance α) is not a capability weight; see min_variance_alpha.ts (mixingAlphas).
 */
import { BbioError } from "../util/errors.ts";
import { dynamic } from "./dynamic.ts";
import { inverseVariance } from "./inverse_variance.ts";
import { minnorm, orthogonalClosedForm } from "./minnorm_weights.ts";
import { staticWeights, uniform } from "./static.ts";
import type { StrategyOptions, WeightStrategy } from "./types.ts";

export const STRATEGIES = {
  uniform,
  static: staticWeights,
  minnorm,
  orthogonal: orthogonalClosedForm,
  inverse_variance: inverseVariance,
} as const satisfies Record<string, (o: StrategyOptions) => WeightStrategy>;

export const STRATEGY_NAMES = ["uniform", "static", "minnorm", "orthogonal", "inverse_variance", "dynamic"] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

export function makeStrategy(name: string, opts: StrategyOptions): WeightStrategy {
  if (!Number.isInteger(opts.T) || opts.T < 1) throw new BbioError(`strategy needs T ≥ 1 capabilities, got ${opts.T}`);
  if (name === "dynamic") {
    const inner = opts.inner ?? "minnorm";
    if (inner === "dynamic") throw new BbioError("dynamic cannot wrap dynamic");
    return dynamic(makeStrategy(inner, opts), opts.every ?? 10, opts.emaDecay ?? 0.9);
  }
  if (!(name in STRATEGIES)) throw new BbioError(`unknown weight strategy "${name}" (choose one of: ${STRATEGY_NAMES.join(", ")})`);
  return STRATEGIES[name as keyof typeof STRATEGIES](opts);
}

/** Rows for the store's weights table (src/store/schema.ts): one per capability. */
export function weightRows(
  step: number,
  capabilities: readonly string[],
  weights: readonly number[],
  strategy: string,
  alphas?: readonly number[],
) {
  return capabilities.map((capability, i) => ({ step, capability, w: weights[i], alpha: alphas ? alphas[i] : null, strategy }));
}

export type { StrategyOptions, StrategyResult, StrategyStats, WeightStrategy } from "./types.ts";
export { estimateNoise, minVarianceAlpha, mixingAlphas } from "./min_variance_alpha.ts";
export { groupRewardVariance, inverseVarianceWeights } from "./inverse_variance.ts";
export { dynamic } from "./dynamic.ts";
