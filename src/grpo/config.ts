import { z } from "zod";
import type { DataConfig } from "../mkgsg/config.ts";
import type { ModelConfig } from "../model/config.ts";
import { adamwFields } from "../optim/config.ts";
import { METHOD_NAMES, usesPreferences } from "../weighting/registry.ts";
import { STRATEGY_NAMES } from "../weighting/strategies.ts";

/**
 * Capability-Aware GRPO (owner: src/grpo). Option names follow TRL's GRPOConfig where the concept is the same
 * (num_generations, beta, epsilon, epsilon_high, num_iterations, loss_type, scale_rewards, reward_weights,
 * multi_objective_aggregation, temperature, top_k, top_p, max_completion_length, learning_rate, max_grad_norm).
 * Defaults are OUR choices for the tiny model on one CPU core (docs/method.md §5.5: the paper's values are unknown).
 */
export const grpoSchema = z
  .object({
    /**
     * how per-capability policy gradients are combined each step (src/weighting): sum (plain GRPO), pcgrad, mgda,
     * cagrpo (ours), cagrad, aligned_mtl — or "none" for an SFT-only run (no reward model, no RL)
     */
    method: z.enum(["none", ...METHOD_NAMES]).default("cagrpo"),
    /** capability-weight strategy (docs/method.md §4.4): the preference weights handed to the method each step */
    weight_strategy: z.enum(STRATEGY_NAMES).default("uniform"),
    /** static strategy: TRL's reward_weights, one per capability (knowledge, reasoning, instruction, integration) */
    reward_weights: z.array(z.number().nonnegative()).length(4).nullable().default(null),
    /** dynamic strategy: the wrapped strategy and how often (steps) it is recomputed from EMA statistics */
    dynamic_inner: z.enum(["uniform", "static", "minnorm", "orthogonal", "inverse_variance"]).default("minnorm"),
    dynamic_every: z.number().int().positive().default(5),
    /**
     * rule/model mix α_c in r_c = α_c·rule + (1−α_c)·RM: a number, or "min_variance" (W3, from the RM stage's held-out
     * noise estimates). Default 0.75 (ours): on MKGSG the rule IS the label, so W3 measures the rule as noise-free and
     * picks α = 1 (rule only) whenever the RM errs at all — the run logs W3's α as alpha_min_variance/<c> either way.
     */
    alpha: z.union([z.literal("min_variance"), z.number().min(0).max(1)]).default(0.75),
    /**
     * the RL seed (prompt order, sampling); null = the run's seed. Seeds of one method that differ only here share the
     * data, SFT and reward-model stages, so a multi-seed suite measures RL variance at the cost of GRPO + eval alone.
     */
    seed: z.number().int().nonnegative().nullable().default(null),
    max_steps: z.number().int().positive().default(16),
    /** prompts per capability per step (prompts are mixed across the four families, equally) */
    prompts_per_capability: z.number().int().positive().default(2),
    /** G: completions sampled per prompt */
    num_generations: z.number().int().min(2).default(4),
    /** μ: optimisation passes over each sampled batch (PPO-style); 1 = on-policy, the ratio is 1 with a gradient */
    num_iterations: z.number().int().positive().default(1),
    /**
     * optimizer (HF TrainingArguments' `optim` names): "adamw_torch" (TRL's default) or "sgd" — plain SGD steps along
     * the combined direction itself, where the methods' first-order guarantees hold (src/optim/sgd.ts); AdamW's
     * per-coordinate rescaling does not preserve them. SGD needs a far larger learning_rate (≈ 0.1–1 with clipping)
     */
    optim: z.enum(["adamw_torch", "sgd"]).default("adamw_torch"),
    /** KL coefficient to the frozen SFT reference (k3 estimator); 0 skips the reference model */
    beta: z.number().nonnegative().default(0.04),
    epsilon: z.number().positive().default(0.2),
    /** upper clip bound (DAPO's clip-higher); null = epsilon */
    epsilon_high: z.number().positive().nullable().default(null),
    loss_type: z.enum(["grpo", "dr_grpo", "dapo", "bnpo"]).default("grpo"),
    scale_rewards: z.enum(["group", "batch", "none"]).default("group"),
    multi_objective_aggregation: z.enum(["sum_then_normalize", "normalize_then_sum"]).default("sum_then_normalize"),
    temperature: z.number().positive().default(1.0),
    top_k: z.number().int().nonnegative().default(0),
    top_p: z.number().gt(0).max(1).default(1.0),
    max_completion_length: z.number().int().positive().default(64),
    // AdamW (src/optim): a constant learning rate (no schedule); β2 0.99, the value GRPO always used
    ...adamwFields({ learning_rate: 2e-4, weight_decay: 0.0, beta1: 0.9, beta2: 0.99, eps: 1e-8, max_grad_norm: 1.0 }),
    /** every N steps all sampled completions go to the completions table (step 1 and the last step always) */
    log_completions_every: z.number().int().positive().default(4),
    save_every: z.number().int().positive().default(4),
  })
  .strict();
export type GrpoConfig = z.infer<typeof grpoSchema>;

/**
 * Everything the GRPO stage reads (its cache key hashes exactly this, plus the upstream hashes). `data` is only
 * recorded in the checkpoint, so `bbio eval <checkpoint>` can regenerate the items.
 */
export interface GrpoStageConfig {
  /** the run's seed; grpo.seed, when set, replaces it for RL */
  seed: number;
  /** backend preference; BBIO_BACKEND overrides it */
  backend: string;
  model: ModelConfig;
  grpo: GrpoConfig;
  data?: DataConfig;
}

/**
 * Settings that the chosen method would silently ignore, as messages (empty = the combination is coherent). A run
 * must never differ from another only in its hash: the config parser (src/config) and runGrpo both refuse these.
 *   - a weight strategy other than uniform under a method that defines its own weights (mgda) or under "none"
 *   - reward_weights when no strategy reads them (only static, or dynamic wrapping static, does)
 *   - dynamic_inner / dynamic_every changed from their defaults when the strategy is not dynamic
 */
export function ignoredCombinations(g: GrpoConfig): string[] {
  const out: string[] = [];
  if (g.seed !== null && g.method === "none")
    out.push(`grpo.seed=${g.seed} has no effect with grpo.method="none" (an SFT-only run has no RL)`);
  if (g.weight_strategy !== "uniform" && g.method === "none")
    out.push(`grpo.weight_strategy="${g.weight_strategy}" has no effect with grpo.method="none" (an SFT-only run); use "uniform"`);
  else if (g.weight_strategy !== "uniform" && !usesPreferences(g.method))
    out.push(
      `grpo.weight_strategy="${g.weight_strategy}" has no effect under grpo.method="${g.method}" (it computes its own weights); ` +
        `use "uniform", or a method that applies preference weights (${METHOD_NAMES.filter(usesPreferences).join(", ")})`,
    );
  if (g.weight_strategy !== "dynamic") {
    const d = grpoSchema.parse({});
    for (const k of ["dynamic_inner", "dynamic_every"] as const)
      if (g[k] !== d[k])
        out.push(`grpo.${k}=${JSON.stringify(g[k])} is set but only grpo.weight_strategy="dynamic" reads it (got "${g.weight_strategy}")`);
  }
  const readsRewardWeights = g.weight_strategy === "static" || (g.weight_strategy === "dynamic" && g.dynamic_inner === "static");
  if (g.reward_weights !== null && !readsRewardWeights)
    out.push(
      `grpo.reward_weights is set but grpo.weight_strategy="${g.weight_strategy}" does not read it; use "static" (or dynamic with dynamic_inner="static")`,
    );
  return out;
}
