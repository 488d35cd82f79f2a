/**
 * The validator stages in the order a candidate meets them (src/mkgsg/validate.ts); a reject names the one that
 * rejected it. Bottom layer, so the browser bundle (src/analysis) can import it; src/mkgsg/types.ts re-exports it.
 */
export const REJECT_STAGES = ["ontology", "constraint", "workflow"] as const;
export type RejectStage = (typeof REJECT_STAGES)[number];
