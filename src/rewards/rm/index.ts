/**
 * The reward model of the hybrid reward (r_RM of docs/method.md §4.1–4.2, ours): the tiny transformer initialised from the SFT
 * checkpoint plus a scalar head, trained with the Bradley–Terry pairwise loss on MKGSG preference pairs.
 *
 *   r(x, y)  = w · h_last + b          h_last = ln_f output of [BOS] prompt [SEP] completion [EOS] at its last real
 *                                      token (EOS), picked with a one-hot selection matmul (tf.gather has no gradient
 *                                      on wasm; same pattern as sample.ts sequenceLogprobs)
 *   loss     = mean −log σ(r(x, y⁺) − r(x, y⁻)) = mean softplus(r⁻ − r⁺)     (Bradley & Terry 1952; Ouyang et al. 2022)
 *   score    = σ(r) ∈ [0, 1]           (what GRPO mixes with the rule reward)
 *
 * Training: AdamW (src/optim/adamw.ts) over every transformer weight + the head, global-norm clipping, warmup+cosine
 * LR (src/optim/schedule.ts), seeded batch order (src/sft/batch.ts batchIndices). Sequences longer than block_size
 * are left-truncated when scoring (the last token, where the head reads, is kept); training pairs that do not fit are
 * skipped and counted.
 *
 * Saved layout (<dir>, written atomically):
 *   gpt/        a regular checkpoint (saveCheckpoint): transformer + tokenizer (+ optimizer state incl. head moments)
 *   head.json   {format, n_embd, w: number[C], b: number}
 *   meta.json   {format: "bbio-rm-v1", model: ModelConfig, step, seed, ...}
 *
 *   const rm = await loadRewardModel(dir, config.model);
 *   const s = await rm.score(prompts, completions);     // σ(head) ∈ [0,1], batched, no gradient
 *   rm.dispose();
 *
 * Files: model.ts (loss, BtRewardModel, save / load), pairs_eval.ts (pairwise accuracy), stage.ts (the RM stage).
 */
export {
  RM_FORMAT,
  HEAD_FORMAT,
  btLoss,
  btLossValue,
  BtRewardModel,
  saveRewardModel,
  isRewardModelDir,
  loadRewardModelFull,
  loadRewardModel,
  type RewardModel,
  type RmSaveOptions,
  type LoadedRewardModel,
} from "./model.ts";
export { evaluatePairs, type PairEvaluation } from "./pairs_eval.ts";
export { runRmStage, resolveSftCheckpoint, pairBatches, type RmStageOptions, type RmStageResult, type NoiseEntry } from "./stage.ts";
