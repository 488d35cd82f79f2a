/**
 * End-to-end on the REAL stages (generate → sft → rm → grpo → eval) with the ci config: the CI-sized suite through
 * the `bbio` bin with two parallel processes, then the store is checked the way pages read it.
 */
import { describe, it, expect, beforeAll } from "vitest";
import { join } from "node:path";
import { queryStore } from "../../src/store/query.ts";
import { bbio, tmp } from "../store/helpers.ts";

const dir = tmp("e2e");
const db = join(dir, "e2e.duckdb"),
  cache = join(dir, "cache");
const q = async (sql: string) => (await queryStore(db, sql, { quiet: true })).rows as Record<string, unknown>[];
let first: Awaited<ReturnType<typeof bbio>>;

beforeAll(async () => {
  first = await bbio(["suite", "ci", "--jobs", "2", "--db", db, "--cache", cache]);
}, 300_000);

describe("bbio suite ci (real pipeline, tiny model)", () => {
  it("completes every run with provenance", async () => {
    expect(first.code, first.stderr).toBe(0);
    const runs = await q("SELECT name, method, status, backend, git_commit, data_hash FROM v_runs ORDER BY name");
    expect(runs.map((r) => r.name)).toEqual(["ci-grpo-cagrpo", "ci-grpo-mgda", "ci-grpo-pcgrad", "ci-grpo-sum", "ci-sft-only"]);
    expect(new Set(runs.map((r) => r.method))).toEqual(new Set(["cagrpo", "mgda", "pcgrad", "sum", "sft-only"]));
    for (const r of runs) {
      expect(r.status).toBe("complete");
      expect(r.backend).toMatch(/native|wasm|cpu|tensorflow/);
      expect(String(r.git_commit)).toMatch(/^[0-9a-f]{7,}/);
    }
    expect(new Set(runs.map((r) => r.data_hash)).size).toBe(1); // one generated dataset shared by all
  });

  it("shares upstream stages: generate/sft computed once, rm once for the four GRPO runs", async () => {
    const s = await q(
      "SELECT stage, count(*) AS runs, count(DISTINCT input_hash) AS hashes, sum(CASE WHEN reused THEN 0 ELSE 1 END) AS computed FROM v_stages GROUP BY stage ORDER BY stage",
    );
    const by = Object.fromEntries(s.map((r) => [r.stage, r]));
    expect(Number(by.generate.hashes)).toBe(1);
    expect(Number(by.sft.hashes)).toBe(1);
    expect(Number(by.rm.hashes)).toBe(1);
    expect(Number(by.rm.runs)).toBe(4);
    expect(Number(by.grpo.hashes)).toBe(4);
    expect(Number(by.sft.computed)).toBe(1);
    // the untrained-model baseline is computed once and joins every run
    expect(Number(by.baseline.hashes)).toBe(1);
    expect(Number(by.baseline.runs)).toBe(5);
    expect(Number(by.baseline.computed)).toBe(1);
    const b = await q("SELECT run_id, count(*) AS n FROM v_evals WHERE metric = 'baseline/untrained' GROUP BY run_id");
    expect(b).toHaveLength(5);
    for (const r of b) expect(Number(r.n)).toBe(4);
  });

  it("stores evals per capability, the Gram per GRPO step, weights, completions, items, rejects and pairs", async () => {
    const ev = await q(
      "SELECT r.name, count(DISTINCT e.capability) AS capabilities FROM v_evals e JOIN v_runs r ON r.id = e.run_id WHERE e.metric = 'score' GROUP BY r.name",
    );
    expect(ev).toHaveLength(5);
    for (const r of ev) expect(Number(r.capabilities)).toBe(4);
    const gram = await q("SELECT run_id, count(*) AS n FROM v_grad_gram GROUP BY run_id");
    expect(gram).toHaveLength(4);
    for (const g of gram) expect(Number(g.n)).toBe(2 * 16); // 2 steps × 4×4 capabilities
    const w = await q("SELECT run_id, step, sum(w) AS s FROM v_weights GROUP BY run_id, step");
    for (const r of w) expect(Number(r.s)).toBeCloseTo(1, 6);
    const m = await q("SELECT DISTINCT name FROM v_metrics WHERE stage = 'grpo'");
    const names = new Set(m.map((r) => r.name));
    for (const n of [
      "reward",
      "reward_std",
      "kl",
      "rewards/knowledge/mean",
      "rewards/reasoning/rule",
      "rewards/instruction/model",
      "clip_ratio/region_mean",
      "frac_reward_zero_std",
      "entropy",
    ])
      expect(names.has(n), n).toBe(true);
    expect(Number((await q("SELECT count(*) AS n FROM v_completions"))[0].n)).toBeGreaterThan(0);
    // the ci config's gene world: every split of every capability, and the control scored beside each headline
    const splits = await q("SELECT capability, split, count(*) AS n FROM v_items GROUP BY ALL ORDER BY ALL");
    expect(splits.map((r) => `${r.capability}/${r.split}`)).toEqual(
      ["instruction", "integration", "knowledge", "reasoning"].flatMap((f) => ["control", "eval", "train"].map((s) => `${f}/${s}`)),
    );
    const control = await q("SELECT run_id, count(*) AS n FROM v_evals WHERE metric = 'control' GROUP BY run_id");
    expect(control).toHaveLength(5);
    for (const r of control) expect(Number(r.n)).toBe(4);
    expect(Number((await q("SELECT count(*) AS n FROM v_pairs"))[0].n)).toBeGreaterThan(0);
  });

  it("a rerun of the suite computes nothing and duplicates no rows", async () => {
    const before = await q("SELECT count(*) AS n FROM v_metrics");
    // the same --jobs: it sets each process's thread count, which is part of the float identity in every training
    // stage's cache key (src/model/float.ts) — another count sums in another order, so it would recompute
    const again = await bbio(["suite", "ci", "--jobs", "2", "--db", db, "--cache", cache]);
    expect(again.code, again.stderr).toBe(0);
    expect(
      again.stdout
        .trim()
        .split("\n")
        .every((l) => l.endsWith("already-complete")),
    ).toBe(true);
    expect(await q("SELECT count(*) AS n FROM v_metrics")).toEqual(before);
  }, 120_000);
});
