/**
 * Sweeps without a cluster: expansion (deterministic, order-independent ids, clear errors), cost estimates, the shard
 * partition (n = 1…7), bad shard specs, merge (idempotent, resumable, refuses conflicts / other schema versions /
 * locked stores, nothing written), status, skip-complete and the stages-first phase. Runs use the fake pipeline
 * (test/pipeline/fake-spec.ts) so they take milliseconds.
 */
import { describe, it, expect } from "vitest";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { loadConfig, configHash, type Config } from "../../src/config/index.ts";
import { expandSweep, parseSweep, loadSweep, overrideLabel } from "../../src/sweep/spec.ts";
import { assignShards, parseShard, shardFromEnv, shardRuns } from "../../src/sweep/shard.ts";
import { estimateSweep, fallbackSeconds } from "../../src/sweep/cost.ts";
import { planSweep, partition } from "../../src/sweep/plan.ts";
import { mergeStores } from "../../src/sweep/merge.ts";
import { sweepStatus } from "../../src/sweep/status.ts";
import { acquireLock, lockPath } from "../../src/sweep/lock.ts";
import { hostIdentity } from "../../src/util/lock.ts";
import { runSweepRuns, computeSharedStages } from "../../src/sweep/run.ts";
import { realSpec } from "../../src/pipeline/stages.ts";
import { runPipeline } from "../../src/pipeline/runner.ts";
import { withDb } from "../../src/store/db.ts";
import { Store } from "../../src/store/store.ts";
import { SCHEMA_VERSION } from "../../src/store/schema.ts";
import { calls, fakeConfig, fakeSpec, type FakeConfig } from "../pipeline/fake-spec.ts";
import { tmp, q, bbio } from "../store/helpers.ts";

const quiet = () => {};
const ids = (s: { runs: { id: string }[] }) => s.runs.map((r) => r.id);

describe("sweep expansion", () => {
  const sweep = {
    base: "ci",
    set: { "grpo.max_steps": 3 },
    grid: { "grpo.method": ["sum", "cagrpo"], seed: [0, 1] },
    runs: [{ "grpo.method": "none" }],
  };

  it("run ids are config hashes, sorted, independent of the order of axes, values, keys and runs", () => {
    const a = expandSweep(parseSweep(sweep), "s");
    expect(a.runs).toHaveLength(5);
    expect(ids(a)).toEqual([...ids(a)].sort());
    for (const r of a.runs) expect(r.id).toBe(configHash(r.config));
    const shuffled = {
      runs: [{ "grpo.method": "none" }],
      grid: { seed: [1, 0], "grpo.method": ["cagrpo", "sum"] },
      set: { "grpo.max_steps": 3 },
      base: "ci",
    };
    const b = expandSweep(parseSweep(shuffled), "s");
    expect(ids(b)).toEqual(ids(a));
    expect(b.runs.map((r) => r.name)).toEqual(a.runs.map((r) => r.name));
    // the same run as `bbio run ci --set … --name …`: same id
    const r = a.runs.find((x) => x.overrides["grpo.method"] === "cagrpo" && x.overrides.seed === 1)!;
    expect(r.name).toBe("s/grpo.method=cagrpo,seed=1");
    expect(configHash(loadConfig("ci", ["grpo.max_steps=3", "grpo.method=cagrpo", "seed=1", `name="${r.name}"`]))).toBe(r.id);
  });

  it("a list of grids is their union; duplicates appear once; axes are merged", () => {
    const s = expandSweep(
      parseSweep({ base: "ci", grid: [{ "grpo.method": ["sum", "cagrpo"] }, { "grpo.method": ["cagrpo", "mgda"] }] }),
      "u",
    );
    expect(s.runs.map((r) => r.overrides["grpo.method"]).sort()).toEqual(["cagrpo", "mgda", "sum"]);
    expect(s.axes).toEqual({ "grpo.method": ["sum", "cagrpo", "mgda"] });
    expect(overrideLabel({ b: 1, a: "x" })).toBe("a=x,b=1");
  });

  it("bad sweeps are one clear error", () => {
    const err = (raw: unknown) => {
      try {
        expandSweep(parseSweep(raw), "bad");
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    };
    expect(err({ base: "ci", grids: { seed: [1] } })).toMatch(/invalid sweep[\s\S]*grids/); // unknown key
    expect(err({ base: "ci", grid: {} })).toMatch(/grid is empty/);
    expect(err({ base: "ci", grid: { seed: [] } })).toMatch(/at least one value/);
    expect(err({ base: "ci", grid: [] })).toMatch(/list of grids is empty/);
    expect(err({ base: "ci" })).toMatch(/needs a grid and\/or a list of runs/);
    expect(err({ base: "ci", grid: { "grpo.methd": ["sum"] } })).toMatch(/unknown config path "grpo.methd" in grid/);
    expect(err({ base: "ci", runs: [{ "nope.x": 1 }] })).toMatch(/unknown config path "nope.x" in runs\[0\]/);
    expect(err({ base: "ci", set: { grpo: 1 }, grid: { seed: [0] } })).toMatch(/unknown config path "grpo" in set/); // a section, not a field
    expect(err({ base: "ci", grid: { "grpo.method": ["nope"] } })).toMatch(/invalid run in sweep bad[\s\S]*grpo.method/);
    expect(err({ base: "ci", grid: { name: ["x"] } })).toMatch(/unknown config path|cannot be overridden/);
  });

  it("the built-in paper-ablations sweep expands and covers the paper's ablation axes", () => {
    const s = loadSweep(new URL("../../configs/sweeps/paper-ablations.json", import.meta.url).pathname);
    expect(Object.keys(s.axes).sort()).toEqual([
      "data.ontology_validation",
      "data.workflow_constraints",
      "grpo.alpha",
      "grpo.beta",
      "grpo.method",
      "grpo.weight_strategy",
      "seed",
    ]);
    expect([...s.axes["grpo.method"]].sort()).toEqual(["cagrpo", "mgda", "pcgrad", "sum"]);
    expect(s.runs.length).toBe(75); // mgda computes its own weights: only with uniform (a refused combination otherwise)
  });
});

describe("shards", () => {
  it("parse i/n; out of range or malformed is one clear error", () => {
    expect(parseShard("0/1")).toEqual({ index: 0, count: 1 });
    expect(parseShard("2/3")).toEqual({ index: 2, count: 3 });
    expect(() => parseShard("3/3")).toThrow(/index 3 is out of range for 3 shards/);
    expect(() => parseShard("0/0")).toThrow(/n must be at least 1/);
    expect(() => parseShard("a/b")).toThrow(/expected i\/n with whole numbers/);
    expect(() => parseShard("-1/2")).toThrow(/expected i\/n/);
    expect(() => parseShard("1")).toThrow(/expected i\/n/);
  });

  it("come from Slurm / Kubernetes environments; a lone resubmitted task needs BBIO_SHARDS", () => {
    expect(shardFromEnv({})).toBeNull();
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: "2", SLURM_ARRAY_TASK_COUNT: "3" })).toEqual({ index: 2, count: 3 });
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: "1", SLURM_ARRAY_TASK_COUNT: "1", BBIO_SHARDS: "3" })).toEqual({ index: 1, count: 3 });
    expect(() => shardFromEnv({ SLURM_ARRAY_TASK_ID: "1", SLURM_ARRAY_TASK_COUNT: "1" })).toThrow(
      /out of range[\s\S]*SLURM_ARRAY_TASK_COUNT=1/,
    );
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: "4", BBIO_SHARDS: "8" })).toEqual({ index: 4, count: 8 });
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: "4" })).toThrow(/no shard count/);
  });

  it("the split is a deterministic partition for n = 1…7, balanced by cost (LPT)", () => {
    const s = loadSweep(new URL("../../configs/sweeps/paper-ablations.json", import.meta.url).pathname);
    const plan = planSweep(s, realSpec, []);
    const all = ids(s);
    for (let n = 1; n <= 7; n++) {
      const parts = partition(plan, n);
      expect(parts).toHaveLength(n);
      expect(parts.flat().sort()).toEqual(all); // every run exactly once
      expect(new Set(parts.flat()).size).toBe(all.length);
      expect(partition(plan, n)).toEqual(parts); // deterministic
      for (let i = 0; i < n; i++)
        expect(
          [
            ...shardRuns(
              s.runs.map((r) => ({ id: r.id, cost: plan.costOf.get(r.id)! })),
              { index: i, count: n },
            ),
          ].sort(),
        ).toEqual(parts[i]);
      const loads = parts.map((p) => p.reduce((a, id) => a + plan.costOf.get(id)!, 0));
      expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(Math.max(...plan.costOf.values()) + 1e-6);
    }
    // by cost, not by count: one expensive run gets a shard to itself
    expect(
      assignShards(
        [
          { id: "big", cost: 10 },
          { id: "a", cost: 1 },
          { id: "b", cost: 1 },
          { id: "c", cost: 1 },
        ],
        2,
      ),
    ).toEqual([["big"], ["a", "b", "c"]]);
  });

  it("the partition is frozen in the shard folder; a changed sweep is refused there", () => {
    const dir = tmp("part");
    const s = expandSweep(parseSweep({ base: "ci", grid: { seed: [0, 1, 2] } }), "f");
    const p1 = partition(planSweep(s, realSpec, []), 2, dir);
    // other costs (e.g. new measurements) would split differently, but the frozen split wins
    const skewed = planSweep(s, realSpec, []);
    skewed.costOf.set(s.runs[0].id, 1e6);
    expect(partition(skewed, 2, dir)).toEqual(p1);
    const changed = expandSweep(parseSweep({ base: "ci", grid: { seed: [0, 1, 2, 3] } }), "f");
    expect(() => partition(planSweep(changed, realSpec, []), 2, dir)).toThrow(/no longer expands to the runs/);
  });
});

describe("cost estimates", () => {
  const runs = [0, 1].flatMap((seed) =>
    ["sum", "pcgrad"].map((method) => ({ id: `${method}${seed}`, config: fakeConfig({ seed, method }) })),
  );
  it("shared stages are counted once; measured hash > shape > stage > fallback", () => {
    const c = estimateSweep(runs, fakeSpec, [], { fallback: () => 1, overhead: 0 });
    expect(c.stages.size).toBe(2 * 3 + 4 * 2); // per seed generate/sft/rm, per run grpo/eval
    expect(c.serialSeconds).toBe(14);
    expect(c.runs.reduce((a, r) => a + r.amortized, 0)).toBeCloseTo(14);
    const grpoHash = c.runs[0].stages.find((s) => s.stage === "grpo")!.hash;
    const m = estimateSweep(
      runs,
      fakeSpec,
      [
        { stage: "grpo", input_hash: grpoHash, seconds: 50, config: runs[0].config },
        { stage: "sft", input_hash: "other", seconds: 7, config: fakeConfig({ seed: 9 }) }, // same slice, another seed
        { stage: "grpo", input_hash: "y", seconds: 50, config: fakeConfig({ steps: 99 }) }, // another grpo shape
      ],
      { fallback: () => 2, overhead: 0 },
    );
    const st = m.runs[0].stages;
    expect(st.find((s) => s.stage === "grpo")).toMatchObject({ seconds: 50, source: "hash" });
    expect(st.find((s) => s.stage === "sft")).toMatchObject({ seconds: 7, source: "shape" });
    expect(m.runs[1].stages.find((s) => s.stage === "grpo")).toMatchObject({ seconds: 50, source: "stage" }); // pcgrad: scaled by work
    expect(st.find((s) => s.stage === "generate")).toMatchObject({ seconds: 2, source: "fallback" });
  });
  it("the fallback matches the measured ci and default runs within 30%", () => {
    const total = (c: Config) => ["generate", "sft", "rm", "grpo", "eval", "baseline"].reduce((a, s) => a + fallbackSeconds(s, c), 0);
    // measured on native, one thread per run: ci 13.2 s (loaded machine); default 288 s (the cold build of 2026-12-05,
    // README "Stage times": generate 3.1, sft 238.6, rm 9.3, grpo 21.1, eval 8.7, baseline 7.2)
    expect(total(loadConfig("ci"))).toBeGreaterThan(13.2 * 0.7);
    expect(total(loadConfig("ci"))).toBeLessThan(13.2 * 1.3);
    expect(total(loadConfig("default"))).toBeGreaterThan(288 * 0.7);
    expect(total(loadConfig("default"))).toBeLessThan(288 * 1.3);
  });
});

/** Fake runs into a store (milliseconds each). */
async function fakeRuns(db: string, cache: string, configs: FakeConfig[]): Promise<string[]> {
  const out: string[] = [];
  for (const c of configs) out.push((await runPipeline(c, { spec: fakeSpec, db, cacheDir: cache, log: quiet })).runId);
  return out;
}
const counts = (db: string) =>
  q(
    db,
    "SELECT (SELECT count(*) FROM runs) AS runs, (SELECT count(*) FROM metrics) AS metrics, (SELECT count(*) FROM evals) AS evals, (SELECT count(*) FROM stages) AS stages, (SELECT count(*) FROM items) AS items, (SELECT count(*) FROM run_params) AS params",
  );

describe("bbio merge", () => {
  const setup = async () => {
    const dir = tmp("merge");
    const cache = join(dir, "cache");
    const a = join(dir, "a.duckdb"),
      b = join(dir, "b.duckdb");
    const [sum, pc] = await fakeRuns(a, cache, [fakeConfig({ method: "sum" }), fakeConfig({ method: "pcgrad" })]);
    const [, mg] = await fakeRuns(b, cache, [fakeConfig({ method: "pcgrad" }), fakeConfig({ method: "mgda" })]); // pcgrad in both
    return { dir, cache, a, b, ids: [sum, pc, mg].sort() };
  };

  it("dedupes by run id, copies every row of each run once, and is idempotent", async () => {
    const { dir, a, b, ids } = await setup();
    const main = join(dir, "main.duckdb");
    const r1 = await mergeStores([a, b], main, { log: quiet });
    expect(r1.copied.sort()).toEqual(ids);
    expect((await q<{ id: string }>(main, "SELECT id FROM v_runs ORDER BY id")).map((r) => r.id)).toEqual(ids);
    // the merged rows of a run equal the source's rows
    const pc = ids.find((id) => id !== r1.copied[0]);
    const src = await q(a, `SELECT stage, step, name, value FROM metrics WHERE run_id = '${pc}' ORDER BY ALL`);
    if (src.length) expect(await q(main, `SELECT stage, step, name, value FROM metrics WHERE run_id = '${pc}' ORDER BY ALL`)).toEqual(src);
    const c1 = await counts(main);
    const r2 = await mergeStores([a, b], main, { log: quiet });
    expect(r2.copied).toEqual([]);
    expect(r2.alreadyPresent.sort()).toEqual(ids);
    expect(await counts(main)).toEqual(c1);
    // the CLI says the same
    const cli = await bbio(["merge", a, b, "--db", main]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/0 run\(s\) copied, 3 already there/);
  });

  it("is resumable: what was merged stays, the rest is added", async () => {
    const { dir, a, b, ids } = await setup();
    const main = join(dir, "main.duckdb");
    await mergeStores([a], main, { log: quiet }); // "interrupted" after the first store
    const r = await mergeStores([a, b], main, { log: quiet });
    expect(r.copied).toHaveLength(1);
    expect((await q<{ n: number }>(main, "SELECT count(*) AS n FROM runs"))[0].n).toBe(ids.length);
  });

  it("refuses inconsistent duplicates (same id, different results), writing nothing", async () => {
    const { dir, a, b } = await setup();
    const [pc] = await q<{ id: string }>(b, "SELECT id FROM runs WHERE method = 'pcgrad'");
    await withDb(b, {}, (db) => db.run(`UPDATE evals SET value = value + 0.125 WHERE run_id = '${pc.id}' AND capability = 'reasoning'`));
    const main = join(dir, "main.duckdb");
    await expect(mergeStores([a, b], main, { log: quiet })).rejects.toThrow(
      new RegExp(`inconsistent duplicates[\\s\\S]*run ${pc.id}[\\s\\S]*evals eval/0/reasoning/accuracy`),
    );
    expect(existsSync(main)).toBe(false);
    // and against the target: merge a, then b conflicts with what the target holds
    await mergeStores([a], main, { log: quiet });
    const before = await counts(main);
    const cli = await bbio(["merge", b, "--db", main]);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/^error: bbio merge: 1 run has inconsistent duplicates/);
    expect(await counts(main)).toEqual(before);
  });

  it("refuses a pinned run and a BBIO_FLOAT=native run of one config as duplicates: other float settings, other stage hashes", async () => {
    const dir = tmp("merge-float");
    const cache = join(dir, "cache");
    const a = join(dir, "a.duckdb"),
      b = join(dir, "b.duckdb");
    const pinned = { ...fakeSpec, floatSettings: async () => ({ identity: "pinned-v1;threads=aten2,blas2", mode: "pinned" }) };
    const native = {
      ...fakeSpec,
      floatSettings: async () => ({ identity: "native:aten=AVX512,blas=SkylakeX;threads=aten2,blas2", mode: "native" }),
    };
    const cfg = fakeConfig({ method: "pcgrad" });
    const ra = await runPipeline(cfg, { spec: pinned, db: a, cacheDir: cache, log: quiet });
    const rb = await runPipeline(cfg, { spec: native, db: b, cacheDir: cache, log: quiet });
    expect(ra.runId).toBe(rb.runId); // one config, one run id …
    // … but the training stages were computed twice: a cached pinned artefact is never reused for an opt-out run
    expect(rb.stages.filter((s) => s.stage === "sft").map((s) => s.reused)).toEqual([false]);
    expect(ra.stages.find((s) => s.stage === "sft")!.inputHash).not.toBe(rb.stages.find((s) => s.stage === "sft")!.inputHash);
    const [fa] = await q<{ float_settings: string }>(a, "SELECT float_settings FROM runs");
    expect(JSON.parse(fa.float_settings).identity).toBe("pinned-v1;threads=aten2,blas2");
    const main = join(dir, "main.duckdb");
    await expect(mergeStores([a, b], main, { log: quiet })).rejects.toThrow(
      /inconsistent duplicates[\s\S]*float settings pinned-v1;threads=aten2,blas2 vs native:aten=AVX512,blas=SkylakeX/,
    );
    expect(existsSync(main)).toBe(false);
  });

  it("refuses another schema version and a store still being written, before writing anything", async () => {
    const { dir, a, b } = await setup();
    const main = join(dir, "main.duckdb");
    await withDb(b, {}, (db) => db.run("UPDATE schema_version SET version = 99"));
    await expect(mergeStores([a, b], main, { log: quiet })).rejects.toThrow(
      new RegExp(`b\\.duckdb has schema version 99, this bbio \\(and the other stores\\) use ${SCHEMA_VERSION}`),
    );
    expect(existsSync(main)).toBe(false);

    const c = join(dir, "c.duckdb");
    await fakeRuns(c, join(dir, "cache"), [fakeConfig({ method: "cagrpo" })]);
    const sleeper = spawn("sleep", ["30"]);
    try {
      writeFileSync(lockPath(c), JSON.stringify({ ...hostIdentity(), pid: sleeper.pid, started: "now" }));
      await expect(mergeStores([a, c], main, { log: quiet })).rejects.toThrow(
        new RegExp(`c\\.duckdb is still being written \\(its lock is held by pid ${sleeper.pid}`),
      );
      writeFileSync(lockPath(c), JSON.stringify({ host: "some-other-node", pid: 1, started: "now" }));
      const cli = await bbio(["merge", a, c, "--db", main]);
      expect(cli.code).toBe(2);
      expect(cli.stderr).toMatch(/still being written \(its lock is held by pid 1 on some-other-node/);
      expect(existsSync(main)).toBe(false);
    } finally {
      sleeper.kill();
    }
    // a lock left by a dead process on this host is stale: the merge goes ahead
    writeFileSync(lockPath(c), JSON.stringify({ ...hostIdentity(), pid: 2 ** 22 + 1, started: "then" }));
    expect((await mergeStores([a, c], main, { log: quiet })).copied).toHaveLength(3);
  });
});

describe("sweep runs, status and stages first (fake pipeline)", () => {
  it("status: complete / running / crashed / failed / missing across shard stores", async () => {
    const dir = tmp("status");
    const s1 = join(dir, "s1.duckdb"),
      s2 = join(dir, "s2.duckdb");
    const [done] = await fakeRuns(s1, join(dir, "cache"), [fakeConfig({ method: "sum" })]);
    await runPipeline(fakeConfig({ method: "mgda", fail_at: 2 }), {
      spec: fakeSpec,
      db: s1,
      cacheDir: join(dir, "cache"),
      log: quiet,
    }).catch(() => {});
    const start = (id: string, db: string) =>
      new Store(db).startRun({
        id,
        name: id,
        config: { name: id },
        configHash: id,
        seed: 0,
        backend: "fake",
        gitCommit: null,
        gitDirty: null,
        method: "x",
        pid: process.pid,
      });
    await start("running1", s2);
    await start("crashed1", s1);
    const failed = (await q<{ id: string }>(s1, "SELECT id FROM runs WHERE status = 'failed'"))[0].id;
    const release = acquireLock(s2); // s2 is being written by "us"; s1's lock is free
    try {
      const runs = [done, "running1", "crashed1", failed, "nowhere"].map((id) => ({ id, name: id, overrides: {}, config: {} as Config }));
      // running1 is 'running' in s2 whose lock is held by a live process (lockHolder ignores our own pid, so hold it from a child)
      release();
      const sleeper = spawn("sleep", ["30"]);
      writeFileSync(lockPath(s2), JSON.stringify({ ...hostIdentity(), pid: sleeper.pid, started: "now" }));
      try {
        const st = await sweepStatus(
          runs,
          [s1, s2],
          [
            [done, "running1"],
            ["crashed1", failed, "nowhere"],
          ],
        );
        expect(st.map((r) => [r.id, r.status, r.shard])).toEqual([
          [done, "complete", 0],
          ["running1", "running", 0],
          ["crashed1", "crashed", 1],
          [failed, "failed", 1],
          ["nowhere", "missing", 1],
        ]);
      } finally {
        sleeper.kill();
      }
    } finally {
      release();
    }
  });

  it("runs skip what is complete and resume what is not; the store lock is released after", async () => {
    const dir = tmp("sweeprun");
    const db = join(dir, "shard.duckdb");
    const mk = (method: string, extra: Partial<Parameters<typeof fakeConfig>[0]> = {}) => {
      const config = fakeConfig({ method, name: `t/${method}`, ...extra }) as unknown as Config;
      return { id: configHash(config), name: config.name, overrides: {}, config };
    };
    const runs = [mk("sum"), mk("pcgrad")];
    const opts = { db, cacheDir: join(dir, "cache"), jobs: 1, spec: fakeSpec as never, log: quiet };
    const o1 = await runSweepRuns(runs, opts);
    expect(o1.skipped).toEqual([]);
    expect(o1.outcomes.map((o) => o.result?.outcome)).toEqual(["complete", "complete"]);
    expect(existsSync(lockPath(db))).toBe(false);
    const o2 = await runSweepRuns([...runs, mk("mgda")], opts);
    expect(o2.skipped.sort()).toEqual(runs.map((r) => r.id).sort());
    expect(o2.outcomes).toHaveLength(1);
    // a live writer holds the lock: a second sweep on the same store is refused
    const sleeper = spawn("sleep", ["30"]);
    try {
      writeFileSync(lockPath(db), JSON.stringify({ ...hostIdentity(), pid: sleeper.pid, started: "now" }));
      await expect(runSweepRuns(runs, opts)).rejects.toThrow(/is being written by another bbio sweep/);
    } finally {
      sleeper.kill();
    }
  });

  it("stages first computes each shared stage once; the runs then reuse it", async () => {
    const dir = tmp("stagesfirst");
    const cache = join(dir, "cache");
    const runs = ["sum", "pcgrad", "mgda"].map((method) => {
      const config = fakeConfig({ method, name: `sf/${method}` }) as unknown as Config;
      return { id: configHash(config), name: config.name, overrides: {}, config };
    });
    calls.length = 0;
    const r = await computeSharedStages(runs, { spec: fakeSpec as never, cacheDir: cache, log: quiet });
    expect(r).toEqual({ computed: 3, reused: 0 }); // generate, sft, rm: shared by all three
    expect(calls).toEqual(["generate", "sft", "rm"]);
    expect(await computeSharedStages(runs, { spec: fakeSpec as never, cacheDir: cache, log: quiet })).toEqual({ computed: 0, reused: 3 });
    calls.length = 0;
    const db = join(dir, "s.duckdb");
    await runSweepRuns(runs, { db, cacheDir: cache, jobs: 1, spec: fakeSpec as never, log: quiet });
    expect(calls).toEqual(["grpo", "eval", "grpo", "eval", "grpo", "eval"]);
    // the reused stages' rows (from the spool) are in every run, as if the run had computed them
    const per = await q<{ n: number }>(db, "SELECT count(*) AS n FROM metrics WHERE stage = 'sft' GROUP BY run_id");
    expect(per.map((x) => Number(x.n))).toEqual([5, 5, 5]);
  });
});

describe("bbio sweep from the command line: bad input writes nothing", () => {
  it("a bad shard spec, an unknown key, an empty grid or an unknown path: exit 2, one error, no files", async () => {
    const dir = tmp("sweepcli");
    const good = join(dir, "good.json");
    writeFileSync(good, JSON.stringify({ base: "ci", grid: { seed: [0, 1] } }));
    const cases: [string[], RegExp][] = [
      [["sweep", good, "--shard", "3/3"], /index 3 is out of range for 3 shards/],
      [["sweep", good, "--shard", "0/0"], /n must be at least 1/],
      [["sweep", good, "--shard", "a/b"], /expected i\/n/],
    ];
    for (const [file, body] of [
      ["unknown-key.json", { base: "ci", grid: { seed: [0] }, seeds: 3 }],
      ["empty-grid.json", { base: "ci", grid: {} }],
      ["unknown-path.json", { base: "ci", grid: { "grpo.methd": ["sum"] } }],
    ] as const) {
      writeFileSync(join(dir, file), JSON.stringify(body));
      cases.push([["sweep", join(dir, file)], /unrecognized key: "seeds"|grid is empty|unknown config path "grpo.methd"/i]);
    }
    for (const [args, re] of cases) {
      const r = await bbio([
        ...args,
        "--shard-dir",
        join(dir, "shards"),
        "--cache",
        join(dir, "cache"),
        "--costs",
        join(dir, "none.duckdb"),
      ]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(re);
      expect(
        r.stderr
          .trim()
          .split("\n")
          .filter((l) => l.startsWith("error:")),
      ).toHaveLength(1);
      expect(existsSync(join(dir, "shards")), args.join(" ")).toBe(false);
      expect(existsSync(join(dir, "cache")), args.join(" ")).toBe(false);
    }
    // a resubmitted lone Slurm task without BBIO_SHARDS
    const r = await bbio(["sweep", good, "--shard-dir", join(dir, "shards")], { SLURM_ARRAY_TASK_ID: "1", SLURM_ARRAY_TASK_COUNT: "1" });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/set BBIO_SHARDS/);
    expect(existsSync(join(dir, "shards"))).toBe(false);
  });

  it("bbio sweep plan prints runs, the cost and the per-shard split", async () => {
    const dir = tmp("plancli");
    const f = join(dir, "p.json");
    writeFileSync(f, JSON.stringify({ base: "ci", grid: { "grpo.method": ["sum", "cagrpo"], seed: [0, 1] } }));
    const r = await bbio(["sweep", "plan", f, "--costs", join(dir, "none.duckdb"), "--shards", "1,3"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/sweep p: 4 runs/);
    expect(r.stdout).toMatch(/estimated cost: .* on one core/);
    expect(r.stdout).toMatch(/--shard i\/3: [12]\/[12]\/[12] runs/);
    const j = await bbio(["sweep", "plan", f, "--costs", join(dir, "none.duckdb"), "--shards", "2", "--json"]);
    const plan = JSON.parse(j.stdout);
    expect(plan.runs).toHaveLength(4);
    expect(plan.runs.every((x: { shards: Record<string, number> }) => x.shards["2"] === 0 || x.shards["2"] === 1)).toBe(true);
  });
});
