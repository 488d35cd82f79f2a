import { describe, it, expect, beforeAll } from "vitest";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { runPipeline } from "../../src/pipeline/runner.ts";
import { Store } from "../../src/store/store.ts";
import { fakeConfig, fakeSpec } from "./fake-spec.ts";
import { bbio, tmp, spawnTs } from "../store/helpers.ts";

describe("bbio run / runs / query from the command line", () => {
  let db = "";
  beforeAll(async () => {
    const dir = tmp("cli");
    db = join(dir, "s.duckdb");
    const log = () => {};
    await runPipeline(fakeConfig({ method: "sum" }), { spec: fakeSpec, db, cacheDir: join(dir, "cache"), log });
    await runPipeline(fakeConfig({ method: "pcgrad", fail_at: 3 }), { spec: fakeSpec, db, cacheDir: join(dir, "cache"), log }).catch(
      () => {},
    );
    // a run a stage command stopped after its stage (bbio train-sft …)
    await runPipeline(fakeConfig({ method: "cagrad" }), { spec: fakeSpec, db, cacheDir: join(dir, "cache"), log, until: "sft" });
    // a crashed run: status 'running' with a pid that has exited
    const dead = spawnTs("bin/bbio.mjs", ["--version"]);
    await dead.exit;
    await new Store(db).startRun({
      id: "deadbeef",
      name: "crashed-one",
      config: { name: "crashed-one" },
      configHash: "deadbeef",
      seed: 0,
      backend: "wasm",
      gitCommit: null,
      gitDirty: null,
      method: "mgda",
      pid: dead.child.pid!,
    });
  });

  it("an invalid config is one clear error (exit 2) and records nothing", async () => {
    const dir = tmp("cli-bad");
    const bad = join(dir, "bad.duckdb");
    const r = await bbio(["run", "--set", "model.n_layr=2", "--db", bad, "--cache", join(dir, "cache")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: invalid config\n.*model.*n_layr/m);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    expect(existsSync(bad)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("bbio runs --json lists every run with its status; crashed = running with a dead pid", async () => {
    const r = await bbio(["runs", "--json", "--db", db]);
    expect(r.code, r.stderr).toBe(0);
    const runs = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(runs.map((x) => [x.method, x.status]).sort()).toEqual([
      ["cagrad", "stopped"],
      ["mgda", "crashed"],
      ["pcgrad", "failed"],
      ["sum", "complete"],
    ]);
    for (const run of runs)
      expect(Object.keys(run).sort()).toEqual(
        [
          "backend",
          "config_hash",
          "created_at",
          "data_hash",
          "error",
          "float_settings",
          "git_commit",
          "git_dirty",
          "id",
          "method",
          "name",
          "pid",
          "seed",
          "status",
          "stopped_after",
          "updated_at",
        ].sort(),
      );
    const failed = runs.find((x) => x.status === "failed")!;
    expect(failed.error).toBe("grpo: fake failure at step 3");
    expect(typeof failed.seed).toBe("number");
    const all = JSON.parse((await bbio(["runs", "--json", "--all", "--db", db])).stdout) as {
      status: string;
      stages: { stage: string }[];
    }[];
    expect(
      all
        .find((x) => x.status === "complete")!
        .stages.map((s) => s.stage)
        .sort(),
    ).toEqual(["eval", "generate", "grpo", "rm", "sft"]);
    const complete = JSON.parse((await bbio(["runs", "--json", "--complete", "--db", db])).stdout) as { status: string }[];
    expect(complete.map((x) => x.status)).toEqual(["complete"]);
    const table = await bbio(["runs", "--db", db]);
    expect(table.stdout).toMatch(/crashed-one\s+crashed\s+mgda/);
    expect(table.stdout).toMatch(/fake\s+stopped after sft\s+cagrad/);
    expect(runs.find((x) => x.status === "stopped")!.stopped_after).toBe("sft");
  });

  it("bbio query reads (table or JSON) and refuses writes", async () => {
    const j = await bbio([
      "query",
      "--json",
      "--db",
      db,
      "SELECT method, count(*) AS n FROM v_metrics JOIN v_runs ON run_id = id WHERE stage = 'grpo' GROUP BY method",
    ]);
    expect(j.code, j.stderr).toBe(0);
    expect(JSON.parse(j.stdout)).toEqual([{ method: "sum", n: 24 }]);
    const t = await bbio(["query", "--db", db, "SELECT name, status FROM runs WHERE status = 'failed'"]);
    expect(t.stdout).toMatch(/name\s+status\n-+\s+-+\nfake\s+failed\n\(1 row\)/);
    const w = await bbio(["query", "--db", db, "DELETE FROM runs"]);
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/^error: bbio query is read-only/);
    const n = await bbio(["query", "--json", "--db", db, "SELECT count(*) AS n FROM runs"]);
    expect(JSON.parse(n.stdout)).toEqual([{ n: 4 }]);
  });

  it("bbio suite with an unknown name is one clear error", async () => {
    const r = await bbio(["suite", "no-such-suite", "--db", join(tmp("cli-s"), "s.duckdb")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: suite "no-such-suite" not found/);
  });
});
