/**
 * Static baselines. `uniform`: w_c = 1/|C| (docs/method.md §9). `static`: the user's reward_weights
 * (TRL's option name), normalised to the simplex so runs with [1,1,1,1] and [0.25,…] are the same run.
 */
import { BbioError } from "../util/errors.ts";
import type { StrategyOptions, WeightStrategy } from "./types.ts";

export function uniform(opts: StrategyOptions): WeightStrategy {
  const w = new Array<number>(opts.T).fill(1 / opts.T);
  return { name: "uniform", update: () => ({ weights: w.slice(), diagnostics: {} }) };
}

export function staticWeights(opts: StrategyOptions): WeightStrategy {
  const given = opts.rewardWeights;
  if (!given) throw new BbioError("strategy static needs reward_weights", 2, "set grpo.reward_weights, e.g. [1,1,1,1]");
  if (given.length !== opts.T) throw new BbioError(`reward_weights has ${given.length} entries for ${opts.T} capabilities`);
  if (given.some((x) => !Number.isFinite(x) || x < 0) || given.every((x) => x === 0))
    throw new BbioError(`reward_weights must be ≥ 0 and not all zero, got [${given.join(", ")}]`);
  const s = given.reduce((a, b) => a + b, 0);
  const w = given.map((x) => x / s);
  return { name: "static", update: () => ({ weights: w.slice(), diagnostics: {} }) };
}
