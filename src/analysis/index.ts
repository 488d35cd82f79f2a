/**
 * Analyses shared by evaluation, the pipeline and the pages (browser-safe: no tfjs, no node: imports).
 */
export { dominates, nonDominated, nonDominatedSort, weightedScores, front2d, type Point } from "./pareto.ts";
export { hypervolume, hypervolumeMin, hypervolumeContributions, normalizePoints, normalizedHypervolume } from "./hypervolume.ts";
export { mean } from "../util/stats.ts";
export { bootstrapCI, pairedBootstrapCI, quantileSorted, type CI, type BootstrapOptions } from "./bootstrap.ts";
export { smooth, rollingMean } from "./smoothing.ts";
export { deltaM } from "./deltaM.ts";
export { summarize, groupSummary, tQuantile, normalQuantile, meanCI, differenceCI, type Summary, type Estimate } from "./summary.ts";
export { pairedBootstrap, type PairedOptions, type PairedResult } from "./paired.ts";
export { nullCosineBand, fractionInsideBand, type NullCosineBand } from "./null_cosine.ts";
export { hypervolumePerSeed, type SeedPoints, type HypervolumeBySeed } from "./hypervolume_seeds.ts";
export {
  pairStats,
  rowsNearStep,
  gradientMagnitudeSimilarity,
  pairTable,
  methodConflict,
  nullBandSummary,
  blockRows,
  type GramRow,
  type RunGramRow,
  type PairStats,
} from "./orthogonality.ts";
export { capacityCurve, sharedSftCurve, CAPACITY_SPLITS, type CapacityPoint, type MetricRow } from "./capacity.ts";
export {
  conflictOutcomes,
  outcomeShift,
  conflictControl,
  conflictStory,
  conflictWording,
  CONFLICT_ALPHA,
  type ConflictRun,
  type ConflictSummary,
  type OutcomeKey,
  type Spread,
  type ConflictRow,
  type ConflictMethodRow,
} from "./conflict.ts";
export {
  pairedComparison,
  comparisonWording,
  comparisonText,
  perSeedText,
  seedCount,
  type EvalItemRow,
  type ComparisonWord,
} from "./compare.ts";
export { seedItemBootstrap, type SeedComparison, type SeedScore, type ComparisonBasis } from "./seed_bootstrap.ts";
export { mannWhitneyGreater, mannWhitneyU, holm, signTest, type RankTest } from "./rank_test.ts";
export {
  gridCells,
  facetSlice,
  gridCoverage,
  axisValueLabel,
  type SweepSpec,
  type SweepSpecRun,
  type GridCell,
  type RunScore,
} from "./sweepgrid.ts";
export {
  CAPABILITIES,
  CAP_LABEL,
  METHOD_ORDER,
  SFT_ONLY,
  CONFLICT_HANDLING_METHODS,
  STAGE_ORDER,
  byMethodOrder,
  byStageOrder,
  METHOD_COLOR,
  OTHER_COLOR,
  methodColor,
  methodColorScale,
  MAX_LABEL,
  shortKey,
  clip,
  differingKeys,
  labelOf,
  runLabels,
  runLabel,
  groupLabels,
  fullConfig,
  type Capability,
} from "./labels.ts";
export {
  SCORE_DEFINITIONS,
  DEFINITION_LABEL,
  joinRuns,
  groupKey,
  withDefinition,
  scoredUnderAny,
  capEstimate,
  fmtEstimate,
  clipInterval,
  controlEstimate,
  fmtControl,
  bestConfig,
  missingScores,
  paramsWithoutSeed,
  bySeed,
  rlSeedOf,
  showValue,
  type ScoreDefinition,
  type CapScore,
  type Scores,
  type StoredRun,
  type SiteRun,
  type CapEstimate,
  type EvalRow,
  type ControlEstimate,
} from "./runs.ts";
export {
  judgeClaims,
  verdictCounts,
  gapText,
  gapAbove,
  gapBelow,
  VERDICTS,
  type Claim,
  type Verdict,
  type Judgement,
  type ClaimVerdict,
  type VerdictData,
  type Gap,
} from "./verdicts.ts";
export {
  headlineTable,
  chanceCell,
  KNOWLEDGE_OPTIONS,
  configsCaption,
  configComparisons,
  pairedComparisonRows,
  type ConfigComparison,
  type PaperHeadline,
  type HeadlineTable,
} from "./headline.ts";
export {
  configPoints,
  pointVectors,
  onAxes,
  capabilityHypervolume,
  paramFilters,
  passesFilters,
  weightedRanking,
  weightedScatter,
  type ConfigPoint,
  type AxisPoint,
  type WeightedConfig,
} from "./capspace.ts";
export { modelScale, worldScale, type ModelInfo, type WorldInfo } from "./scale.ts";
export { splitHalfSummary, splitHalfRows as splitHalfMetricRows, splitHalfSentence, type SplitHalfSummary } from "./split_half.ts";
export {
  ablationConfigs,
  ablationKeys,
  ablationRows,
  ablationBars,
  deltaMBaseline,
  deltaMAgainst,
  configLabel,
  type AblationConfig,
} from "./ablations.ts";
export { curveRows, type CurveRow, type CurveOptions } from "./curves.ts";
export { countsBy, curationFunnel, rejectReasons, VALIDATOR_STAGES } from "./curation.ts";
export {
  LIVE_DEFAULTS,
  LIVE_GRPO,
  LIVE_HELD_OUT,
  LIVE_LIMITS,
  LIVE_METHODS,
  LIVE_OPTIMS,
  LIVE_TOLERANCE,
  liveEndRows,
  liveFormSettings,
  liveSettingsError,
  liveStepRows,
  parseSlotWeights,
  type LiveSettings,
  type LiveStepRow,
  type LiveFormValue,
} from "./live.ts";
