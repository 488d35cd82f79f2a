/**
 * MKGSG — Medical Knowledge-Grounded Synthetic Generation (our reconstruction; docs/method.md §3): the public API.
 *
 *   generate(kg, dataConfig, seed, {onProgress?}) → {items, rejects, funnel}
 *   validate(item, kg)                            → {ok: true} | {ok: false, reasons: [{reason, detail}]}
 *   score(item, answer, kg, {loose?})             → {score ∈ [0,1], checks, components}
 *   corrupt(item, kind, rng, kg)                  → a plausible wrong answer of a named type
 *   WORKFLOW_RULES                                → the workflow constraints, with descriptions (docs page)
 */
export type * from "./types.ts";
export { CAPABILITIES } from "./types.ts";
export { generate, enabledKinds, type Funnel, type FunnelRow, type GenerateResult, type GenerateOptions } from "./generate.ts";
export { validate, validateOntology, validateWorkflow, type Reason, type Validation, type ValidateOptions } from "./validate.ts";
export { score, type ScoreOptions } from "./score.ts";
export { corrupt, applicableCorruptions, CORRUPTIONS, type Corruption } from "./corrupt.ts";
export { WORKFLOW_RULES, type WorkflowRule } from "./workflow.ts";
export { CHECKS, CHECK_NAMES } from "./checks.ts";
export { dataSchema, WORLD_KINDS, CONFLICT_KINDS, ALL_KINDS, type DataConfig, type DataConfigInput, type Kind } from "./config.ts";
export { readItems, itemsToJsonl } from "./io.ts";
