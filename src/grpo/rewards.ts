/**
 * Phase 2 of a GRPO step (TRL's score half of _generate_and_score_completions): the hybrid reward of each completion
 * for its prompt's capability (src/rewards/alpha.ts), then group-relative advantages (advantages.ts).
 *
 * Each completion gets a reward vector with one entry per capability: its own capability's hybrid reward, NaN (TRL's
 * None, "not applicable") for the others — so with TRL's reward-function semantics only that capability's reward
 * varies inside a group.
 */
import type { KG } from "../kg/types.ts";
import type { score } from "../mkgsg/index.ts";
import { hybridReward } from "../rewards/hybrid.ts";
import { type AdvantageResult, groupAdvantages, groups } from "./advantages.ts";
import type { GrpoConfig } from "./config.ts";
import type { SampledBatch } from "./sample.ts";

/** What the GRPO loop needs from a reward model (src/rewards/rm/ implements it). */
export interface RewardScorer {
  /** σ(reward head) ∈ [0,1] per (prompt, completion) pair, no gradient */
  score(prompts: string[], completions: string[]): Promise<number[]>;
  dispose(): void;
}

export interface RewardContext {
  scorer: typeof score;
  kg: KG;
  /** null only when every α_c = 1 */
  rewardModel: RewardScorer | null;
  /** α_c in capability order */
  alphas: readonly number[];
  config: GrpoConfig;
}

/** Rewards and advantages, one entry per completion row of the batch. */
export interface ScoredBatch {
  rule: number[];
  /** the reward model's score; NaN for every row when no reward model is loaded */
  model: number[];
  hybrid: number[];
  advantages: AdvantageResult;
}

export async function scoreCompletions(batch: SampledBatch, ctx: RewardContext): Promise<ScoredBatch> {
  const rows = batch.completions;
  const rule = rows.map((row) => ctx.scorer(row.item, row.text, ctx.kg).score);
  const model = ctx.rewardModel
    ? await ctx.rewardModel.score(
        rows.map((row) => row.item.prompt),
        rows.map((row) => row.text),
      )
    : rows.map(() => Number.NaN);
  const hybrid = rows.map((row, i) => hybridReward(ctx.alphas[row.capability], rule[i], model[i]));
  const capabilities = batch.byCapability.length;
  const rewardVectors = rows.map((row, i) =>
    Array.from({ length: capabilities }, (_, capability) => (capability === row.capability ? hybrid[i] : Number.NaN)),
  );
  const advantages = groupAdvantages(
    rewardVectors,
    Array.from({ length: capabilities }, () => 1),
    ctx.config.num_generations,
    { scaleRewards: ctx.config.scale_rewards, aggregation: ctx.config.multi_objective_aggregation },
  );
  return { rule, model, hybrid, advantages };
}

/** rewards[c][g][i]: capability c's hybrid rewards by prompt group, as the weight strategies take them */
export function rewardsByGroup(batch: SampledBatch, scored: ScoredBatch, G: number): number[][][] {
  return batch.byCapability.map((rows) =>
    groups(
      rows.map((i) => scored.hybrid[i]),
      G,
    ),
  );
}
