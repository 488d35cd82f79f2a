/** Public API of the model stage (see each file's header for details). */
export { initBackend, backendPreference, KNOWN_BACKENDS } from "./backend.ts";
export { GPT, initWeights, weightShapes, paramCount, disposeKv, type KvCache, type ForwardOptions } from "./gpt.ts";
export {
  generate,
  sequenceLogprobs,
  sequenceLogprobsArray,
  completionMask,
  sampleRow,
  type GenerateOptions,
  type Generation,
  type LogprobBatch,
} from "./sample.ts";
export {
  saveCheckpoint,
  loadCheckpoint,
  isCheckpoint,
  CHECKPOINT_FORMAT,
  type CheckpointContents,
  type LoadedCheckpoint,
  type OptimizerState,
} from "./checkpoint.ts";
export { Tokenizer, corpusOf, trainingCorpus, pieces, PAD, BOS, SEP, EOS, UNK, SPECIALS } from "./tokenizer.ts";
export { mm, embed, linear, layerNorm, gelu } from "./ops.ts";
export { modelSchema, type ModelConfig } from "./config.ts";
