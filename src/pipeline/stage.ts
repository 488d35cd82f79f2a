/**
 * What a pipeline stage is: a pure function of (its config slice, upstream artefacts, seed, backend) → files in its own
 * directory. The runner hashes those inputs, so a stage never needs to know whether it is cached, shared by several
 * runs, or resumed; it only has to (1) write its outputs under ctx.dir, (2) send metrics/rows to ctx.sink, and
 * (3) when ctx.resume is true, continue from whatever checkpoint it left in ctx.dir (calling sink.resumeFrom(step)).
 */
import type { Sink } from "../util/sink.ts";

/** The fields every run config has (src/config's Config has them; tests use smaller configs). */
export interface BaseConfig {
  name: string;
  seed: number;
  backend: string;
}

export interface UpstreamArtefact {
  hash: string;
  dir: string;
}

/**
 * What a stage's run() gets. There is no whole config here, only the stage's slice: what the cache key hashes (slice,
 * seed, backend, upstream hashes) is then all a stage can read, so a cached artefact can never depend on a setting
 * its key does not cover.
 */
export interface StageContext<S> {
  /** this stage's part of the config, exactly as slice(config) returned it (and as it was hashed) */
  slice: S;
  seed: number;
  /** the TF.js backend actually in use ("wasm", "cpu", ...), or "none" if no stage of the run trains */
  backend: string;
  /** this stage's artefact directory (content-addressed by its input hash); the runner writes DONE here afterwards */
  dir: string;
  /** finished upstream stages, by stage name */
  upstream: Record<string, UpstreamArtefact>;
  /** hash identifying the generated data (set once the data stage has run) */
  dataHash: string | null;
  sink: Sink;
  /** ctx.dir holds files from an interrupted attempt: continue from its checkpoint */
  resume: boolean;
  log(message: string): void;
}

export interface StageDef<C extends BaseConfig, S = unknown> {
  name: string;
  /** bump when the stage's code changes what it produces for the same inputs (invalidates its cache entries) */
  version: number;
  /** upstream stages whose artefacts this one reads; must be enabled and come earlier */
  deps(config: C): string[];
  enabled(config: C): boolean;
  /** the part of the config that determines this stage's output (seed/backend/upstream are added by the runner) */
  slice(config: C): S;
  /** trains or samples with TF.js: the backend becomes part of the input hash */
  usesBackend: boolean;
  /** this stage's input hash identifies the run's data (runs.data_hash; items/rejects/pairs are keyed by it) */
  definesData?: boolean;
  run(ctx: StageContext<S>): Promise<void>;
  /** data-scoped rows (items, rejects, pairs) to store from the finished artefacts, keyed by the run's data hash */
  dataRows?(dir: string, config: C): { table: string; rows: Record<string, unknown>[] }[];
  /**
   * the run's label (runs.method) when this is the last enabled stage that has one: a training stage names the policy
   * the run ends with
   */
  runLabel?(config: C): string;
}

/** What a run records about its float settings (runs.float, JSON); `identity` is what cache keys and merge compare. */
export interface FloatRecord {
  identity: string;
  [k: string]: unknown;
}

/** Everything the runner needs to know about a family of pipelines (the real one, or fakes in tests). */
export interface PipelineSpec<C extends BaseConfig> {
  stages: StageDef<C>[];
  /** choose and initialise the TF.js backend once per process; returns the backend actually used */
  initBackend(requested: string): Promise<string>;
  /**
   * The float settings the chosen backend computes under, for the run record and the training stages' cache keys
   * (src/model/float.ts): {identity: "pinned-v1" | "native:…", …}. null/absent: the backend has none (wasm, cpu).
   */
  floatSettings?(backend: string): Promise<FloatRecord | null>;
}

/** The run's label (runs.method): that of the last enabled stage that gives one (StageDef.runLabel), else null. */
export function runLabel<C extends BaseConfig>(stages: readonly StageDef<C>[], config: C): string | null {
  const labelled = stages.filter((s) => s.enabled(config) && s.runLabel);
  return labelled.length ? labelled[labelled.length - 1].runLabel!(config) : null;
}
