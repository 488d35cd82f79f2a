import { z } from "zod";
import type { ModelConfig } from "../model/config.ts";
import { adamwFields, minLrBelowLr, scheduleFields } from "../optim/config.ts";
import { CORRUPTIONS, type Corruption } from "../mkgsg/corrupt.ts";

/**
 * The `rm` section: the Bradley–Terry reward model of the hybrid reward (docs/method.md §4.2, ours) and the held-out
 * noise estimates that feed the rule-vs-model mixing α_c (minimum-variance α, docs/method.md §4.3). Owner: src/rewards.
 *
 * Defaults are sized for the RM stage (pairs + training + held-out evaluation) of a small model (2×128, block 256) on
 * one wasm core.
 * Optimiser fields: src/optim/config.ts, shared with sft and grpo.
 */
export const rmSchema = z
  .object({
    /** preference pairs per item (distinct corruption types where the item allows it) */
    pairs_per_item: z.number().int().positive().default(2),
    /** corruption types to draw from; [] = all (src/mkgsg/corrupt.ts CORRUPTIONS) */
    corruptions: z.array(z.enum(CORRUPTIONS as unknown as [Corruption, ...Corruption[]])).default([]),
    /** optimizer steps (one batch of pairs each) */
    max_steps: z.number().int().positive().default(60),
    /** pairs per step (each pair = 2 sequences through the model) */
    batch_size: z.number().int().positive().default(8),
    ...adamwFields({ learning_rate: 1e-3, weight_decay: 0.0, beta1: 0.9, beta2: 0.95, eps: 1e-8, max_grad_norm: 1.0 }),
    ...scheduleFields({ min_lr: 1e-4, warmup_steps: 5 }),
    /** std of the scalar head's initial weights (bias starts at 0) */
    head_init_std: z.number().nonnegative().default(0.02),
    log_every: z.number().int().positive().default(10),
    /** held-out pairwise accuracy during training every this many steps (on at most eval_max_pairs pairs) */
    eval_every: z.number().int().positive().default(30),
    /** cap on held-out pairs scored during training (the final evaluation uses every held-out pair) */
    eval_max_pairs: z.number().int().positive().default(64),
    /** train pairs scored (no grad) at the end for the reported train accuracy */
    train_eval_pairs: z.number().int().positive().default(128),
    save_every: z.number().int().positive().default(100),
    /** sequences per forward pass when scoring (no grad) */
    score_batch_size: z.number().int().positive().default(32),
    /**
     * minimum-variance α's noise estimate per capability on held-out answers (gold = 1, corrupted = 0 as the latent quality):
     * "central" = variances and Pearson ρ as the α* formula is stated; "raw" = second moments about 0 (MSE-optimal,
     * accounts for the rule scorer's partial-credit bias). See src/weighting/min_variance_alpha.ts.
     */
    noise_moments: z.enum(["central", "raw"]).default("central"),
    /**
     * share of the TRAIN items (by a seeded hash of the item id) whose pairs are held out of RM training to estimate
     * the minimum-variance α and its noise on: α is chosen on a train hold-out, never on eval-split pairs (no tuning on the test split)
     */
    alpha_holdout: z.number().gt(0).lt(1).default(0.2),
  })
  .strict()
  .refine(...minLrBelowLr);
export type RmConfig = z.infer<typeof rmSchema>;

/** Everything the RM stage reads (its cache key hashes exactly this, plus the upstream hashes). */
export interface RmStageConfig {
  seed: number;
  /** backend preference; BBIO_BACKEND overrides it */
  backend: string;
  model: ModelConfig;
  rm: RmConfig;
}
