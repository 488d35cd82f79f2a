import { z } from "zod";
import type { DataConfig } from "../mkgsg/config.ts";
import type { ModelConfig } from "../model/config.ts";
import { adamwFields } from "../optim/config.ts";
import { METHOD_NAMES, usesPreferences } from "../weighting/registry.ts";
import { STRATEGY_NAMES } from "../weighting/strategies.ts";

/**
 * Capability-Aware GRPO (owner: src/grpo). Option names follow TRL's GRPOConfig where the concept is the same
 * (num_generations, beta, epsilon, epsilon_high, num_iterations, loss_type, scale_rewards, reward_weights,
 * multi_objective_aggregation, temperature, top_k, top_p, max_completion_length, learning_rate, max_grad_norm), and so
 * do their comments. Defaults are OUR choices for the tiny model on one CPU core (docs/method.md §5.5: the paper's
 * values are unknown); where TRL's default differs, the comment gives TRL's.
 */
/**
 * The config value of grpo.method for a run without RL. Only the config and the pipeline read it: withoutRl says
 * whether a config is such a run, and the pipeline (src/pipeline/stages.ts) stores such a run as SFT_ONLY (src/analysis/labels.ts).
 */
export const NO_RL = "none";
/** whether this grpo config is a run without RL (no reward model, no GRPO policy) */
export const withoutRl = (g: { method: string }): boolean => g.method === NO_RL;

const grpoFields = z
  .object({
    /**
     * how per-capability policy gradients are combined each step (src/weighting): sum (plain GRPO), pcgrad, mgda,
     * cagrpo (ours), cagrad, aligned_mtl — or "none" for a run without RL (the pipeline then trains no reward model)
     */
    method: z.enum([NO_RL, ...METHOD_NAMES]).default("cagrpo"),
    /** capability-weight strategy (docs/method.md §4.4): the preference weights handed to the method each step */
    weight_strategy: z.enum(STRATEGY_NAMES).default("uniform"),
    /**
     * static strategy: TRL's reward_weights, one per capability (knowledge, reasoning, instruction, integration).
     * TRL: "Weights for each reward function. Must match the number of reward functions. If None, all rewards are
     * weighted equally with weight 1.0."
     */
    reward_weights: z.array(z.number().nonnegative()).length(4).nullable().default(null),
    /** dynamic strategy: the wrapped strategy, recomputed every dynamic_every steps from EMA statistics */
    dynamic_inner: z.enum(["uniform", "static", "minnorm", "orthogonal", "inverse_variance"]).default("minnorm"),
    /** dynamic strategy: how often (in steps) the wrapped strategy is recomputed */
    dynamic_every: z.number().int().positive().default(5),
    /**
     * rule/model mix α_c in r_c = α_c·rule + (1−α_c)·RM: a number, or "min_variance" (the minimum-variance mix of
     * docs/method.md §4.3, from the RM stage's held-out noise estimates). Default 0.75 (ours): on MKGSG the rule IS the
     * label, so the minimum-variance mix measures the rule as noise-free and picks α = 1 (rule only) whenever the RM
     * errs at all — the run logs that mix's α as alpha_min_variance/<c> either way.
     */
    alpha: z.union([z.literal("min_variance"), z.number().min(0).max(1)]).default(0.75),
    /**
     * the RL seed (prompt order, sampling); null = the run's seed. Seeds of one method that differ only here share the
     * data, SFT and reward-model stages, so a multi-seed suite measures RL variance at the cost of GRPO + eval alone.
     */
    seed: z.number().int().nonnegative().nullable().default(null),
    /**
     * number of GRPO steps (one sampled batch each). 10 at 8 prompts per capability: the most that keeps the default
     * suite's cold build within 10 minutes on 2 cores (MEASURED.md); the learning rate is constant, so a run's first
     * k steps are exactly a k-step run's
     */
    max_steps: z.number().int().positive().default(10),
    /**
     * prompts per capability per step (prompts are mixed across the four families, equally). 8: each capability's
     * gradient then averages 32 completions; at 2 and 4 prompts the split-half gradient cosines of some capabilities
     * sat inside the null band on every seed set (MEASURED.md, the split-half budget table)
     */
    prompts_per_capability: z.number().int().positive().default(8),
    /**
     * G: completions sampled per prompt, the group its advantages are relative to (DeepSeekMath, arXiv 2402.03300,
     * §4.1). TRL: "Number of generations to sample." (default 8)
     */
    num_generations: z.number().int().min(2).default(4),
    /**
     * μ: optimisation passes over each sampled batch (DeepSeekMath Alg. 1; TRL: "Number of iterations per batch
     * (denoted as μ in the algorithm)"). 1 = on-policy: the ratio is 1 with a gradient and epsilon never clips
     */
    num_iterations: z.number().int().positive().default(1),
    /**
     * optimizer (HF TrainingArguments' `optim` names): "adamw_torch" (TRL's default) or "sgd" — plain SGD steps along
     * the combined direction itself, where the methods' first-order guarantees hold (src/optim/sgd.ts); AdamW's
     * per-coordinate rescaling does not preserve them. SGD needs a far larger learning_rate (≈ 0.1–1 with clipping)
     */
    optim: z.enum(["adamw_torch", "sgd"]).default("adamw_torch"),
    /**
     * β: KL coefficient to the frozen SFT reference (k3 estimator; DeepSeekMath, arXiv 2402.03300, eq. 3–4). TRL: "If
     * 0.0, the reference model is not loaded, reducing memory usage and improving training speed." (TRL's default 0.0)
     */
    beta: z.number().nonnegative().default(0.04),
    /**
     * ε: lower clip bound of the ratio, clip(ρ, 1−ε, 1+ε_high) (PPO, arXiv 1707.06347; DeepSeekMath eq. 3). TRL:
     * "Epsilon value for clipping." Acts only when num_iterations > 1
     */
    epsilon: z.number().positive().default(0.2),
    /**
     * ε_high: upper clip bound, DAPO's clip-higher (arXiv 2503.14476, which recommends 0.28). TRL: "If not specified,
     * it defaults to the same value as the lower-bound specified in argument epsilon." null = epsilon
     */
    epsilon_high: z.number().positive().nullable().default(null),
    /**
     * how token losses are reduced (src/grpo/loss.ts): "grpo" normalises each sequence by its length (DeepSeekMath;
     * TRL: "Not recommended due to length bias"); "dr_grpo" divides by B·max_completion_length (Dr. GRPO, arXiv
     * 2503.20783, to eliminate length bias); "dapo" divides by the active tokens of the whole step's batch (DAPO, arXiv
     * 2503.14476; TRL's default); "bnpo" by the active tokens of the local batch (here: one capability's completions)
     */
    loss_type: z.enum(["grpo", "dr_grpo", "dapo", "bnpo"]).default("grpo"),
    /**
     * how centred rewards are scaled (src/grpo/advantages.ts): "group" by the std within each group (TRL's default),
     * "batch" by the std over the whole batch (PPO Lite, arXiv 2508.08221), "none" not at all (Dr. GRPO, arXiv
     * 2503.20783: scaling by the std introduces a question-level difficulty bias)
     */
    scale_rewards: z.enum(["group", "batch", "none"]).default("group"),
    /**
     * how several rewards become one advantage: "sum_then_normalize" sums the weighted rewards, then normalises (TRL's
     * default); "normalize_then_sum" normalises each reward inside its group, then sums and batch-normalises (GDPO,
     * arXiv 2601.05242)
     */
    multi_objective_aggregation: z.enum(["sum_then_normalize", "normalize_then_sum"]).default("sum_then_normalize"),
    /**
     * sampling temperature; the old, reference and current log-probs are taken at it too, as in TRL. TRL: "The higher
     * the temperature, the more random the completions."
     */
    temperature: z.number().positive().default(1.0),
    /**
     * top-k filtering of the sampling distribution; 0 = off (TRL: None). TRL: "Number of highest probability
     * vocabulary tokens to keep for top-k-filtering."
     */
    top_k: z.number().int().nonnegative().default(0),
    /**
     * nucleus sampling (Holtzman et al. 2020, arXiv 1904.09751). TRL: "Float that controls the cumulative probability
     * of the top tokens to consider. Must be in (0, 1]. Set to 1.0 to consider all tokens."
     */
    top_p: z.number().gt(0).max(1).default(1.0),
    /** tokens sampled per completion at most, and dr_grpo's normaliser. TRL: "Maximum length of the generated completion." (default 256) */
    max_completion_length: z.number().int().positive().default(64),
    // AdamW (src/optim/config.ts documents each field): a constant learning rate (no schedule), β2 0.99
    ...adamwFields({ learning_rate: 2e-4, weight_decay: 0.0, beta1: 0.9, beta2: 0.99, eps: 1e-8, max_grad_norm: 1.0 }),
    /** every N steps all sampled completions go to the completions table (step 1 and the last step always) */
    log_completions_every: z.number().int().positive().default(4),
    /** checkpoint (policy, optimizer, strategy state) every N steps and at the last step */
    save_every: z.number().int().positive().default(4),
  })
  .strict();

/**
 * The GRPO section. Parsing refuses settings that the chosen method would silently ignore (ignoredCombinations), so a
 * parsed GrpoConfig is coherent and nothing downstream checks it again.
 */
export const grpoSchema = grpoFields.superRefine((g, ctx) => {
  for (const message of ignoredCombinations(g)) ctx.addIssue({ code: "custom", message });
});
export type GrpoConfig = z.infer<typeof grpoSchema>;
/** TRL's loss_type (src/grpo/loss.ts) */
export type LossType = GrpoConfig["loss_type"];
/** TRL's scale_rewards (src/grpo/advantages.ts) */
export type ScaleRewards = GrpoConfig["scale_rewards"];
/** TRL's multi_objective_aggregation (src/grpo/advantages.ts) */
export type Aggregation = GrpoConfig["multi_objective_aggregation"];

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
 * must never differ from another only in its hash: grpoSchema refuses these when it parses.
 *   - a weight strategy other than uniform under a method that defines its own weights (mgda) or under "none"
 *   - reward_weights when no strategy reads them (only static, or dynamic wrapping static, does)
 *   - dynamic_inner / dynamic_every changed from their defaults when the strategy is not dynamic
 */
export function ignoredCombinations(g: z.infer<typeof grpoFields>): string[] {
  const out: string[] = [];
  if (g.seed !== null && withoutRl(g))
    out.push(`grpo.seed=${g.seed} has no effect with grpo.method="${NO_RL}" (an SFT-only run has no RL)`);
  if (g.weight_strategy !== "uniform" && withoutRl(g))
    out.push(`grpo.weight_strategy="${g.weight_strategy}" has no effect with grpo.method="${NO_RL}" (an SFT-only run); use "uniform"`);
  else if (g.weight_strategy !== "uniform" && !usesPreferences(g.method))
    out.push(
      `grpo.weight_strategy="${g.weight_strategy}" has no effect under grpo.method="${g.method}" (it computes its own weights); ` +
        `use "uniform", or a method that applies preference weights (${METHOD_NAMES.filter(usesPreferences).join(", ")})`,
    );
  if (g.weight_strategy !== "dynamic") {
    const d = grpoFields.parse({});
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
