/**
 * The workbench's shared vocabulary: the four capability families (MKGSG's item families, the paper's capabilities)
 * and the validator stages a rejected candidate is attributed to. It sits in the bottom layer so that every stage and
 * the browser bundle (src/analysis) can import it without reaching up into src/mkgsg; src/mkgsg/types.ts re-exports it.
 */
export type Family = "knowledge" | "reasoning" | "instruction" | "integration";
export const FAMILIES: readonly Family[] = ["knowledge", "reasoning", "instruction", "integration"];

/** the validator stages in the order a candidate meets them (src/mkgsg/validate.ts); a reject names the one that rejected it */
export const REJECT_STAGES = ["ontology", "constraint", "workflow"] as const;
export type RejectStage = (typeof REJECT_STAGES)[number];
