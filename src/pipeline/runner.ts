/**
 * The pipeline runner behind `bbio run`: generate → sft → rm → grpo → eval, each stage cached by the hash of its
 * inputs, every run recorded in the store with its provenance.
 *
 *   run id      = hash of the validated config (defaults filled): the same config always means the same run, so
 *                 re-running it resumes THAT run (finished stages reused, the interrupted one resumes from its
 *                 checkpoint, rows replaced not duplicated) or, if it is complete, does nothing.
 *   input hash  = hash(stage, stage version, config slice, seed, backend if it trains, the backend's float settings if
 *                 it has any (src/model/float.ts: pinned and BBIO_FLOAT=native artefacts are never reused for each
 *                 other), upstream input hashes): a run with another grpo method chains the same generate/sft/rm
 *                 hashes and reuses those directories.
 *   atomicity   = runs.status becomes 'complete' only after the last stage; any exception marks it 'failed'
 *                 (with the message); a kill -9 leaves 'running' with a dead pid, which readers never see.
 *   until       = the stage commands (`bbio train-sft`, `rm-train`, `grpo`) run the same plan, cut after their stage:
 *                 same run id, same input hashes, same cache; the run ends 'stopped' (never 'complete': it has no
 *                 evaluation for the pages to show), and a later `bbio run` of the config resumes it from the cache.
 */
import { join } from "node:path";
import { BbioError } from "../util/errors.ts";
import { hashOf } from "../util/hash.ts";
import { gitInfo } from "../util/git.ts";
import { Store } from "../store/store.ts";
import { readSpool } from "../store/sink.ts";
import { defaultCacheDir, SPOOL, stageDir } from "./cache.ts";
import { executeStage } from "./execute.ts";
import { type BaseConfig, type PipelineSpec, runLabel, type StageDef, type UpstreamArtefact } from "./stage.ts";

export interface RunOptions<C extends BaseConfig> {
  spec: PipelineSpec<C>;
  /** the DuckDB store file */
  db: string;
  cacheDir?: string;
  /** progress lines (default: stderr) */
  log?: (line: string) => void;
  /** wait this long for a busy store (ms) */
  dbTimeoutMs?: number;
  /** run the plan only up to and including this stage; the run is then recorded as 'stopped', not 'complete' */
  until?: string;
}

export interface StageOutcome {
  stage: string;
  inputHash: string;
  dir: string;
  reused: boolean;
  seconds: number;
}

export interface RunResult {
  runId: string;
  name: string;
  /** 'already-complete': the run existed and was complete; nothing was computed. 'stopped': ran only up to `until` */
  outcome: "complete" | "already-complete" | "stopped";
  backend: string;
  dataHash: string | null;
  stages: StageOutcome[];
  seconds: number;
}

/** Run id of a config: its canonical hash (src/config's configHash is the same function for full configs). */
export function runIdOf(config: BaseConfig): string {
  return hashOf(config);
}

/** Enabled stages in pipeline order; every dependency must be an enabled, earlier stage. */
export function planStages<C extends BaseConfig>(spec: PipelineSpec<C>, config: C): StageDef<C>[] {
  const enabled = spec.stages.filter((s) => s.enabled(config));
  const seen = new Set<string>();
  for (const s of enabled) {
    for (const d of s.deps(config))
      if (!seen.has(d)) throw new BbioError(`stage "${s.name}" needs "${d}", which this config disables or orders after it`);
    seen.add(s.name);
  }
  return enabled;
}

export function stageInputHash<C extends BaseConfig>(
  s: StageDef<C>,
  config: C,
  backend: string,
  upstream: Record<string, UpstreamArtefact>,
  float: string | null = null,
): string {
  return hashOf({
    stage: s.name,
    version: s.version,
    slice: s.slice(config) ?? null,
    seed: config.seed,
    backend: s.usesBackend ? backend : null,
    // only where there is one, so the hashes of backends without float settings (wasm, cpu) are unchanged
    ...(s.usesBackend && float ? { float } : {}),
    upstream: Object.fromEntries(Object.entries(upstream).map(([k, v]) => [k, v.hash])),
  });
}

export async function runPipeline<C extends BaseConfig>(config: C, opts: RunOptions<C>): Promise<RunResult> {
  const t0 = Date.now();
  const log = opts.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const store = new Store(opts.db, { timeoutMs: opts.dbTimeoutMs });
  const spec = opts.spec;
  const runId = runIdOf(config);
  const full = planStages(spec, config);
  const plan = opts.until === undefined ? full : full.slice(0, untilIndex(full, opts.until) + 1);
  const stopping = plan.length < full.length;

  // the backend is chosen once, before any hash: a training stage's output depends on it
  const backend = plan.some((s) => s.usesBackend) ? await spec.initBackend(config.backend) : "none";
  const floatRec = plan.some((s) => s.usesBackend) ? ((await spec.floatSettings?.(backend)) ?? null) : null;
  const float = floatRec?.identity ?? null;
  const git = gitInfo();
  // a complete run whose planned stage hashes differ from the recorded ones (a stage's code version was bumped) is
  // recomputed where stale instead of being reported complete with results the current code would not produce
  const planned = new Map<string, string>();
  for (const s of full)
    planned.set(
      s.name,
      stageInputHash(s, config, backend, Object.fromEntries(s.deps(config).map((d) => [d, { hash: planned.get(d)!, dir: "" }])), float),
    );
  const { previous, stale } = await store.startRun({
    stageHashes: Object.fromEntries(planned),
    id: runId,
    name: config.name,
    config,
    configHash: runId,
    seed: config.seed,
    backend,
    float: floatRec ? JSON.stringify(floatRec) : null,
    gitCommit: git.commit,
    gitDirty: git.dirty,
    method: runLabel(spec.stages, config),
    pid: process.pid,
  });
  if (previous === "complete" && stale.length === 0) {
    log(`bbio run ${config.name} [${runId}]: already complete in ${opts.db}; nothing to do`);
    // the stages as recorded, so a stage command on a complete run can still say where its stage's artefact is
    const recorded = await store.listStages(runId);
    const stages = plan.flatMap((s) => {
      const r = recorded.find((x) => x.stage === s.name);
      return r ? [{ stage: s.name, inputHash: r.input_hash, dir: r.artefact_dir, reused: true, seconds: 0 }] : [];
    });
    return { runId, name: config.name, outcome: "already-complete", backend, dataHash: null, stages, seconds: 0 };
  }
  const how =
    previous === "complete"
      ? `re-running a complete run whose stage code changed (${stale.join(", ")})`
      : previous
        ? `resuming a ${previous} run`
        : "new run";
  const upto = stopping ? ` (stopping after ${plan.at(-1)!.name}: the run stays 'stopped' until \`bbio run\` completes it)` : "";
  log(
    `bbio run ${config.name} [${runId}]: ${how}; backend=${backend}${float ? `; float=${float}` : ""}; stages ${plan.map((s) => s.name).join(" → ")}${upto}`,
  );

  const outcomes: StageOutcome[] = [];
  const done: Record<string, UpstreamArtefact> = {};
  let dataHash: string | null = null;
  let current: string | null = null;
  try {
    await store.pruneStages(
      runId,
      plan.map((s) => s.name),
    );
    for (const [i, s] of plan.entries()) {
      current = s.name;
      const upstream = Object.fromEntries(s.deps(config).map((d) => [d, done[d]]));
      const inputHash = stageInputHash(s, config, backend, upstream, float);
      const dir = stageDir(cacheDir, s.name, inputHash);
      if (s.definesData) {
        dataHash = inputHash;
        await store.setDataHash(runId, dataHash);
      }
      const tag = `[${i + 1}/${plan.length} ${s.name}]`;
      const startedAt = new Date();
      const reused = await executeStage({
        def: s,
        config,
        backend,
        dir,
        hash: inputHash,
        upstream,
        dataHash,
        store,
        runId,
        log: (m) => log(`${tag} ${m}`),
        onStart: () => store.stageStart(runId, s.name, inputHash, dir),
      });
      const seconds = (Date.now() - startedAt.getTime()) / 1000;
      // the stage's rows and data rows become this run's in the same transaction that marks the stage complete
      await store.stageFinish(
        runId,
        s.name,
        { inputHash, artefactDir: dir, reused, seconds, startedAt },
        {
          stageRows: readSpool(join(dir, SPOOL)),
          dataRows: dataHash && s.dataRows ? s.dataRows(dir, config).map((d) => ({ ...d, dataHash: dataHash! })) : [],
        },
      );
      log(`${tag} ${reused ? "reused cached artefact" : "done"} in ${seconds.toFixed(1)} s`);
      outcomes.push({ stage: s.name, inputHash, dir, reused, seconds });
      done[s.name] = { hash: inputHash, dir };
    }
    current = null;
    await store.finishRun(runId, stopping ? "stopped" : "complete");
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (current) await store.stageFailed(runId, current).catch(() => {});
    await store.failRun(runId, current ? `${current}: ${msg}` : msg).catch(() => {});
    throw e;
  }
  const seconds = (Date.now() - t0) / 1000;
  const outcome = stopping ? "stopped" : "complete";
  log(
    `bbio run ${config.name} [${runId}]: ${stopping ? `stopped after ${plan.at(-1)!.name}` : "complete"} in ${seconds.toFixed(1)} s (${opts.db})`,
  );
  return { runId, name: config.name, outcome, backend, dataHash, stages: outcomes, seconds };
}

/** Where `until` sits in the plan; a stage this config does not run (rm of an SFT-only config) is an error. */
function untilIndex<C extends BaseConfig>(plan: StageDef<C>[], until: string): number {
  const i = plan.findIndex((s) => s.name === until);
  if (i < 0) throw new BbioError(`this config has no "${until}" stage: its pipeline is ${plan.map((s) => s.name).join(" → ")}`, 2);
  return i;
}
