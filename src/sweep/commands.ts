import type { Command } from "commander";
import { dbOf } from "../store/paths.ts";

/**
 * `bbio sweep` (run a sweep or one shard of it), `bbio sweep plan`, `bbio sweep stages`, `bbio sweep status` and
 * `bbio merge`. Heavy modules are imported inside the handlers so `bbio --help` stays instant.
 */
const collect = (v: string, prev: string[]) => [...prev, v];
const jobsOpt = (v: string) => Number.parseInt(v, 10);

async function sweepFile(file: string | undefined): Promise<string> {
  const f = file ?? process.env.BBIO_SWEEP;
  if (!f) {
    const { BbioError } = await import("../util/errors.ts");
    throw new BbioError("no sweep file: give one (e.g. configs/sweeps/paper-ablations.json) or set BBIO_SWEEP");
  }
  return f;
}

function costStores(opts: { costs: string[] }): string[] {
  if (opts.costs.length) return opts.costs;
  if (process.env.BBIO_SWEEP_COSTS) return process.env.BBIO_SWEEP_COSTS.split(":").filter(Boolean);
  return [dbOf({})];
}

async function loadPlan(file: string | undefined, opts: { costs: string[] }) {
  const { loadSweep } = await import("./spec.ts");
  const { planSweep, measuredStages } = await import("./plan.ts");
  const { realSpec } = await import("../pipeline/stages.ts");
  const sweep = loadSweep(await sweepFile(file)); // validation first: a bad sweep is one error, nothing written
  return planSweep(sweep, realSpec, await measuredStages(costStores(opts)));
}

export function register(program: Command): void {
  const sweep = program
    .command("sweep")
    .description("ablation sweeps: a grid/list of config overrides run locally, or one shard per Slurm/Kubernetes array task");

  sweep
    .command("run", { isDefault: true })
    .description("run a sweep (or --shard i/n of it): skips complete runs, resumes interrupted ones")
    .argument("[sweep]", "sweep .json file (default $BBIO_SWEEP)")
    .option(
      "--shard <i/n>",
      "run shard i of n (0-based); default from SLURM_ARRAY_TASK_ID / JOB_COMPLETION_INDEX with BBIO_SHARDS or SLURM_ARRAY_TASK_COUNT",
    )
    .option("--shard-dir <dir>", "folder of shard stores (shard-<i>-of-<n>.duckdb; default $BBIO_SHARD_DIR); else --db")
    .option("--db <file>", "run store when no shard folder is used (default $BBIO_DB or data/bbio.duckdb)")
    .option("--cache <dir>", "stage cache, shared by all shards (default $BBIO_CACHE or data/cache)")
    .option("-j, --jobs <n>", "runs at once, one worker process each", jobsOpt, 1)
    .option("--stages-first", "compute the stages shared between runs before the runs themselves")
    .option(
      "--costs <store>",
      "store(s) with measured stage times for the shard split (default $BBIO_SWEEP_COSTS or the default store)",
      collect,
      [] as string[],
    )
    .action(
      async (
        file: string | undefined,
        opts: { shard?: string; shardDir?: string; db?: string; cache?: string; jobs: number; stagesFirst?: boolean; costs: string[] },
      ) => {
        const { BbioError } = await import("../util/errors.ts");
        if (!(opts.jobs >= 1)) throw new BbioError("--jobs must be a positive integer");
        const { parseShard, shardFromEnv, shardStoreName } = await import("./shard.ts");
        const shard = opts.shard !== undefined ? parseShard(opts.shard) : shardFromEnv();
        const { join, dirname } = await import("node:path");
        const shardDir = opts.shardDir ?? process.env.BBIO_SHARD_DIR;
        const plan = await loadPlan(file, opts);
        const { partition } = await import("./plan.ts");
        const s = shard ?? { index: 0, count: 1 };
        const db = shardDir ? join(shardDir, shardStoreName(s)) : dbOf(opts);
        // the split is frozen next to the shard stores, so every task (and a later resubmission) uses the same one
        const ids = new Set(partition(plan, s.count, shardDir ?? (shard ? dirname(db) : undefined))[s.index]);
        const runs = plan.sweep.runs.filter((r) => ids.has(r.id));
        const { realSpec } = await import("../pipeline/stages.ts");
        const { runSweepRuns, computeSharedStages, checkOutcomes } = await import("./run.ts");
        const label = `sweep ${plan.sweep.name}${shard ? ` shard ${s.index}/${s.count}` : ""}`;
        process.stderr.write(`bbio ${label}: ${runs.length} of ${plan.sweep.runs.length} runs → ${db}\n`);
        if (opts.stagesFirst) {
          const r = await computeSharedStages(runs, { spec: realSpec, cacheDir: opts.cache });
          process.stderr.write(`bbio ${label}: stages first: ${r.computed} computed, ${r.reused} already cached\n`);
        }
        const out = await runSweepRuns(runs, { db, cacheDir: opts.cache, jobs: opts.jobs, spec: realSpec });
        for (const id of out.skipped) process.stdout.write(`${id} ${runs.find((r) => r.id === id)!.name} already-complete\n`);
        for (const o of out.outcomes) if (o.result) process.stdout.write(`${o.result.runId} ${o.name} ${o.result.outcome}\n`);
        checkOutcomes(`bbio ${label}`, out);
      },
    );

  sweep
    .command("plan")
    .description("print the expanded runs and their estimated cost (measured stage times, else a calibrated formula)")
    .argument("[sweep]", "sweep .json file (default $BBIO_SWEEP)")
    .option(
      "--costs <store>",
      "store(s) with measured stage times (default $BBIO_SWEEP_COSTS or the default store)",
      collect,
      [] as string[],
    )
    .option("--shards <list>", "also show the per-shard cost for these shard counts, e.g. 1,2,4,8", "1,2,4,8")
    .option("--cores <n>", "cores of this machine for the local estimate", jobsOpt, 2)
    .option("--json", "print JSON (runs with overrides, estimates and shard for each count)")
    .action(async (file: string | undefined, opts: { costs: string[]; shards: string; cores: number; json?: boolean }) => {
      const { BbioError } = await import("../util/errors.ts");
      const counts = opts.shards.split(",").map((x) => Number(x.trim()));
      if (counts.some((n) => !Number.isInteger(n) || n < 1))
        throw new BbioError(`--shards expects positive whole numbers, got "${opts.shards}"`);
      const plan = await loadPlan(file, opts);
      const { formatPlan, partition } = await import("./plan.ts");
      if (opts.json) {
        const parts = Object.fromEntries(counts.map((n) => [n, partition(plan, n)]));
        const shardOf = (n: number, id: string) => parts[n].findIndex((ids) => ids.includes(id));
        process.stdout.write(
          JSON.stringify(
            {
              name: plan.sweep.name,
              axes: plan.sweep.axes,
              serialSeconds: plan.cost.serialSeconds,
              runs: plan.sweep.runs.map((r) => ({
                id: r.id,
                name: r.name,
                overrides: r.overrides,
                seconds: plan.costOf.get(r.id),
                shards: Object.fromEntries(counts.map((n) => [n, shardOf(n, r.id)])),
              })),
            },
            null,
            1,
          ) + "\n",
        );
      } else process.stdout.write(formatPlan(plan, { shards: counts, cores: opts.cores }) + "\n");
    });

  sweep
    .command("stages")
    .description('"stages first": compute the stages shared between the sweep\'s runs into the stage cache, then stop')
    .argument("[sweep]", "sweep .json file (default $BBIO_SWEEP)")
    .option("--cache <dir>", "stage cache (default $BBIO_CACHE or data/cache)")
    .action(async (file: string | undefined, opts: { cache?: string }) => {
      const plan = await loadPlan(file, { costs: [] });
      const { realSpec } = await import("../pipeline/stages.ts");
      const { computeSharedStages } = await import("./run.ts");
      const r = await computeSharedStages(plan.sweep.runs, { spec: realSpec, cacheDir: opts.cache });
      process.stdout.write(`${r.computed} shared stages computed, ${r.reused} already cached\n`);
    });

  sweep
    .command("status")
    .description("what is complete, running, crashed, failed or missing across shard stores")
    .argument("[sweep]", "sweep .json file (default $BBIO_SWEEP)")
    .argument("[stores...]", "shard stores (default: every .duckdb in --shard-dir)")
    .option("--shard-dir <dir>", "folder of shard stores (default $BBIO_SHARD_DIR)")
    .option("--json", "print JSON rows")
    .action(async (file: string | undefined, stores: string[], opts: { shardDir?: string; json?: boolean }) => {
      const { BbioError } = await import("../util/errors.ts");
      const { loadSweep } = await import("./spec.ts");
      const { storesIn, sweepStatus } = await import("./status.ts");
      const { existsSync, readdirSync, readFileSync } = await import("node:fs");
      const { join } = await import("node:path");
      const sweep = loadSweep(await sweepFile(file));
      const dir = opts.shardDir ?? process.env.BBIO_SHARD_DIR;
      const list = stores.length ? stores : dir ? storesIn(dir) : [];
      if (!list.length && !dir) throw new BbioError("bbio sweep status: give shard stores or --shard-dir (or set BBIO_SHARD_DIR)");
      // which shard each run belongs to, from the frozen partition (newest count) when there is one
      let shards: string[][] | undefined;
      if (dir && existsSync(dir)) {
        const p = readdirSync(dir)
          .filter((f) => f.startsWith(`${sweep.name}.partition-`))
          .sort()
          .pop();
        if (p) shards = JSON.parse(readFileSync(join(dir, p), "utf8")).shards;
      }
      const rows = await sweepStatus(sweep.runs, list, shards);
      if (opts.json) return void process.stdout.write(JSON.stringify(rows, null, 1) + "\n");
      const { formatTable } = await import("../store/format.ts");
      process.stdout.write(
        formatTable(["id", "status", "shard", "name", "store"], rows as unknown as Record<string, unknown>[], 70) + "\n",
      );
      const count = (s: string) => rows.filter((r) => r.status === s).length;
      process.stdout.write(
        `${rows.length} runs: ${["complete", "running", "crashed", "failed", "missing"].map((s) => `${count(s)} ${s}`).join(", ")}\n`,
      );
      const redo = [
        ...new Set(rows.filter((r) => r.status === "crashed" || r.status === "failed" || r.status === "missing").map((r) => r.shard)),
      ];
      if (shards && redo.length && count("running") === 0)
        process.stdout.write(
          `resubmit shard(s) ${redo.join(",")}: sbatch --array=${redo.join(",")} --export=ALL,BBIO_SHARDS=${shards.length} deploy/slurm/sweep.sbatch\n`,
        );
    });

  program
    .command("merge")
    .description("merge shard stores into one (dedupe by run id; refuses inconsistent duplicates; resumable)")
    .argument("<stores...>", "shard .duckdb files")
    .option("--db <file>", "target store (default $BBIO_DB or data/bbio.duckdb)")
    .action(async (stores: string[], opts: { db?: string }) => {
      const { mergeStores } = await import("./merge.ts");
      const db = dbOf(opts);
      const r = await mergeStores(stores, db);
      const nc = Object.entries(r.notComplete);
      process.stdout.write(
        `merged ${r.sources} store(s) into ${db}: ${r.copied.length} run(s) copied, ${r.alreadyPresent.length} already there` +
          (nc.length ? `; not complete in any store (not merged): ${nc.map(([id, s]) => `${id} (${s})`).join(", ")}` : "") +
          "\n",
      );
    });
}
