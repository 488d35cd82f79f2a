/**
 * The four capabilities the method balances (the paper's capabilities; MKGSG generates one item family per
 * capability). It sits in the bottom layer so that every stage and the browser bundle (src/analysis) can import it
 * without reaching up into src/mkgsg; src/mkgsg/types.ts re-exports it.
 */
export type Capability = "knowledge" | "reasoning" | "instruction" | "integration";
export const CAPABILITIES: readonly Capability[] = ["knowledge", "reasoning", "instruction", "integration"];
