/**
 * Analyses shared by evaluation, the pipeline and the pages (browser-safe: no tfjs, no node: imports).
 */
export { dominates, nonDominated, nonDominatedSort, weightedScores, front2d, type Point } from "./pareto.ts";
export { hypervolume, hypervolumeMin, hypervolumeContributions, normalizePoints, normalizedHypervolume } from "./hypervolume.ts";
export { bootstrapCI, pairedBootstrapCI, quantileSorted, mean, type CI, type BootstrapOptions } from "./bootstrap.ts";
export { smooth, rollingMean } from "./smoothing.ts";
export { deltaM } from "./deltaM.ts";
export { summarize, groupSummary, tQuantile, normalQuantile, meanCI, differenceCI, type Summary, type Estimate } from "./summary.ts";
export { pairedBootstrap, type PairedOptions, type PairedResult } from "./paired.ts";
export { nullCosineBand, fractionInsideBand, type NullCosineBand } from "./null_cosine.ts";
export { hypervolumePerSeed, type SeedPoints, type HypervolumeBySeed } from "./hypervolume_seeds.ts";
export { pairStats, type GramRow, type PairStats } from "./orthogonality.ts";
export { capacityCurve, type CapacityPoint, type MetricRow } from "./capacity.ts";
export { conflictOutcomes, outcomeShift, type ConflictRun, type ConflictSummary, type OutcomeKey, type Spread } from "./conflict.ts";
export { pairedComparison, type EvalItemRow } from "./compare.ts";
export { gridCells, facetSlice, gridCoverage, axisValueLabel, type SweepSpec, type SweepSpecRun, type GridCell, type RunScore } from "./sweepgrid.ts";
