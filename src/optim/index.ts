/** The optimizer shared by the training stages (sft, rm, grpo): AdamW, global-norm clipping, the LR schedule, the
 * checkpointed loop, and the config fields every stage spreads into its section. */
export { AdamW, clipByGlobalNorm, type AdamWHyper } from "./adamw.ts";
export { SGD } from "./sgd.ts";
export { lrAt } from "./schedule.ts";
export { CheckpointedLoop, type LoopOptions, type TrainingRunOptions } from "./loop.ts";
export { adamwFields, scheduleFields, minLrBelowLr, adamwHyper, scheduleOf, type AdamWDefaults, type AdamWConfig } from "./config.ts";
