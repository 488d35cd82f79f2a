import { describe, it, expect } from "vitest";
import { join } from "node:path";
import { runSuiteInProcesses } from "../../src/pipeline/suite.ts";
import { WORKER_MARK } from "../../src/pipeline/suite_worker.ts";
import { Store } from "../../src/store/store.ts";
import { fakeConfig } from "./fake-spec.ts";
import { q, tmp } from "../store/helpers.ts";

const WORKER = new URL("./fake-worker.ts", import.meta.url).pathname;

describe("bbio suite --jobs n: long-lived worker processes", () => {
  it("runs many runs per worker, isolates a failing and a crashing run, prefixes each line with its run", async () => {
    const dir = tmp("worker");
    const db = join(dir, "s.duckdb");
    const cache = join(dir, "cache");
    const names = ["sft-only", "sum", "boom", "crash", "pcgrad", "sum-s2", "mgda"];
    const suite = { description: "", runs: names.map((name) => ({ name, set: [] })) };
    const load = (r: { name: string }) =>
      fakeConfig({
        name: r.name,
        method: r.name === "sft-only" ? "none" : r.name === "sum-s2" ? "sum" : r.name,
        seed: r.name === "sum-s2" ? 2 : 1,
        fail_at: r.name === "boom" ? 2 : -1,
      });
    const lines: string[] = [];
    const out = await runSuiteInProcesses(suite, load, {
      db,
      cacheDir: cache,
      jobs: 2,
      log: (l) => lines.push(l),
      worker: ["--import", "tsx", WORKER, db, cache],
    });

    // every run has its outcome, in suite order; the failure and the crash did not stop the others
    expect(out.map((o) => [o.name, o.result?.outcome ?? "failed"])).toEqual([
      ["sft-only", "complete"],
      ["sum", "complete"],
      ["boom", "failed"],
      ["crash", "failed"],
      ["pcgrad", "complete"],
      ["sum-s2", "complete"],
      ["mgda", "complete"],
    ]);
    expect(out[2].error).toMatch(/fake failure at step 2/);
    expect(out[3].error).toMatch(/worker process died \(SIGKILL\)/);

    // the store: the crashed run is never complete, the failed one says so
    const runs = await new Store(db).listRuns();
    expect(Object.fromEntries(runs.map((r) => [r.name, r.status]))).toEqual({
      "sft-only": "complete",
      sum: "complete",
      boom: "failed",
      crash: "crashed",
      pcgrad: "complete",
      "sum-s2": "complete",
      mgda: "complete",
    });
    expect(await q(db, "SELECT count(*) AS n FROM v_runs WHERE name IN ('boom', 'crash')")).toEqual([{ n: 0 }]);

    // workers are reused: 2 lanes, plus one fresh worker after the crash — not one process per run
    const pids = new Set(runs.map((r) => r.pid));
    expect(pids.size).toBeLessThanOrEqual(3);
    expect(pids.size).toBeGreaterThanOrEqual(2);

    // each run's own lines carry its name: the runner's first and last line of a run name the run they belong to
    const own = lines.filter((l) => /bbio run \S+ \[/.test(l));
    expect(own.length).toBeGreaterThanOrEqual(names.length);
    for (const l of own) {
      const [, prefix, run] = /^\[([^\]]+)\] bbio run (\S+) \[/.exec(l)!;
      expect(prefix).toBe(run);
    }
    for (const n of ["sft-only", "sum", "pcgrad", "sum-s2", "mgda"])
      expect(lines.some((l) => l.startsWith(`[${n}] bbio run ${n} [`) && / complete in /.test(l))).toBe(true);
    expect(lines).toContain('suite: run "boom" failed: fake failure at step 2');
    // no reply line leaks into the log
    expect(lines.filter((l) => l.includes(WORKER_MARK.trim()))).toEqual([]);
  }, 60_000);
});
