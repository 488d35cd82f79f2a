/**
 * Phase 5 of a GRPO step (TRL's log): TRL-named metrics, the Gram (grad_gram; per parameter block:
 * grad_gram_blocks), the weights actually used, and the sampled completions every log_completions_every steps.
 *
 * `reward` is Σ_c coef_c·mean(r_c) / Σ_c coef_c: the per-capability mean rewards scalarised as the update scalarises
 * the losses (the plain mean when the coefficients sum to 0).
 */
import { EOS } from "../model/tokenizer.ts";
import { blockGramRows } from "../weighting/gram.ts";
import { weightRows } from "../weighting/strategies.ts";
import type { Diagnostics } from "../weighting/types.ts";
import type { Sink } from "../util/sink.ts";
import { mean } from "../util/stats.ts";
import { std } from "./advantages.ts";
import type { GrpoConfig } from "./config.ts";
import type { ScoredBatch } from "./rewards.ts";
import type { SampledBatch } from "./sample.ts";
import type { StepUpdate } from "./update.ts";

export interface StepRecord {
  step: number;
  batch: SampledBatch;
  scored: ScoredBatch;
  update: StepUpdate;
}

export interface LogContext {
  sink: Sink;
  config: GrpoConfig;
  capabilities: readonly string[];
  alphas: readonly number[];
  /** the method applied the strategy's preferences (their weights/<c> metrics are logged only then) */
  appliesPreferences: boolean;
  /** a reference model is loaded (beta > 0): the kl metric is logged only then */
  hasReference: boolean;
  /** a reward model scored the completions: rewards/<c>/model is logged only then */
  hasRewardModel: boolean;
}

/** Mean hybrid reward per capability. */
export function capabilityMeans(record: Pick<StepRecord, "batch" | "scored">): number[] {
  return record.batch.byCapability.map((rows) => mean(rows.map((i) => record.scored.hybrid[i])));
}

function logRewards(ctx: LogContext, { step, batch, scored, update }: StepRecord, capMean: number[]): void {
  const { sink } = ctx;
  const coef = update.update.coef;
  const coefSum = coef.reduce((a, b) => a + b, 0);
  sink.metric(step, "reward", coefSum > 0 ? coef.reduce((a, w, c) => a + (w / coefSum) * capMean[c], 0) : mean(scored.hybrid));
  sink.metric(step, "reward_std", std(scored.hybrid));
  sink.metric(step, "frac_reward_zero_std", scored.advantages.fracZeroStd);
  ctx.capabilities.forEach((name, c) => {
    const rows = batch.byCapability[c];
    sink.metric(step, `rewards/${name}/mean`, capMean[c]);
    sink.metric(step, `rewards/${name}/std`, std(rows.map((i) => scored.hybrid[i])));
    sink.metric(step, `rewards/${name}/rule`, mean(rows.map((i) => scored.rule[i])));
    if (ctx.hasRewardModel) sink.metric(step, `rewards/${name}/model`, mean(rows.map((i) => scored.model[i])));
    if (ctx.appliesPreferences) sink.metric(step, `weights/${name}`, update.preferences[c]); // only preferences the method applied
    sink.metric(step, `coef/${name}`, coef[c]);
    sink.metric(step, `alpha/${name}`, ctx.alphas[c]);
  });
}

function logCompletionStats(sink: Sink, step: number, batch: SampledBatch): void {
  const rows = batch.completions;
  const lengths = rows.map((row) => row.completion.length);
  sink.metric(step, "completions/mean_length", mean(lengths));
  sink.metric(step, "completions/clipped_ratio", mean(rows.map((row) => (row.completion[row.completion.length - 1] === EOS ? 0 : 1))));
  // Monte-Carlo entropy estimate: mean negative log-prob of the sampled tokens (at the sampling temperature)
  const tokens = Math.max(
    1,
    lengths.reduce((a, b) => a + b, 0),
  );
  sink.metric(step, "entropy", -rows.reduce((a, row) => a + row.sampleLogp, 0) / tokens);
}

/**
 * What the combination method did (projections, norm removed, first-order gains), as method/<key>[/<capability>]:
 * scalars as they are, per-capability vectors one metric per capability, T×T matrices (cosines before/after) by
 * their largest |off-diagonal| entry.
 */
export function logDiagnostics(sink: Sink, step: number, capabilities: readonly string[], diagnostics: Diagnostics): void {
  const T = capabilities.length;
  for (const [key, value] of Object.entries(diagnostics)) {
    if (typeof value === "number") sink.metric(step, `method/${key}`, value);
    else if (value.length === T && value.every((x) => typeof x === "number"))
      (value as number[]).forEach((x, c) => sink.metric(step, `method/${key}/${capabilities[c]}`, x));
    else if (Array.isArray(value[0])) {
      const matrix = value as number[][];
      let largest = 0;
      for (let i = 0; i < matrix.length; i++)
        for (let j = 0; j < matrix.length; j++)
          if (i !== j && Number.isFinite(matrix[i][j])) largest = Math.max(largest, Math.abs(matrix[i][j]));
      sink.metric(step, `method/${key}/max_abs_offdiag`, largest);
    }
  }
}

function logCompletions(ctx: LogContext, { step, batch, scored }: StepRecord): void {
  ctx.sink.rows(
    "completions",
    batch.completions.map((row, i) => ({
      step,
      item_id: row.item.id,
      capability: ctx.capabilities[row.capability],
      prompt: row.item.prompt,
      completion: row.text,
      rewards: JSON.stringify({
        [ctx.capabilities[row.capability]]: {
          rule: scored.rule[i],
          model: Number.isNaN(scored.model[i]) ? null : scored.model[i],
          hybrid: scored.hybrid[i],
        },
      }),
      reward: scored.hybrid[i],
      advantage: scored.advantages.advantages[i],
    })),
  );
}

export function logStep(ctx: LogContext, record: StepRecord): void {
  const { sink, config, capabilities } = ctx;
  const { step, update } = record;
  const capMean = capabilityMeans(record);
  sink.metric(step, "loss", update.loss);
  // one row per step (the store keys metrics by step): the mean pre-clip norm over the μ passes
  sink.metric(step, "grad_norm", update.gradNorm);
  logRewards(ctx, record, capMean);
  if (ctx.hasReference) sink.metric(step, "kl", update.stats.kl);
  sink.metric(step, "clip_ratio/low_mean", update.stats.clipLow);
  sink.metric(step, "clip_ratio/high_mean", update.stats.clipHigh);
  sink.metric(step, "clip_ratio/region_mean", update.stats.clipRegion);
  logCompletionStats(sink, step, record.batch);
  sink.metric(step, "learning_rate", config.learning_rate);
  for (const [name, value] of Object.entries(update.update.metrics)) sink.metric(step, name, value);
  // signal vs sampling noise in each capability's gradient (undefined, so not logged, when a half's gradient is 0)
  capabilities.forEach((name, c) => {
    if (Number.isFinite(update.splitHalfCos[c])) sink.metric(step, `grad/split_half_cos/${name}`, update.splitHalfCos[c]);
  });
  logDiagnostics(sink, step, capabilities, update.update.diagnostics);
  sink.rows("grad_gram", update.update.gramRows); // the whole model
  sink.rows("grad_gram_blocks", blockGramRows(step, capabilities, update.blocks)); // the same pass, per parameter block
  const coef = update.update.coef;
  const coefSum = coef.reduce((a, b) => a + b, 0);
  const normalised = coefSum > 0 ? coef.map((w) => w / coefSum) : coef;
  sink.rows("weights", weightRows(step, capabilities, normalised, `${config.weight_strategy}/${config.method}`, ctx.alphas));
  if (step === 1 || step === config.max_steps || step % config.log_completions_every === 0) logCompletions(ctx, record);
}
