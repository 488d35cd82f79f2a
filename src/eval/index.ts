/** Public API of the evaluation stage. */
export {
  evaluate,
  summarize,
  selectItems,
  primary,
  metricValues,
  type EvalReport,
  type FamilyReport,
  type ItemResult,
  type EvaluateOptions,
  type MetricCI,
} from "./evaluate.ts";
export { evalSchema, type EvalConfig } from "./config.ts";
