import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Store } from "../../src/store/store.ts";
import { tmp, spawnTs, q } from "../store/helpers.ts";

const RUN = "test/pipeline/fake-run.ts";
const SLOW = JSON.stringify({ steps: 12, delay_ms: 150 });

describe("kill -9 mid-stage, then resume", () => {
  it("leaves the run not complete and invisible; the rerun resumes and ends with exact, identical rows", async () => {
    const dir = tmp("kill");
    const db = join(dir, "s.duckdb");
    const cache = join(dir, "cache");

    // 1. start a run whose grpo stage is slow; kill -9 it after step 6 (the last checkpoint was step 4)
    const p = spawnTs(RUN, [db, cache, SLOW], { FAKE_PRINT_STEPS: "1" });
    await p.waitFor("grpo step 6");
    p.child.kill("SIGKILL");
    const ex = await p.exit;
    expect(ex.signal).toBe("SIGKILL");

    const [raw] = await q(db, "SELECT id, status, pid FROM runs");
    expect(raw.status).toBe("running"); // nobody got to mark it
    expect(await q(db, "SELECT count(*) AS n FROM v_runs")).toEqual([{ n: 0 }]);
    expect(await q(db, "SELECT count(*) AS n FROM v_metrics")).toEqual([{ n: 0 }]);
    expect(await q(db, "SELECT count(*) AS n FROM v_items")).toEqual([{ n: 0 }]);
    const listed = await new Store(db).listRuns();
    expect(listed.map((r) => r.status)).toEqual(["crashed"]);
    expect(await q(db, "SELECT stage, status FROM stages ORDER BY started_at")).toEqual([
      { stage: "generate", status: "complete" },
      { stage: "sft", status: "complete" },
      { stage: "rm", status: "complete" },
      { stage: "grpo", status: "running" },
    ]);

    // 2. same config again: resumes THAT run from the grpo checkpoint
    const r = spawnTs(RUN, [db, cache, SLOW]);
    const er = await r.exit;
    expect(er.code, r.stderr()).toBe(0);
    expect(r.stderr()).toMatch(/resuming a crashed run/);
    expect(r.stderr()).toMatch(/\[4\/5 grpo\] resuming/);
    const result = JSON.parse(r.stdout().split("RESULT ")[1]);
    expect(result.runId).toBe(raw.id);
    expect(result.stages).toEqual([
      ["generate", true],
      ["sft", true],
      ["rm", true],
      ["grpo", false],
      ["eval", false],
    ]);
    const grpoDir = (await q<{ d: string }>(db, "SELECT artefact_dir AS d FROM stages WHERE stage = 'grpo'"))[0].d;
    const starts = readFileSync(join(grpoDir, "starts.log"), "utf8").trim().split("\n");
    expect(starts[0]).toBe("1");
    expect(["5", "9"]).toContain(starts[1]); // resumed after a checkpoint, not from scratch

    expect(await q(db, "SELECT id, status FROM v_runs")).toEqual([{ id: raw.id, status: "complete" }]);
    const counts = "SELECT stage, name, count(*) AS n, count(DISTINCT step) AS d FROM v_metrics GROUP BY ALL ORDER BY ALL";
    expect(await q(db, counts)).toEqual([
      { stage: "grpo", name: "kl", n: 12, d: 12 },
      { stage: "grpo", name: "reward", n: 12, d: 12 },
      { stage: "rm", name: "rm/accuracy", n: 1, d: 1 },
      { stage: "sft", name: "loss", n: 5, d: 5 },
    ]);
    expect(await q(db, "SELECT count(*) AS n FROM grad_gram")).toEqual([{ n: 12 * 16 }]);
    expect(await q(db, "SELECT count(*) AS n FROM completions")).toEqual([{ n: 12 }]);

    // 3. an uninterrupted run of the same config elsewhere produces exactly the same rows
    const dir2 = tmp("kill-ref");
    const ref = spawnTs(RUN, [join(dir2, "s.duckdb"), join(dir2, "cache"), SLOW.replace('"delay_ms":150', '"delay_ms":0')]);
    expect((await ref.exit).code).toBe(0);
    const rows = "SELECT stage, step, name, value FROM v_metrics ORDER BY ALL";
    // delay_ms is part of the config, so the reference has another run id; compare the numbers only
    expect(await q(join(dir2, "s.duckdb"), rows)).toEqual(await q(db, rows));
  });

  it("survives kill -9 at arbitrary moments (startup, DB writes, stage boundaries) and still ends exact", async () => {
    const dir = tmp("kill2");
    const db = join(dir, "s.duckdb");
    const cache = join(dir, "cache");
    const cfg = JSON.stringify({ steps: 12, delay_ms: 40 });
    // kill times chosen to land in different phases on a loaded 2-core machine; the assertions do not depend on where
    for (const ms of [400, 900, 1300, 1700]) {
      const p = spawnTs(RUN, [db, cache, cfg]);
      await new Promise((r) => setTimeout(r, ms));
      p.child.kill("SIGKILL");
      await p.exit;
    }
    const r = spawnTs(RUN, [db, cache, cfg]);
    expect((await r.exit).code, r.stderr()).toBe(0);
    expect(await q(db, "SELECT status FROM runs")).toEqual([{ status: "complete" }]);
    expect(await q(db, "SELECT stage, name, count(*) AS n, count(DISTINCT step) AS d FROM v_metrics GROUP BY ALL ORDER BY ALL")).toEqual([
      { stage: "grpo", name: "kl", n: 12, d: 12 },
      { stage: "grpo", name: "reward", n: 12, d: 12 },
      { stage: "rm", name: "rm/accuracy", n: 1, d: 1 },
      { stage: "sft", name: "loss", n: 5, d: 5 },
    ]);
    expect(await q(db, "SELECT count(*) AS n FROM v_items")).toEqual([{ n: 6 }]);
    expect(await q(db, "SELECT count(*) AS n FROM v_completions")).toEqual([{ n: 12 }]);
    expect(await q(db, "SELECT count(*) AS n FROM stages WHERE status = 'complete'")).toEqual([{ n: 5 }]);
  });

  it("two processes running configs that share upstream stages compute them once and both complete", async () => {
    const dir = tmp("concurrent");
    const db = join(dir, "s.duckdb");
    const cache = join(dir, "cache");
    const a = spawnTs(RUN, [db, cache, JSON.stringify({ method: "sum", sft_delay_ms: 600 })]);
    const b = spawnTs(RUN, [db, cache, JSON.stringify({ method: "pcgrad", sft_delay_ms: 600 })]);
    const [ea, eb] = await Promise.all([a.exit, b.exit]);
    expect(ea.code, a.stderr()).toBe(0);
    expect(eb.code, b.stderr()).toBe(0);
    expect(a.stderr() + b.stderr()).toMatch(/sft\/\w+ is being computed by .*pid \d+.*; waiting \(up to \d+ s/);
    const sftDirs = await q<{ d: string }>(db, "SELECT DISTINCT artefact_dir AS d FROM stages WHERE stage = 'sft'");
    expect(sftDirs).toHaveLength(1);
    expect(readFileSync(join(sftDirs[0].d, "starts.log"), "utf8")).toBe("1\n"); // computed once
    expect(await q(db, "SELECT method, status FROM v_runs ORDER BY method")).toEqual([
      { method: "pcgrad", status: "complete" },
      { method: "sum", status: "complete" },
    ]);
    expect(await q(db, "SELECT count(*) AS n FROM v_metrics WHERE stage = 'sft'")).toEqual([{ n: 10 }]);
    expect(await q(db, "SELECT count(*) AS n FROM v_items")).toEqual([{ n: 6 }]);
  });
});
