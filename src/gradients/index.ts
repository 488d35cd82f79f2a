/**
 * src/gradients: per-capability gradient analysis and combination (see registry.ts for the method list).
 */
export { METHODS, METHOD_NAMES, getMethod, type MethodName } from "./registry.ts";
export type { CombineFn, CombineContext, CombineResult, Diagnostics } from "./types.ts";
export { gramMatrix, summarizeGram, gramRows, firstOrderGains, cosines, norms, scaleGram } from "./gram.ts";
export { minNorm, twoTaskMinNorm } from "./minnorm.ts";
export { capabilityAwareUpdate, flattenParts, splitLike, type UpdateResult } from "./step.ts";
