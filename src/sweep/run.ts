/**
 * Running a sweep (or one shard of it) with the pipeline runner, exactly as `bbio suite` does: --jobs 1 runs in
 * this process, --jobs > 1 in that many long-lived worker processes (src/pipeline/suite_worker.ts). Runs already complete in the store are skipped;
 * an interrupted run resumes (same config → same run id → the runner takes it over from its checkpoints).
 *
 * While it runs, the store carries a writer lock (`<store>.lock`, src/sweep/lock.ts); SIGTERM/SIGINT (scancel, a
 * Kubernetes eviction, ^C) release it before exiting, so `bbio merge` knows the store is no longer being written.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BbioError } from "../util/errors.ts";
import type { Config } from "../config/index.ts";
import { defaultCacheDir, stageDir } from "../pipeline/cache.ts";
import { executeStage } from "../pipeline/execute.ts";
import type { PipelineSpec, UpstreamArtefact } from "../pipeline/stage.ts";
import { runSuite, runSuiteInProcesses, type SuiteOutcome } from "../pipeline/suite.ts";
import { Store } from "../store/store.ts";
import { plannedStages } from "./cost.ts";
import { acquireLock } from "./lock.ts";
import type { SweepRun } from "./spec.ts";

export interface SweepRunOptions {
  db: string;
  cacheDir?: string;
  jobs: number;
  spec: PipelineSpec<Config>;
  log?: (line: string) => void;
}

export interface SweepOutcome {
  skipped: string[];
  outcomes: SuiteOutcome[];
}

/** Ids of the runs that are complete in `db` (none if it does not exist yet). */
export async function completeIds(db: string): Promise<Set<string>> {
  if (!existsSync(db)) return new Set();
  const runs = await new Store(db, { timeoutMs: 60_000 }).listRuns({ completeOnly: true });
  return new Set(runs.map((r) => r.id));
}

/** Install SIGTERM/SIGINT handlers that run `cleanup` then exit 128+signal; returns the uninstaller. */
export function onTermination(cleanup: () => void): () => void {
  const handler = (sig: NodeJS.Signals) => {
    try {
      cleanup();
    } finally {
      process.stderr.write(`bbio sweep: ${sig}, stopping (the interrupted run resumes when this shard runs again)\n`);
      process.exit(sig === "SIGINT" ? 130 : 143);
    }
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
  return () => {
    process.off("SIGTERM", handler);
    process.off("SIGINT", handler);
  };
}

export async function runSweepRuns(runs: readonly SweepRun[], opts: SweepRunOptions): Promise<SweepOutcome> {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const release = acquireLock(opts.db);
  const off = onTermination(release);
  try {
    const done = await completeIds(opts.db);
    const todo = runs.filter((r) => !done.has(r.id));
    const skipped = runs.filter((r) => done.has(r.id)).map((r) => r.id);
    log(`bbio sweep: ${runs.length} runs here, ${skipped.length} already complete, ${todo.length} to run (${opts.db})`);
    if (todo.length === 0) return { skipped, outcomes: [] };
    const byName = new Map(todo.map((r) => [r.name, r.config]));
    const suite = { description: "", runs: todo.map((r) => ({ name: r.name, set: [] as string[] })) };
    const load = (r: { name: string }) => byName.get(r.name)!;
    const outcomes =
      opts.jobs > 1
        ? await runSuiteInProcesses(suite, load, { db: opts.db, cacheDir: opts.cacheDir, log, jobs: opts.jobs })
        : await runSuite(suite, load, { spec: opts.spec, db: opts.db, cacheDir: opts.cacheDir, log });
    return { skipped, outcomes };
  } finally {
    off();
    release();
  }
}

/**
 * "Stages first": compute every stage that two or more runs of the sweep share (generate/sft/rm/baseline for each
 * distinct upstream), once, into the stage cache, before the shards start. Uses the cache's own lock and DONE marker,
 * so it composes with shards that are already running. Stage rows go to the artefact's spool (as in any run) and to a
 * throwaway scratch store; the runs that later reuse the stage import them from the spool.
 */
export async function computeSharedStages(
  runs: readonly SweepRun[],
  opts: { spec: PipelineSpec<Config>; cacheDir?: string; log?: (line: string) => void },
): Promise<{ computed: number; reused: number }> {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const users = new Map<string, number>();
  const plans = runs.map((r) => ({ run: r, stages: plannedStages(opts.spec, r.config, "plan") }));
  for (const p of plans) for (const s of p.stages) users.set(s.hash, (users.get(s.hash) ?? 0) + 1);
  const scratch = mkdtempSync(join(tmpdir(), "bbio-stages-first-"));
  const store = new Store(join(scratch, "scratch.duckdb"));
  let computed = 0,
    reused = 0;
  const seen = new Set<string>();
  let backend: string | null = null;
  let float: string | null = null;
  try {
    for (const { run, stages } of plans) {
      const shared = stages.filter((s) => (users.get(s.hash) ?? 0) > 1);
      if (shared.length === 0 || shared.every((s) => seen.has(s.hash))) continue;
      if (backend === null) {
        backend = await opts.spec.initBackend(run.config.backend);
        // the runner keys training stages by the float settings too: the same hashes, or the runs would not reuse these
        float = (await opts.spec.floatSettings?.(backend))?.identity ?? null;
      }
      const config = run.config;
      const done: Record<string, UpstreamArtefact> = {};
      const { stageInputHash } = await import("../pipeline/runner.ts");
      for (const { def, hash: planned } of stages) {
        // only shared stages (their upstream stages are shared too: same input hash ⇒ same upstream hashes)
        if ((users.get(planned) ?? 0) < 2) continue;
        const upstream = Object.fromEntries(def.deps(config).map((d) => [d, done[d]]));
        const hash = stageInputHash(def, config, backend, upstream, float);
        const dir = stageDir(cacheDir, def.name, hash);
        done[def.name] = { hash, dir };
        const dataHash = def.definesData ? hash : (done.generate?.hash ?? null);
        if (seen.has(hash)) continue;
        seen.add(hash);
        const wasReused = await executeStage({
          def,
          config,
          backend,
          dir,
          hash,
          upstream,
          dataHash,
          store,
          runId: `stages-first-${hash}`,
          log: (m) => log(`[stages-first ${def.name}] ${m}`),
        });
        if (wasReused) reused++;
        else computed++;
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { computed, reused };
}

/** Throw if any outcome failed (after all ran), like `bbio suite`. */
export function checkOutcomes(label: string, out: SweepOutcome): void {
  const failed = out.outcomes.filter((o) => o.error);
  if (failed.length)
    throw new BbioError(
      `${label}: ${failed.length} of ${out.outcomes.length} runs failed (${failed.map((f) => `${f.name}: ${f.error}`).join("; ")})`,
      1,
    );
}
