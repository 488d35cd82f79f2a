import { z } from "zod";
import { CAPABILITIES, type Capability } from "../util/capabilities.ts";

/** Evaluation (owner: src/eval). */
export const evalSchema = z
  .object({
    /** which items to score: the held-out split (default), the training split, or all */
    split: z.enum(["eval", "train", "all"]).default("eval"),
    /**
     * also score the control split (gene world: genes with neither card nor QA), stored as `control` metrics. true: every
     * run; "sft_only": only runs without RL (grpo.method = none) — the control measures what SFT put into the model,
     * GRPO never trains on control genes, and the pages read it from SFT-only alone, so scoring it after every RL run
     * doubles the evaluation for rows nothing reads; false: never. `bbio eval` on a checkpoint scores it unless false.
     */
    control: z.union([z.boolean(), z.literal("sft_only")]).default("sft_only"),
    /**
     * which capabilities' items are scored (default all four). The conflict control reads only its two slots
     * (instruction and integration), so its runs score those alone instead of sampling 8 answers to items nothing reads.
     */
    capabilities: z
      .array(z.enum(CAPABILITIES as [Capability, ...Capability[]]))
      .nonempty()
      .refine((xs) => new Set(xs).size === xs.length, "each capability at most once")
      .default([...CAPABILITIES] as [Capability, ...Capability[]]),
    /** cap per family (0 = all), applied to the evaluated split and to the control — keeps evaluations fast */
    max_items_per_family: z.number().int().nonnegative().default(100),
    /** generation budget; also capped by the longest gold answer (+16 tokens) and the context */
    max_new_tokens: z.number().int().positive().default(128),
    /** prompts decoded per generate() call */
    batch_size: z.number().int().positive().default(64),
    bootstrap_resamples: z.number().int().positive().default(1000),
    ci_level: z.number().gt(0).lt(1).default(0.95),
    /**
     * k completions per item sampled at sample_temperature (0 = off): metric `sampled` is the mean strict score over
     * them — the policy's expected reward, what GRPO optimises. Greedy decoding reports only the policy's mode, so a
     * policy that answers in capitals 45% and lower case 55% of the time looks like "always lower case"; the conflict
     * control's outcome is this mixture (docs/method.md §2.4)
     */
    samples: z.number().int().nonnegative().default(0),
    sample_temperature: z.number().positive().default(1.0),
    /** also evaluate the untrained (freshly initialised) model as a baseline */
    untrained_baseline: z.boolean().default(true),
  })
  .strict();
export type EvalConfig = z.infer<typeof evalSchema>;

/** Everything an evaluation reads (the model and tokenizer come from the checkpoint). */
export interface EvalStageConfig {
  seed: number;
  /** backend preference; BBIO_BACKEND overrides it */
  backend: string;
  eval: EvalConfig;
}

/** Whether an evaluation scores the control split: eval.control for a run with or without RL. */
export function scoresControl(control: EvalConfig["control"], withRl: boolean): boolean {
  return control === "sft_only" ? !withRl : control;
}
