import type { Command } from "commander";
import { NO_RL } from "../grpo/config.ts";
import { dbOf } from "../store/paths.ts";

const collect = (v: string, prev: string[]) => [...prev, v];

/**
 * `bbio run` and `bbio suite`: the whole pipeline (generate → sft → rm → grpo → eval) with stage caching and the run
 * store. Heavy modules (TF.js, DuckDB, the stages) are imported inside the handlers.
 */
export function register(program: Command): void {
  program
    .command("run")
    .description("run the pipeline for a config (resumes the same config's earlier run; reuses cached stages)")
    .argument("[config]", "built-in config name (configs/<name>.json) or a .json path; omitted = configs/default.json")
    .option("--set <key=value>", "override a config field, e.g. --set grpo.method=pcgrad (repeatable)", collect, [] as string[])
    .option("--name <name>", "run name (sets config.name)")
    .option("--sft-only", "skip the reward model and GRPO (same as --set grpo.method=none)")
    .option("--db <file>", "run store (default $BBIO_DB or data/bbio.duckdb)")
    .option("--cache <dir>", "stage cache directory (default $BBIO_CACHE or data/cache)")
    .action(async (config: string | undefined, opts: { set: string[]; name?: string; sftOnly?: boolean; db?: string; cache?: string }) => {
      const { loadConfig, defaultConfigName } = await import("../config/index.ts");
      const sets = [...opts.set];
      if (opts.sftOnly) sets.push(`grpo.method=${NO_RL}`);
      if (opts.name) sets.push(`name=${JSON.stringify(opts.name)}`);
      const cfg = loadConfig(config ?? defaultConfigName(), sets); // invalid config → one clear error, nothing recorded
      const { runPipeline } = await import("./runner.ts");
      const { realSpec } = await import("./stages.ts");
      const r = await runPipeline(cfg, { spec: realSpec, db: dbOf(opts), cacheDir: opts.cache });
      process.stdout.write(`${r.runId} ${r.name} ${r.outcome}\n`);
    });

  program
    .command("suite")
    .description("run a named list of runs (configs/suites/<name>.json) sharing cached upstream stages")
    .argument("[name]", "suite name or .json path", "default")
    .option("--db <file>", "run store (default $BBIO_DB or data/bbio.duckdb)")
    .option("--cache <dir>", "stage cache directory (default $BBIO_CACHE or data/cache)")
    .option(
      "-j, --jobs <n>",
      "runs at once, one long-lived worker process each (TF.js wasm uses one core per process)",
      (v) => Number.parseInt(v, 10),
      1,
    )
    .action(async (name: string, opts: { db?: string; cache?: string; jobs: number }) => {
      const { runNamedSuite } = await import("./index.ts");
      if (!(opts.jobs >= 1)) {
        const { BbioError } = await import("../util/errors.ts");
        throw new BbioError("--jobs must be a positive integer");
      }
      const out = await runNamedSuite(name, { db: dbOf(opts), cacheDir: opts.cache, jobs: opts.jobs }); // throws (exit 1) if any run failed
      for (const o of out) process.stdout.write(`${o.result!.runId} ${o.name} ${o.result!.outcome}\n`);
    });

  program
    .command("suite-worker", { hidden: true })
    .description("internal: serve `bbio suite --jobs n` runs read from stdin (src/pipeline/suite_worker.ts)")
    .option("--db <file>", "run store (default $BBIO_DB or data/bbio.duckdb)")
    .option("--cache <dir>", "stage cache directory (default $BBIO_CACHE or data/cache)")
    .action(async (opts: { db?: string; cache?: string }) => {
      const { loadConfig } = await import("../config/index.ts");
      const { serveSuiteWorker } = await import("./suite_worker.ts");
      const { realSpec } = await import("./stages.ts");
      await serveSuiteWorker((file) => loadConfig(file), { spec: realSpec, db: dbOf(opts), cacheDir: opts.cache });
    });
}
