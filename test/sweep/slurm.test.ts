/**
 * The sweep on a real Slurm: a single-node cluster under a temp dir runs the project's own deploy/slurm/sweep.sbatch
 * as a 3-task array over a tiny 3-run sweep (configs/ci.json-sized runs sharing one stage cache). One task is cancelled
 * mid-GRPO (scancel), the other two finish; the merge takes their runs and reports the cancelled one as not complete.
 * The cancelled task is resubmitted alone with BBIO_SHARDS=3 and resumes; the merge then holds every run exactly once,
 * complete, and an uninterrupted computation of the cancelled run merges into it without conflict (same results).
 * Skipped, with the reason in its name, where Slurm cannot start (not installed, not root).
 */
import { describe, it, expect, afterAll } from "vitest";
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { startCluster, slurmUnavailable, removeCluster, type Cluster } from "./slurm-cluster.ts";
import { ROOT, tmp, bbio, q } from "../store/helpers.ts";
import { loadSweep } from "../../src/sweep/spec.ts";
import { mergeStores } from "../../src/sweep/merge.ts";
import { lockPath } from "../../src/sweep/lock.ts";

const why = slurmUnavailable();
if (why) console.warn(`test/sweep/slurm.test.ts skipped: ${why}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

(why ? describe.skip : describe)(why ? `sweep on a real Slurm cluster (skipped: ${why})` : "sweep on a real Slurm cluster", () => {
  let cluster: Cluster | null = null;
  const dir = tmp("slurm");
  afterAll(async () => {
    await cluster?.stop();
    removeCluster(dir);
  });

  it("3-task array, one task cancelled and resubmitted alone: every run merged exactly once, complete, same results", async () => {
    const t0 = Date.now();
    cluster = await startCluster(join(dir, "cluster"));
    const sweepFile = join(dir, "tiny.json");
    writeFileSync(
      sweepFile,
      JSON.stringify({ base: "ci", set: { "grpo.max_steps": 6 }, grid: { "grpo.method": ["sum", "pcgrad", "mgda"] } }),
    );
    const sweep = loadSweep(sweepFile);
    const shardDir = join(dir, "shards");
    const env = {
      BBIO_SWEEP: sweepFile,
      BBIO_SHARD_DIR: shardDir,
      BBIO_CACHE: join(dir, "cache"),
      BBIO_NODE: process.execPath,
      BBIO_DB: join(dir, "no-costs.duckdb"), // the split must not depend on whatever data/bbio.duckdb holds
    };
    const script = join(ROOT, "deploy/slurm/sweep.sbatch");
    const sbatch = (args: string[], extra: Record<string, string> = {}) =>
      cluster!
        .cmd("sbatch", ["--parsable", "--export=ALL", `--chdir=${ROOT}`, ...args, script], { ...env, ...extra })
        .trim()
        .split(";")[0];

    // 1. submit 3 shards; cancel task 1 once its GRPO has checkpointed a step
    const job = sbatch(["--array=0-2", `--output=${dir}/out-%a.txt`]);
    const out1 = join(dir, "out-1.txt");
    for (let i = 0; !(existsSync(out1) && /grpo: [2-5]\/6/.test(readFileSync(out1, "utf8"))); i++) {
      if (i > 1800) throw new Error(`task 1 never reached GRPO step 2:\n${existsSync(out1) ? readFileSync(out1, "utf8") : "(no output)"}`);
      await sleep(100);
    }
    cluster.cmd("scancel", [`${job}_1`]);
    await cluster.waitJob(job);
    expect(readFileSync(out1, "utf8")).toMatch(/CANCELLED/);
    const shard1 = join(shardDir, "shard-1-of-3.duckdb");
    expect(existsSync(lockPath(shard1))).toBe(false); // SIGTERM released the writer lock

    const status = async () => {
      const r = await bbio(["sweep", "status", sweepFile, "--shard-dir", shardDir, "--json"], env);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { id: string; status: string; shard: number }[];
    };
    const st1 = await status();
    const cancelled = st1.find((r) => r.shard === 1)!;
    expect(cancelled.status).toBe("crashed");
    expect(st1.filter((r) => r.shard !== 1).map((r) => r.status)).toEqual(["complete", "complete"]);

    const main = join(dir, "main.duckdb");
    const stores = [0, 1, 2].map((i) => join(shardDir, `shard-${i}-of-3.duckdb`));
    const m1 = await mergeStores(stores, main, { log: () => {} });
    expect(m1.copied).toHaveLength(2);
    expect(m1.notComplete).toEqual({ [cancelled.id]: "running" });

    // 2. resubmit task 1 alone: SLURM_ARRAY_TASK_COUNT is 1 there, BBIO_SHARDS says 3
    const re = sbatch(["--array=1", `--output=${dir}/re-%a.txt`], { BBIO_SHARDS: "3" });
    await cluster.waitJob(re);
    const reOut = readFileSync(join(dir, "re-1.txt"), "utf8");
    expect(reOut).toMatch(/resuming a crashed run/);
    expect(reOut).toMatch(/\[4\/6 grpo\] resuming/);
    expect((await status()).map((r) => r.status)).toEqual(["complete", "complete", "complete"]);

    const m2 = await mergeStores(stores, main, { log: () => {} });
    expect(m2.copied).toEqual([cancelled.id]);
    const runs = await q<{ id: string; status: string }>(main, "SELECT id, status FROM runs ORDER BY id");
    expect(runs.map((r) => r.id)).toEqual(sweep.runs.map((r) => r.id)); // every run exactly once
    expect(runs.every((r) => r.status === "complete")).toBe(true);
    const steps = await q<{ s: number }>(
      main,
      `SELECT DISTINCT step AS s FROM metrics WHERE run_id = '${cancelled.id}' AND stage = 'grpo' AND name = 'reward' ORDER BY 1`,
    );
    expect(steps.map((r) => r.s)).toEqual([1, 2, 3, 4, 5, 6]); // nothing lost across the cancel

    // 3. merging again changes nothing
    const counts = async () =>
      q(
        main,
        "SELECT (SELECT count(*) FROM runs) r, (SELECT count(*) FROM metrics) m, (SELECT count(*) FROM evals) e, (SELECT count(*) FROM items) i",
      );
    const before = await counts();
    expect((await mergeStores(stores, main, { log: () => {} })).copied).toEqual([]);
    expect(await counts()).toEqual(before);

    // 4. the resumed run has the same results as an uninterrupted one: recompute its grpo and eval stages from the
    //    shared upstream artefacts into a fresh cache and store, then merge: a difference would be refused
    const own = await q<{ artefact_dir: string }>(
      main,
      `SELECT artefact_dir FROM stages WHERE run_id = '${cancelled.id}' AND stage IN ('grpo', 'eval')`,
    );
    const refCache = join(dir, "ref-cache");
    cpSync(env.BBIO_CACHE, refCache, { recursive: true });
    for (const s of own) rmSync(join(refCache, relative(env.BBIO_CACHE, s.artefact_dir)), { recursive: true, force: true });
    const cfg = join(dir, "cancelled.json");
    writeFileSync(cfg, JSON.stringify(sweep.runs.find((r) => r.id === cancelled.id)!.config));
    const ref = join(dir, "ref.duckdb");
    const r = await bbio(["run", cfg, "--db", ref, "--cache", refCache]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${cancelled.id} `);
    expect((await mergeStores([ref], main, { log: () => {} })).alreadyPresent).toEqual([cancelled.id]);
    console.log(`real-Slurm sweep test: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }, 480_000);
});
