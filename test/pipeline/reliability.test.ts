/**
 * Issue 19's "must show" checks on the real pipeline (ci config):
 *  - two processes in separate PID namespaces (`unshare --pid --fork --mount-proc`: both are pid 1 in their own
 *    namespace, as two pods or two Slurm nodes would look to each other) on one shared --cache: every stage is
 *    computed once, and neither store holds duplicate (stage, step, name) metric rows;
 *  - a cached SFT checkpoint overwritten with same-size bytes (random, then all 0xFF) is named and recomputed;
 *  - a run killed mid-SFT and resumed merges cleanly (`bbio merge`) with an uninterrupted copy of it.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bbio, q, ROOT, spawnTs, tmp } from "../store/helpers.ts";

const canUnshare =
  process.getuid?.() === 0 && spawnSync("unshare", ["--pid", "--fork", "--mount-proc", "true"]).status === 0
    ? null
    : "needs root and unshare --pid (run as root)";

const STAGES = ["generate", "sft", "rm", "grpo", "baseline", "eval"];

describe.skipIf(canUnshare !== null)(`shared stage cache across PID namespaces${canUnshare ? ` (skipped: ${canUnshare})` : ""}`, () => {
  const dir = tmp("pidns");
  const cache = join(dir, "cache");

  it("two runs in separate PID namespaces compute each stage once; no duplicate metric rows", async () => {
    const run = (db: string) =>
      new Promise<{ code: number | null; err: string }>((res) => {
        const c = spawn(
          "unshare",
          ["--pid", "--fork", "--mount-proc", process.execPath, "bin/bbio.mjs", "run", "ci", "--db", db, "--cache", cache],
          {
            cwd: ROOT,
            env: { ...process.env, BBIO_LOCK_LEASE_S: "20" },
            stdio: ["ignore", "pipe", "pipe"],
          },
        );
        let err = "";
        c.stderr.on("data", (d) => (err += d));
        c.on("exit", (code) => res({ code, err }));
      });
    const a = join(dir, "a.duckdb"),
      b = join(dir, "b.duckdb");
    const [ra, rb] = await Promise.all([run(a), run(b)]);
    expect(ra.code, ra.err).toBe(0);
    expect(rb.code, rb.err).toBe(0);
    const both = ra.err + rb.err;
    for (const stage of STAGES) {
      const computed = both.split("\n").filter((l) => new RegExp(`\\[\\d+/\\d+ ${stage}\\] computing → `).test(l));
      if (both.includes(`${stage}]`)) expect(computed, `${stage} computed once\n${both}`).toHaveLength(1);
    }
    for (const db of [a, b]) {
      expect(await q(db, "SELECT stage, step, name, count(*) AS n FROM metrics GROUP BY ALL HAVING count(*) > 1")).toEqual([]);
      expect(await q(db, "SELECT status FROM runs")).toEqual([{ status: "complete" }]);
    }
  }, 900_000);

  it("a cached SFT weights.bin overwritten with same-size bytes (random, then 0xFF) is named and recomputed", async () => {
    const sftDir = readdirSync(join(cache, "sft")).filter((d) => !d.includes("corrupt"))[0];
    const weights = join(cache, "sft", sftDir, "checkpoint", "weights.bin");
    const good = readFileSync(weights);
    for (const [label, bytes] of [
      ["random", randomBytes(good.length)],
      ["0xFF", Buffer.alloc(good.length, 0xff)],
    ] as const) {
      writeFileSync(weights, bytes);
      expect(statSync(weights).size).toBe(good.length);
      const r = await bbio(["train-sft", "ci", "--db", join(dir, `corrupt-${label}.duckdb`), "--cache", cache]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(
        /warning: cached artefact .*checkpoint\/weights\.bin does not match the sha256 recorded when it was cached \(its bytes changed\); recomputing the sft stage/,
      );
      expect(r.stderr).toMatch(/\[2\/\d sft\] computing → /);
      expect(readFileSync(weights).equals(good), `${label}: recomputed to the same weights`).toBe(true);
    }
  }, 900_000);
});

describe("resume mid-SFT", () => {
  it("a run killed mid-SFT and resumed merges cleanly with its uninterrupted copy", async () => {
    const dir = tmp("resume-merge");
    const sets = ["--sft-only", "--set", "sft.max_steps=36", "--set", "sft.save_every=6", "--set", "sft.log_every=4"];
    const resumed = join(dir, "resumed.duckdb"),
      cacheR = join(dir, "cache-r");
    // kill -9 once the step-6 checkpoint exists (the run then resumes from step 6, mid-way between two log steps)
    const p = spawnTs("bin/bbio.mjs", ["run", "ci", ...sets, "--db", resumed, "--cache", cacheR]);
    const state = () => {
      const sft = join(cacheR, "sft");
      if (!existsSync(sft)) return 0;
      for (const d of readdirSync(sft)) {
        const f = join(sft, d, "checkpoint", "state.json");
        try {
          return JSON.parse(readFileSync(f, "utf8")).step as number;
        } catch {}
      }
      return 0;
    };
    let exited = false;
    p.exit.then(() => (exited = true));
    while (!exited && state() < 6) await new Promise((r) => setTimeout(r, 25));
    p.child.kill("SIGKILL");
    const ex = await p.exit;
    expect(ex.signal, "killed mid-SFT, not finished").toBe("SIGKILL");
    const r2 = await bbio(["run", "ci", ...sets, "--db", resumed, "--cache", cacheR]);
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stderr).toMatch(/resuming/);

    const whole = join(dir, "whole.duckdb");
    const r3 = await bbio(["run", "ci", ...sets, "--db", whole, "--cache", join(dir, "cache-w")]);
    expect(r3.code, r3.stderr).toBe(0);
    const m = await bbio(["merge", resumed, whole, "--db", join(dir, "main.duckdb")]);
    expect(m.code, m.stderr).toBe(0);
    expect(await q(join(dir, "main.duckdb"), "SELECT count(*) AS n FROM v_runs")).toEqual([{ n: 1 }]);
    const pad = "SELECT step, value FROM metrics WHERE name = 'train/padding_share' ORDER BY step";
    expect(await q(resumed, pad)).toEqual(await q(whole, pad));
  }, 900_000);
});
