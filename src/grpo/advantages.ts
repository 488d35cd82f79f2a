/**
 * Group-relative advantages (DeepSeekMath §4.1.2 outcome supervision; TRL GRPOTrainer._generate_and_score_completions).
 * Pure numbers, no tfjs, so every mode is tested against hand-computed values.
 *
 *   rewards[i][k]  completion i (rows are grouped: G consecutive rows share a prompt), reward function k; NaN = "not
 *                  applicable to this prompt" (TRL's None), ignored by the sums
 *   weights[k]     TRL's reward_weights
 *
 * multi_objective_aggregation
 *   sum_then_normalize  (TRL default)  R_i = Σ_k w_k r_ik (NaN-skipping);  A_i = R_i − mean_group(R), then scaled:
 *                        scale_rewards "group": / (std_group(R) + 1e-4)   "batch": / (std_batch(R) + 1e-4)   "none": as is
 *   normalize_then_sum  (GDPO)         a_ik = (r_ik − mean_group(r_k)) / (std_group(r_k) + 1e-4) per function, then
 *                        A_i = Σ_k w_k a_ik, then ALWAYS A ← (A − mean_batch A) / (std_batch A + 1e-4): TRL applies this
 *                        batch normalisation whatever scale_rewards says (scale_rewards only acts on sum_then_normalize)
 * Standard deviations are the unbiased ones (torch.std's default, which TRL uses).
 */
import { mean } from "../util/stats.ts";
import type { Aggregation, ScaleRewards } from "./config.ts";

export type { Aggregation, ScaleRewards };

export const STD_EPS = 1e-4;

/** Unbiased standard deviation (n − 1); 0 for fewer than two values. */
export function std(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

export interface AdvantageResult {
  advantages: number[];
  /** the aggregated reward per completion (sum_then_normalize) or the weighted sum of normalised rewards (GDPO) */
  aggregate: number[];
  /** fraction of groups whose aggregate reward has zero spread (no learning signal: TRL's frac_reward_zero_std) */
  fracZeroStd: number;
}

function nansum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) if (!Number.isNaN(x)) s += x;
  return s;
}

/** Consecutive runs of G: the G completions of each prompt, in sampling order. */
export function groups<T>(xs: readonly T[], G: number): T[][] {
  if (G < 1 || xs.length % G !== 0) throw new Error(`advantages: ${xs.length} completions is not a multiple of num_generations ${G}`);
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += G) out.push(xs.slice(i, i + G));
  return out;
}

export function groupAdvantages(
  rewards: readonly (readonly number[])[],
  weights: readonly number[],
  G: number,
  opts: { scaleRewards: ScaleRewards; aggregation: Aggregation },
): AdvantageResult {
  const K = weights.length;
  if (rewards.some((r) => r.length !== K)) throw new Error(`advantages: every completion needs ${K} rewards`);
  if (opts.aggregation === "sum_then_normalize") {
    const R = rewards.map((r) => nansum(r.map((x, k) => x * weights[k])));
    const promptGroups = groups(R, G);
    const stdBatch = std(R);
    const advantages: number[] = [];
    let zero = 0;
    for (const group of promptGroups) {
      const m = mean(group),
        s = std(group);
      const flat = Math.abs(s) < 1e-8;
      if (flat) zero++;
      const scale = opts.scaleRewards === "group" ? s + STD_EPS : opts.scaleRewards === "batch" ? stdBatch + STD_EPS : 1;
      // a flat group carries no signal: exactly 0 (float noise in the mean would otherwise be amplified by 1/1e-4)
      for (const x of group) advantages.push(flat ? 0 : (x - m) / scale);
    }
    return { advantages, aggregate: R, fracZeroStd: zero / promptGroups.length };
  }
  // normalize_then_sum: normalise each reward function inside its group, then the weighted sum
  const A = new Array<number>(rewards.length).fill(0);
  const groupRows = groups([...rewards.keys()], G);
  let zero = 0;
  for (const idx of groupRows) {
    let allFlat = true;
    for (let k = 0; k < K; k++) {
      const vals = idx.map((i) => rewards[i][k]).filter((x) => !Number.isNaN(x));
      if (vals.length === 0) continue;
      const m = mean(vals),
        s = std(vals);
      if (Math.abs(s) < 1e-8) continue; // flat: contributes exactly 0
      allFlat = false;
      for (const i of idx) if (!Number.isNaN(rewards[i][k])) A[i] += (weights[k] * (rewards[i][k] - m)) / (s + STD_EPS);
    }
    if (allFlat) zero++;
  }
  const aggregate = A.slice();
  // unconditional, as in TRL's GRPOTrainer (the sum of K normalised rewards has a spread that grows with K; the batch
  // normalisation is what puts GDPO's advantages back on one scale)
  const m = mean(A),
    sd = std(A);
  for (let i = 0; i < A.length; i++) A[i] = (A[i] - m) / (sd + STD_EPS);
  return { advantages: A, aggregate, fracZeroStd: zero / groupRows.length };
}
