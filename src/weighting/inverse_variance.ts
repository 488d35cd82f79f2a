/**
 * Inverse variance (docs/method.md §4.4): inverse-variance capability weights, w_c ∝ 1 / max(Var_group(r_c), ε).
 *
 * Var_group(r_c) is the mean over prompt groups of the within-group sample variance of capability c's reward —
 * the noise GRPO's group-relative advantage actually sees (the across-prompt spread is removed by the group mean).
 * Sample (n−1) variance, matching torch's default `std` that TRL uses for group scaling. Groups of size < 2 are
 * skipped. The floor ε keeps a capability whose rewards are (momentarily) constant from taking all the weight:
 * note that such a capability has zero advantage and gives no learning signal, so ε is a real modelling choice.
 */
import { BbioError } from "../util/errors.ts";
import { mean } from "../util/stats.ts";
import type { StrategyOptions, StrategyStats, WeightStrategy } from "./types.ts";

/** mean within-group sample variance per capability; rewards[c][g][i] */
export function groupRewardVariance(rewards: readonly (readonly (readonly number[])[])[]): number[] {
  return rewards.map((groups, c) => {
    let sum = 0,
      n = 0;
    for (const g of groups) {
      if (g.some((x) => !Number.isFinite(x))) throw new BbioError(`non-finite reward for capability ${c}`);
      if (g.length < 2) continue;
      const m = mean(g);
      sum += g.reduce((a, b) => a + (b - m) ** 2, 0) / (g.length - 1);
      n++;
    }
    if (n === 0) throw new BbioError(`capability ${c}: no group with ≥ 2 completions to estimate reward variance`);
    return sum / n;
  });
}

export function inverseVarianceWeights(variances: readonly number[], floor: number): number[] {
  const inv = variances.map((v) => 1 / Math.max(v, floor));
  const s = inv.reduce((a, b) => a + b, 0);
  return inv.map((x) => x / s);
}

export function inverseVariance(opts: StrategyOptions): WeightStrategy {
  const floor = opts.varianceFloor ?? 1e-2;
  if (!(floor > 0)) throw new BbioError(`varianceFloor must be > 0, got ${floor}`);
  return {
    name: "inverse_variance",
    update(stats: StrategyStats) {
      const variance = stats.rewardVar ?? (stats.rewards ? groupRewardVariance(stats.rewards) : undefined);
      if (!variance) throw new BbioError("inverse_variance needs per-capability rewards (stats.rewards or stats.rewardVar)");
      if (variance.length !== opts.T) throw new BbioError(`inverse_variance: ${variance.length} variances for ${opts.T} capabilities`);
      return {
        weights: inverseVarianceWeights(variance, floor),
        diagnostics: { variance, floored: variance.map((v) => (v < floor ? 1 : 0)) },
      };
    },
  };
}
