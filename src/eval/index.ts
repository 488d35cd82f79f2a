/** Public API of the evaluation stage. */
export {
  evaluate,
  summarize,
  selectItems,
  primary,
  metricValues,
  type EvalReport,
  type CapabilityReport,
  type ItemResult,
  type EvaluateOptions,
  type MetricCI,
} from "./evaluate.ts";
export { evalSchema, type EvalConfig } from "./config.ts";
