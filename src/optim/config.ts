import { z } from "zod";
import type { AdamWHyper } from "./adamw.ts";

/**
 * The one optimizer schema: every training stage (sft, rm, grpo) spreads these fields into its own config section, so
 * the names, ranges and meaning are the same everywhere and only the defaults differ per stage (each stage's defaults
 * are the values it always had, so no number changes). Names follow nanoGPT / TRL.
 */
export interface AdamWDefaults {
  learning_rate: number;
  weight_decay: number;
  beta1: number;
  beta2: number;
  eps: number;
  max_grad_norm: number;
}

/** AdamW + global-norm clipping fields, with a stage's defaults */
export function adamwFields(d: AdamWDefaults) {
  return {
    /** peak (or constant) step size of AdamW / SGD */
    learning_rate: z.number().positive().default(d.learning_rate),
    /** decoupled weight decay (AdamW, Loshchilov & Hutter, arXiv 1711.05101) */
    weight_decay: z.number().nonnegative().default(d.weight_decay),
    /** AdamW's decay of the first-moment estimate (Kingma & Ba, arXiv 1412.6980) */
    beta1: z.number().min(0).max(1).default(d.beta1),
    /** AdamW's decay of the second-moment estimate */
    beta2: z.number().min(0).max(1).default(d.beta2),
    /** AdamW's denominator term, √v̂ + eps */
    eps: z.number().positive().default(d.eps),
    /** global-norm gradient clipping; 0 = off */
    max_grad_norm: z.number().nonnegative().default(d.max_grad_norm),
  };
}

/** warmup + cosine schedule fields (schedule.ts lrAt), for stages that decay the learning rate */
export function scheduleFields(d: { min_lr: number; warmup_steps: number }) {
  return {
    min_lr: z.number().nonnegative().default(d.min_lr),
    warmup_steps: z.number().int().nonnegative().default(d.warmup_steps),
  };
}

/** refine for a schema with both: the cosine must decay, not rise */
export const minLrBelowLr: [(s: { min_lr: number; learning_rate: number }) => boolean, { message: string; path: string[] }] = [
  (s) => s.min_lr <= s.learning_rate,
  { message: "min_lr must be ≤ learning_rate", path: ["min_lr"] },
];

export interface AdamWConfig {
  weight_decay: number;
  beta1: number;
  beta2: number;
  eps: number;
}

/** config fields → the AdamW constructor's hyper-parameters */
export function adamwHyper(c: AdamWConfig): AdamWHyper {
  return { beta1: c.beta1, beta2: c.beta2, eps: c.eps, weightDecay: c.weight_decay };
}

/** the schedule as a stage configures it → lrAt's options */
export function scheduleOf(c: { learning_rate: number; min_lr: number; warmup_steps: number; max_steps: number }) {
  return { lr: c.learning_rate, minLr: c.min_lr, warmup: c.warmup_steps, maxSteps: c.max_steps };
}
