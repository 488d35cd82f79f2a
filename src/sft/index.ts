/** Public API of the SFT stage. */
export { runSft, evalLoss, checkFits, type SftOptions, type SftResult } from "./sft.ts";
export { encodeExample, makeBatch, disposeBatch, maskedLoss, batchIndices, type Example, type Batch } from "./batch.ts";
export { itemsFor, readItems } from "./items.ts";
export { sftSchema, type SftConfig } from "./config.ts";
