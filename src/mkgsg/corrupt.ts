/**
 * corrupt(item, kind, rng, kg) and the corruption types: the reward model's "rejected" answers. The code lives in
 * corrupt/ (one file per component); this module keeps the import path the rest of the workbench uses.
 */
export { corrupt, applicableCorruptions, corruptionComponents, CORRUPTIONS, CORRUPTION_TARGETS, type Corruption } from "./corrupt/index.ts";
