/**
 * src/gradients: per-capability gradient analysis and combination (see registry.ts for the method list).
 */
export { METHODS, METHOD_NAMES, PREFERENCE_FREE_METHODS, getMethod, usesPreferences, type MethodName } from "./registry.ts";
export type { CombineFn, CombineContext, CombineResult, Diagnostics } from "./types.ts";
export { gramMatrix, summarizeGram, gramRows, blockGrams, blockGramRows, firstOrderGains, cosines, norms, scaleGram, type BlockGram } from "./gram.ts";
export { minNorm, twoTaskMinNorm } from "./minnorm.ts";
export { capabilityAwareUpdate, flattenParts, splitLike, type UpdateResult } from "./step.ts";
