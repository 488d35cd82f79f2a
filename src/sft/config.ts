import { z } from "zod";
import type { DataConfig } from "../mkgsg/config.ts";
import type { ModelConfig } from "../model/config.ts";
import { adamwFields, minLrBelowLr, scheduleFields } from "../optim/config.ts";

/**
 * Supervised fine-tuning (owner: src/sft). The defaults are configs/default.json's SFT (term_share aside, see there):
 * the 64-gene world read for 2000 steps of 8 packed rows (README has the measured numbers).
 * Names follow nanoGPT / TRL where the concept is the same.
 */
export const sftSchema = z
  .object({
    max_steps: z.number().int().positive().default(2000),
    /** rows per step (packed rows of pack_length tokens; with pack_length 0, one padded example per row) */
    batch_size: z.number().int().positive().default(8),
    /** tokens per packed row (≤ model.block_size); 0 = no packing: each example its own row, padded to the longest */
    pack_length: z.number().int().nonnegative().default(128),
    /** share of each batch's rows taken from the gene cards; the rest is train QA */
    card_share: z.number().min(0).max(1).default(0.75),
    /**
     * share of the card rows given to the term cards (the is_a/part_of edge sentences), packed as their own stream; the
     * rest of the card rows read gene cards. Unset: one card stream, where term cards take rows in proportion to their
     * tokens. Why a share: the reasoning chains need every edge, but each edge is one short sentence that a few reads
     * teach, while a gene's facts need many reads of its cards (extraction grows with reads per gene); in one stream the
     * many edges of a large world crowd out the gene cards.
     * No default: unset is a setting of its own (one stream, what configs/ci.json, conflict.json and paper.json run), and
     * an unset field is absent from the stored config, so a default here would turn it into that default when a stored
     * config is parsed again. configs/default.json sets 0.17.
     */
    term_share: z.number().min(0).max(1).optional(),
    ...adamwFields({ learning_rate: 3e-3, weight_decay: 0.1, beta1: 0.9, beta2: 0.95, eps: 1e-8, max_grad_norm: 1.0 }),
    ...scheduleFields({ min_lr: 3e-4, warmup_steps: 50 }),
    log_every: z.number().int().positive().default(10),
    eval_every: z.number().int().positive().default(250),
    /** held-out batches per eval-loss measurement */
    eval_batches: z.number().int().positive().default(4),
    save_every: z.number().int().positive().default(250),
    /**
     * every probe_every steps (0 = off), the knowledge cloze accuracy on probe_items train-QA, extraction and control
     * items (gene world), logged against card reads per gene: the capacity curve on the Data page
     */
    probe_every: z.number().int().nonnegative().default(250),
    probe_items: z.number().int().positive().default(60),
  })
  .strict()
  .refine(...minLrBelowLr);
export type SftConfig = z.infer<typeof sftSchema>;

/**
 * Everything the SFT stage reads: its slice of the run config (the pipeline's cache key hashes exactly this, plus the
 * upstream data hash). `data` is not read by training; it is recorded in the checkpoint so `bbio eval <checkpoint>` can
 * regenerate the items it was trained and held out on.
 */
export interface SftStageConfig {
  seed: number;
  /** backend preference ("auto", "wasm", "native", ...); BBIO_BACKEND overrides it */
  backend: string;
  model: ModelConfig;
  sft: SftConfig;
  data?: DataConfig;
}
