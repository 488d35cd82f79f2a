/** The knowledge-graph stage: `import { loadKG } from "../kg/index.ts"`. */
export type * from "./types.ts";
export { loadKG, clearKGCache, kgDir, DEFAULT_KG_DIR, REGENERATE_KG, KG_FILES } from "./load.ts";
export { MemoryKG, type KGData } from "./kg.ts";
export { GoGraph, SUBSUMPTION } from "./graph.ts";
export { splitOfEntrez, EVAL_PERCENT } from "./split.ts";
export { GO_ID, ROOTS, UNINFORMATIVE_TERMS, isGoId, parseGoId, requireTerm, resolveGene } from "./ids.ts";
export { kgStats, type KGStats } from "./stats.ts";
