/**
 * Dynamic weights (docs/method.md §4.4; the later version's "Dynamic Hybrid Reward Mechanism"): wrap any strategy and recompute its
 * weights every K steps from EMA-smoothed statistics, holding them in between. The smoothed statistics are the
 * gradient Gram (element-wise) and the per-capability reward variance; the EMA is debiased like TensorBoard's /
 * Adam's (divide by 1 − β^n) so early steps are not pulled towards 0. Every step's weights are kept in
 * `trajectory` (and should be logged to the weights table).
 */
import { BbioError } from "../util/errors.ts";
import { groupRewardVariance } from "./inverse_variance.ts";
import type { Matrix } from "./linalg.ts";
import type { StrategyResult, StrategyStats, WeightStrategy } from "./types.ts";

export interface DynamicStrategy extends WeightStrategy {
  readonly trajectory: { step: number; weights: number[]; recomputed: boolean }[];
}

export function dynamic(inner: WeightStrategy, every = 10, emaDecay = 0.9): DynamicStrategy {
  if (!Number.isInteger(every) || every < 1) throw new BbioError(`dynamic: every must be an integer ≥ 1, got ${every}`);
  if (!(emaDecay >= 0 && emaDecay < 1)) throw new BbioError(`dynamic: emaDecay must be in [0, 1), got ${emaDecay}`);
  let nGram = 0,
    nVar = 0; // observations folded into each EMA (a statistic may be absent on some steps)
  let gramAcc: Matrix | undefined;
  let varAcc: number[] | undefined;
  let lastStep: number | undefined;
  let last: StrategyResult | undefined;
  const trajectory: DynamicStrategy["trajectory"] = [];
  const ema = (acc: number, x: number) => emaDecay * acc + (1 - emaDecay) * x;

  return {
    name: `dynamic(${inner.name})`,
    trajectory,
    state() {
      return { nGram, nVar, gramAcc, varAcc, lastStep, last };
    },
    load(st: unknown) {
      const x = st as { nGram: number; nVar: number; gramAcc?: Matrix; varAcc?: number[]; lastStep?: number; last?: StrategyResult };
      if (!x || typeof x.nGram !== "number") throw new BbioError("dynamic: checkpoint has no strategy state");
      ({ nGram, nVar, gramAcc, varAcc, lastStep, last } = x);
    },
    update(stats: StrategyStats, step: number) {
      if (stats.gram) {
        if (gramAcc && stats.gram.length !== gramAcc.length) throw new BbioError("dynamic: Gram size changed between steps");
        nGram++;
        const G = stats.gram;
        gramAcc = gramAcc
          ? gramAcc.map((row, i) => row.map((v, j) => ema(v, G[i][j])))
          : G.map((row) => row.map((v) => (1 - emaDecay) * v));
      }
      const v = stats.rewardVar ?? (stats.rewards ? groupRewardVariance(stats.rewards) : undefined);
      if (v) nVar++;
      if (v) varAcc = varAcc ? varAcc.map((a, i) => ema(a, v[i])) : v.map((x) => (1 - emaDecay) * x);
      const dg = 1 - emaDecay ** nGram,
        dv = 1 - emaDecay ** nVar;
      const smoothed: StrategyStats = {
        gram: gramAcc?.map((row) => row.map((x) => x / dg)),
        rewardVar: varAcc?.map((x) => x / dv),
      };
      const due = lastStep === undefined || step - lastStep >= every;
      if (due) {
        last = inner.update(smoothed, step);
        lastStep = step;
      }
      const weights = last!.weights.slice();
      trajectory.push({ step, weights, recomputed: due });
      return { weights, diagnostics: { ...last!.diagnostics, recomputed: due ? 1 : 0, lastRecomputeStep: lastStep! } };
    },
  };
}
