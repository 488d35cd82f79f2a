/**
 * Public entry points of the pipeline for code (loaders, benches, tests) — the CLI commands call the same functions.
 *
 *   await runConfig("ci", ["grpo.method=pcgrad"], { db })       // one run
 *   await runNamedSuite("default", { db })                       // configs/suites/default.json
 *   await exportForSite(db, "/tmp/site.duckdb")                  // `bbio export`: complete runs as a DuckDB-WASM 1.29
 *                                                                 // readable .duckdb, for use outside the site
 *
 * The site does not read a .duckdb: its one data loader, docs/data/site.tar.ts (loaders/emit.ts), writes every file
 * it needs as Arrow IPC into one archive.
 */
import { loadConfig } from "../config/index.ts";
import { BbioError } from "../util/errors.ts";
import { runPipeline, type RunResult } from "./runner.ts";
import { readSuite, runSuite, runSuiteInProcesses, type SuiteOutcome, type SuiteRun } from "./suite.ts";
import { realSpec } from "./stages.ts";

export { runPipeline, planStages, runIdOf, type RunResult, type RunOptions } from "./runner.ts";
export { readSuite, runSuite, type Suite, type SuiteOutcome } from "./suite.ts";
export { realSpec } from "./stages.ts";
export { exportForSite, exportForSiteBytes } from "../store/export.ts";
export { defaultDbPath } from "../store/paths.ts";
import { dbOf } from "../store/paths.ts";

export interface PipelineOptions {
  /** store file (default $BBIO_DB or data/bbio.duckdb) */
  db?: string;
  /** stage cache (default $BBIO_CACHE or data/cache) */
  cacheDir?: string;
  log?: (line: string) => void;
}

export async function runConfig(
  nameOrPath: string | undefined,
  sets: readonly string[] = [],
  opts: PipelineOptions = {},
): Promise<RunResult> {
  return runPipeline(loadConfig(nameOrPath, sets), { spec: realSpec, db: dbOf(opts), cacheDir: opts.cacheDir, log: opts.log });
}

/**
 * Runs every entry of a suite; throws (after running the rest) if any failed. With jobs > 1 the runs go to that many
 * long-lived worker processes (src/pipeline/suite_worker.ts; TF.js wasm uses one core per process), each running one
 * run after another: runs that need the same upstream stage
 * wait on that stage's cache lock and then reuse it, and store writes wait for each other (src/store), so the result
 * is the same store as a serial suite.
 */
export async function runNamedSuite(name: string, opts: PipelineOptions & { jobs?: number } = {}): Promise<SuiteOutcome[]> {
  const suite = readSuite(name);
  const load = (r: SuiteRun) => loadConfig(r.config, [...r.set, `name=${JSON.stringify(r.name)}`]);
  const out =
    (opts.jobs ?? 1) > 1
      ? await runSuiteInProcesses(suite, load, { db: dbOf(opts), cacheDir: opts.cacheDir, log: opts.log, jobs: opts.jobs! })
      : await runSuite(suite, load, { spec: realSpec, db: dbOf(opts), cacheDir: opts.cacheDir, log: opts.log });
  const failed = out.filter((o) => o.error);
  if (failed.length)
    throw new BbioError(
      `suite ${name}: ${failed.length} of ${out.length} runs failed (${failed.map((f) => `${f.name}: ${f.error}`).join("; ")})`,
      1,
    );
  return out;
}
