import { describe, it, expect, beforeEach } from "vitest";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runPipeline, planStages } from "../../src/pipeline/runner.ts";
import { runSuite, readSuite } from "../../src/pipeline/suite.ts";
import { Store } from "../../src/store/store.ts";
import { BbioError } from "../../src/util/errors.ts";
import { calls, fakeConfig, fakeSpec, type FakeConfig } from "./fake-spec.ts";
import { tmp, q } from "../store/helpers.ts";

const quiet = () => {};
function env() {
  const dir = tmp("runner");
  return { db: join(dir, "s.duckdb"), cacheDir: join(dir, "cache"), spec: fakeSpec, log: quiet };
}

beforeEach(() => {
  calls.length = 0;
});

describe("runPipeline with fake stages", () => {
  it("records a complete run with provenance, exact row counts, items/rejects/pairs by data hash", async () => {
    const e = env();
    const r = await runPipeline(fakeConfig(), e);
    expect(r.outcome).toBe("complete");
    expect(calls).toEqual(["generate", "sft", "rm", "grpo", "eval"]);
    const [run] = await q(e.db, "SELECT * FROM v_runs");
    expect(run).toMatchObject({
      id: r.runId,
      status: "complete",
      backend: "fake",
      method: "sum",
      seed: 1,
      data_hash: r.dataHash,
      pid: process.pid,
    });
    expect(JSON.parse(run.config as string).grpo.method).toBe("sum");
    expect(await q(e.db, "SELECT stage, reused, status FROM stages ORDER BY started_at")).toEqual(
      ["generate", "sft", "rm", "grpo", "eval"].map((stage) => ({ stage, reused: false, status: "complete" })),
    );
    expect(await q(e.db, "SELECT stage, name, count(*) AS n, count(DISTINCT step) AS d FROM v_metrics GROUP BY ALL ORDER BY ALL")).toEqual([
      { stage: "grpo", name: "kl", n: 12, d: 12 },
      { stage: "grpo", name: "reward", n: 12, d: 12 },
      { stage: "rm", name: "rm/accuracy", n: 1, d: 1 },
      { stage: "sft", name: "loss", n: 5, d: 5 },
    ]);
    expect(await q(e.db, "SELECT count(*) AS n FROM v_grad_gram")).toEqual([{ n: 12 * 16 }]);
    expect(await q(e.db, "SELECT count(*) AS n FROM v_evals")).toEqual([{ n: 4 }]);
    expect(await q(e.db, "SELECT count(*) AS n FROM v_items")).toEqual([{ n: 6 }]);
    expect(await q(e.db, "SELECT count(*) AS n FROM v_rejects")).toEqual([{ n: 1 }]);
    expect(await q(e.db, "SELECT count(*) AS n FROM v_pairs")).toEqual([{ n: 1 }]);
    expect(await q(e.db, "SELECT value FROM run_params WHERE key = 'grpo.method'")).toEqual([{ value: '"sum"' }]);
  });

  it("a complete run whose stage code changed (version bump) is recomputed from that stage on, rows replaced", async () => {
    const e = env();
    const a = await runPipeline(fakeConfig(), e);
    const before = await q(e.db, "SELECT count(*) AS n FROM v_metrics");
    calls.length = 0;
    const bumped = { ...fakeSpec, stages: fakeSpec.stages.map((st) => (st.name === "grpo" ? { ...st, version: st.version + 1 } : st)) };
    const b = await runPipeline(fakeConfig(), { ...e, spec: bumped });
    expect(b.runId).toBe(a.runId);
    expect(b.outcome).toBe("complete");
    expect(calls).toEqual(["grpo", "eval"]); // downstream of the bumped stage: new input hashes
    expect(await q(e.db, "SELECT status FROM v_runs")).toEqual([{ status: "complete" }]);
    expect(await q(e.db, "SELECT count(*) AS n FROM v_metrics")).toEqual(before);
    calls.length = 0;
    expect((await runPipeline(fakeConfig(), { ...e, spec: bumped })).outcome).toBe("already-complete");
    expect(calls).toEqual([]);
  });

  it("re-running a complete config does nothing; a different grpo method reuses generate/sft/rm", async () => {
    const e = env();
    const a = await runPipeline(fakeConfig({ method: "sum" }), e);
    calls.length = 0;
    const again = await runPipeline(fakeConfig({ method: "sum" }), e);
    expect(again.outcome).toBe("already-complete");
    expect(calls).toEqual([]);
    const b = await runPipeline(fakeConfig({ method: "pcgrad" }), e);
    expect(b.runId).not.toBe(a.runId);
    expect(calls).toEqual(["grpo", "eval"]);
    expect(b.stages.map((s) => [s.stage, s.reused])).toEqual([
      ["generate", true],
      ["sft", true],
      ["rm", true],
      ["grpo", false],
      ["eval", false],
    ]);
    // upstream hashes are shared, downstream differ
    expect(b.stages.slice(0, 3).map((s) => s.inputHash)).toEqual(a.stages.slice(0, 3).map((s) => s.inputHash));
    expect(b.stages[3].inputHash).not.toBe(a.stages[3].inputHash);
    // the reused stages' rows were imported under run b, identical to run a's
    const sft = (id: string) => q(e.db, `SELECT step, value FROM v_metrics WHERE run_id = '${id}' AND stage = 'sft' ORDER BY step`);
    expect(await sft(b.runId)).toEqual(await sft(a.runId));
    expect(await q(e.db, "SELECT count(*) AS n FROM v_items")).toEqual([{ n: 6 }]); // one data hash, stored once
    // a different seed changes every hash: nothing reused
    calls.length = 0;
    await runPipeline(fakeConfig({ method: "sum", seed: 2 }), e);
    expect(calls).toEqual(["generate", "sft", "rm", "grpo", "eval"]);
  });

  it("sft-only runs skip rm and grpo, and eval reads the sft policy", async () => {
    const e = env();
    const cfg = fakeConfig({ method: "none" });
    expect(planStages(fakeSpec, cfg).map((s) => s.name)).toEqual(["generate", "sft", "eval"]);
    const r = await runPipeline(cfg, e);
    expect(calls).toEqual(["generate", "sft", "eval"]);
    expect(await q(e.db, `SELECT method FROM v_runs WHERE id = '${r.runId}'`)).toEqual([{ method: "sft-only" }]);
    expect(await q(e.db, "SELECT count(*) AS n FROM v_metrics WHERE stage = 'grpo'")).toEqual([{ n: 0 }]);
  });

  it("a failing stage marks the run failed (hidden), and the rerun resumes from the checkpoint without duplicates", async () => {
    const e = env();
    const err = await runPipeline(fakeConfig({ fail_at: 7 }), e).catch((x) => x);
    expect(err.message).toBe("fake failure at step 7");
    const [run] = await q(e.db, "SELECT id, status, error FROM runs");
    expect(run).toMatchObject({ status: "failed", error: "grpo: fake failure at step 7" });
    expect(await q(e.db, "SELECT count(*) AS n FROM v_runs")).toEqual([{ n: 0 }]);
    expect(await q(e.db, "SELECT stage, status FROM stages WHERE stage = 'grpo'")).toEqual([{ stage: "grpo", status: "failed" }]);

    // rerun the SAME config (same run id) after "fixing the bug": the grpo stage now ignores fail_at
    calls.length = 0;
    const fixed = fakeConfig({ fail_at: 7 });
    const spec = {
      ...fakeSpec,
      stages: fakeSpec.stages.map((s) =>
        s.name === "grpo"
          ? {
              ...s,
              run: (ctx: Parameters<typeof s.run>[0]) => s.run({ ...ctx, slice: { ...(ctx.slice as FakeConfig["grpo"]), fail_at: -1 } }),
            }
          : s,
      ),
    };
    const r = await runPipeline(fixed, { ...e, spec });
    expect(r.runId).toBe(run.id);
    expect(calls).toEqual(["grpo", "eval"]);
    const grpoDir = r.stages.find((s) => s.stage === "grpo")!.dir;
    expect(readFileSync(join(grpoDir, "starts.log"), "utf8").trim().split("\n")).toEqual(["1", "5"]); // resumed after ckpt 4
    expect(
      await q(
        e.db,
        "SELECT name, count(*) AS n, count(DISTINCT step) AS d, min(step) AS lo, max(step) AS hi FROM v_metrics WHERE stage = 'grpo' GROUP BY name ORDER BY name",
      ),
    ).toEqual([
      { name: "kl", n: 12, d: 12, lo: 1, hi: 12 },
      { name: "reward", n: 12, d: 12, lo: 1, hi: 12 },
    ]);
    expect(await q(e.db, "SELECT count(*) AS n FROM v_completions")).toEqual([{ n: 12 }]);
    expect(await q(e.db, "SELECT status, error FROM v_runs")).toEqual([{ status: "complete", error: null }]);
  });

  it("a cached artefact that lost a file or changed its bytes is named and recomputed, never reused", async () => {
    const e = env();
    const lines: string[] = [];
    const a = await runPipeline(fakeConfig(), { ...e, log: (l) => lines.push(l) });
    const sftDir = a.stages[1].dir;
    rmSync(join(sftDir, "model.json"));
    calls.length = 0;
    const b = await runPipeline(fakeConfig({ method: "mgda" }), { ...e, log: (l) => lines.push(l) });
    expect(b.outcome).toBe("complete");
    expect(calls).toContain("sft");
    expect(lines.join("\n")).toMatch(/warning: cached artefact .*sft.*model\.json is missing; recomputing the sft stage/);
    expect(existsSync(join(sftDir, "model.json"))).toBe(true);
    // same size, other bytes: only the checksum can tell
    const f = join(sftDir, "model.json");
    const bytes = readFileSync(f);
    writeFileSync(f, Buffer.alloc(bytes.length, 0x20));
    calls.length = 0;
    lines.length = 0;
    await runPipeline(fakeConfig({ method: "pcgrad" }), { ...e, log: (l) => lines.push(l) });
    expect(calls).toContain("sft");
    expect(lines.join("\n")).toMatch(/model\.json does not match the sha256 recorded when it was cached/);
    expect(readFileSync(f)).toEqual(bytes); // recomputed: the same bytes as the first time
  });

  it("until (the stage commands) runs the same plan up to a stage: same hashes and cache, recorded 'stopped', never complete", async () => {
    const e = env();
    const cfg = fakeConfig({ method: "pcgrad" });
    const s = await runPipeline(cfg, { ...e, until: "rm" });
    expect(s.outcome).toBe("stopped");
    expect(calls).toEqual(["generate", "sft", "rm"]);
    expect(s.stages.map((x) => x.stage)).toEqual(["generate", "sft", "rm"]);
    expect(await q(e.db, "SELECT status FROM runs")).toEqual([{ status: "stopped" }]);
    expect(await q(e.db, "SELECT count(*) AS n FROM v_runs")).toEqual([{ n: 0 }]); // pages never see it
    expect((await new Store(e.db).listRuns())[0]).toMatchObject({ status: "stopped", stopped_after: "rm" });
    // a shorter stop of the same run: the record is what ran last (the rm artefact stays cached)
    calls.length = 0;
    await runPipeline(cfg, { ...e, until: "sft" });
    expect(calls).toEqual([]);
    expect(await q(e.db, "SELECT stage FROM stages ORDER BY started_at")).toEqual([{ stage: "generate" }, { stage: "sft" }]);
    expect((await new Store(e.db).listRuns())[0]).toMatchObject({ status: "stopped", stopped_after: "sft" });
    // `bbio run` of the config resumes the same run from the cache and completes it
    const full = await runPipeline(cfg, e);
    expect(full.runId).toBe(s.runId);
    expect(full.outcome).toBe("complete");
    expect(calls).toEqual(["grpo", "eval"]);
    expect(full.stages.slice(0, 3).map((x) => [x.inputHash, x.dir])).toEqual(s.stages.map((x) => [x.inputHash, x.dir]));
    // a stage command on a complete run changes nothing and still finds its stage's artefact
    calls.length = 0;
    const again = await runPipeline(cfg, { ...e, until: "sft" });
    expect(again.outcome).toBe("already-complete");
    expect(again.stages.map((x) => [x.stage, x.dir])).toEqual([
      ["generate", s.stages[0].dir],
      ["sft", s.stages[1].dir],
    ]);
    expect(calls).toEqual([]);
    expect(await q(e.db, "SELECT status FROM v_runs")).toEqual([{ status: "complete" }]);
    // a stage the config does not run is one clear error, nothing recorded
    const err = await runPipeline(fakeConfig({ method: "none" }), { ...e, until: "grpo" }).catch((x) => x);
    expect(err).toBeInstanceOf(BbioError);
    expect(err.message).toMatch(/this config has no "grpo" stage: its pipeline is generate → sft → eval/);
    expect(await q(e.db, "SELECT count(*) AS n FROM runs")).toEqual([{ n: 1 }]);
  });

  it("refuses a config whose stages depend on disabled ones", async () => {
    const spec = { ...fakeSpec, stages: fakeSpec.stages.filter((s) => s.name !== "rm") };
    expect(() => planStages(spec, fakeConfig())).toThrow(/stage "grpo" needs "rm"/);
  });

  it("runSuite runs every entry sharing upstream stages, and reports failures without stopping", async () => {
    const e = env();
    const dir = tmp("suite");
    const file = join(dir, "s.json");
    writeFileSync(
      file,
      JSON.stringify({
        runs: [
          { name: "sft-only", set: ["none"] },
          { name: "sum", set: ["sum"] },
          { name: "boom", set: ["boom"] },
          { name: "pcgrad", set: ["pcgrad"] },
        ],
      }),
    );
    const suite = readSuite(file);
    const load = (r: { name: string; set: string[] }): FakeConfig => ({
      ...fakeConfig({ name: r.name, method: r.set[0], fail_at: r.set[0] === "boom" ? 2 : -1 }),
    });
    const out = await runSuite(suite, load, e);
    expect(out.map((o) => [o.name, o.result?.outcome ?? "failed"])).toEqual([
      ["sft-only", "complete"],
      ["sum", "complete"],
      ["boom", "failed"],
      ["pcgrad", "complete"],
    ]);
    expect(calls.filter((c) => c === "generate")).toHaveLength(1);
    expect(calls.filter((c) => c === "sft")).toHaveLength(1);
    expect(calls.filter((c) => c === "rm")).toHaveLength(1);
    const runs = await new Store(e.db).listRuns();
    expect(runs.map((r) => [r.name, r.status]).sort()).toEqual([
      ["boom", "failed"],
      ["pcgrad", "complete"],
      ["sft-only", "complete"],
      ["sum", "complete"],
    ]);
  });

  it("readSuite validates the file", () => {
    const dir = tmp("suite2");
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ runs: [{ name: "a", sets: [] }] }));
    expect(() => readSuite(file)).toThrow(/invalid suite[\s\S]*runs\.0/);
    writeFileSync(file, JSON.stringify({ runs: [{ name: "a" }, { name: "a" }] }));
    expect(() => readSuite(file)).toThrow(/"a" appears twice/);
    expect(() => readSuite("no-such-suite")).toThrow(/suite "no-such-suite" not found/);
    // a seeds entry expands to one run per seed; a clash with a hand-named run is caught after expansion
    writeFileSync(file, JSON.stringify({ runs: [{ name: "m", set: ["grpo.method=sum"], seeds: [0, 2] }] }));
    expect(readSuite(file).runs).toEqual([
      { name: "m-s0", set: ["grpo.method=sum", "grpo.seed=0"] },
      { name: "m-s2", set: ["grpo.method=sum", "grpo.seed=2"] },
    ]);
    writeFileSync(file, JSON.stringify({ runs: [{ name: "m", seeds: [0] }, { name: "m-s0" }] }));
    expect(() => readSuite(file)).toThrow(/"m-s0" appears twice/);
    writeFileSync(file, JSON.stringify({ runs: [{ name: "m", seeds: [] }] }));
    expect(() => readSuite(file)).toThrow(/invalid suite/);
  });
});
