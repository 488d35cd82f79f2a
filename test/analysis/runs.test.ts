import { describe, expect, it } from "vitest";
import {
  bestConfig,
  bySeed,
  capEstimate,
  controlEstimate,
  fmtControl,
  fmtEstimate,
  groupKey,
  missingScores,
  scoredUnderAny,
  withDefinition,
} from "../../src/analysis/runs.ts";
import { four, siteRuns } from "./site-runs.ts";

describe("joinRuns: the site's run model", () => {
  const runs = siteRuns([
    { id: "a", method: "pcgrad", seed: 1, params: { "grpo.beta": 0.04 }, strict: four(0.5, 0.4, 0, 0), partial: four(0.6, 0.5, 0.3, 0.2) },
    { id: "b", method: "pcgrad", seed: 2, params: { "grpo.beta": 0.04 }, strict: { knowledge: 0.7 } },
    { id: "c", method: "sum", seed: 1, params: { "data.conflict_control": true }, strict: four(1, 1, 1, 1) },
  ]);
  it("parses config values, groups seeds of one config (method first), drops conflict controls", () => {
    expect(runs.map((r) => r.id)).toEqual(["a", "b"]);
    expect(runs[0].params).toEqual({ "grpo.method": "pcgrad", seed: 1, "grpo.beta": 0.04 });
    expect(runs[0].group).toBe("grpo.method=pcgrad grpo.beta=0.04");
    expect(runs[1].group).toBe(runs[0].group);
    expect(
      siteRuns([{ id: "c", method: "sum", params: { "data.conflict_control": true } }], "strict", { conflict: true })[0].conflict,
    ).toBe(true);
  });
  it("complete = all four scores under the chosen definition; switching the definition switches scores", () => {
    expect(runs.map((r) => r.complete)).toEqual([true, false]);
    expect(runs[0].scores.instruction!.value).toBe(0);
    const partial = withDefinition(runs, "partial");
    expect(partial[0].scores.instruction!.value).toBe(0.3);
    expect(partial.map((r) => r.complete)).toEqual([true, false]);
    expect(runs.map(scoredUnderAny)).toEqual([true, false]);
    expect(() => withDefinition(runs, "loose")).toThrow(/unknown score definition/);
  });
  it("groupKey: no differing key → the method", () => {
    expect(groupKey({ seed: 3 }, "sft-only")).toBe("sft-only");
    expect(groupKey({ "a.x": "s", "grpo.method": "sum", "b.seed": 1 }, "sum")).toBe("grpo.method=sum a.x=s");
  });
  it("missingScores names each missing capability with its count", () => {
    expect(missingScores(runs)).toBe(
      "1 of 2 stored run(s) lack a score for reasoning (1), instruction (1), integration (1) — the evaluation split had no items of that capability, or the eval stage did not report it.",
    );
    expect(missingScores(runs.slice(0, 1))).toBeNull();
  });
});

describe("capEstimate", () => {
  it("two seeds: the t-interval (t_{0.975,1} = 12.706, sem = 0.1)", () => {
    const rs = siteRuns([
      { id: "a", method: "m", strict: { knowledge: 0.5 } },
      { id: "b", method: "m", seed: 1, strict: { knowledge: 0.7 } },
    ]);
    const e = capEstimate(rs, "knowledge");
    expect(e.kind).toBe("seeds");
    expect(e.mean).toBeCloseTo(0.6, 12);
    expect(e.lo).toBeCloseTo(0.6 - 1.27062, 4);
    expect(e.hi).toBeCloseTo(0.6 + 1.27062, 4);
    expect(fmtEstimate(e)).toBe("60.0 [0.0, 100.0] (2 seeds)"); // clipped to the score range [0, 100]
    expect(fmtEstimate(e, { range: [-10, 10] })).toBe("60.0 [-67.1, 187.1] (2 seeds)");
  });
  it("one seed: the run's own bootstrap CI, else none", () => {
    const [r] = siteRuns([{ id: "a", method: "m", strict: { knowledge: [0.62, 0.58, 0.66, 200], reasoning: 0.3 } }]);
    expect(capEstimate([r], "knowledge")).toEqual({ mean: 0.62, lo: 0.58, hi: 0.66, n: 1, kind: "bootstrap", items: 200 });
    expect(fmtEstimate(capEstimate([r], "knowledge"))).toBe("62.0 [58.0, 66.0] (bootstrap, n=200)");
    expect(fmtEstimate(capEstimate([r], "knowledge"), { source: false })).toBe("62.0 [58.0, 66.0]");
    expect(fmtEstimate(capEstimate([r], "reasoning"))).toBe("30.0 (no CI)");
    expect(fmtEstimate(capEstimate([r], "integration"))).toBe("—");
  });
});

describe("bestConfig: the best-of-N pick", () => {
  const runs = siteRuns([
    // config x: complete, mean 0.4 over seeds
    { id: "x1", method: "pcgrad", params: { b: 1 }, strict: four(0.4, 0.4, 0.4, 0.4) },
    { id: "x2", method: "pcgrad", seed: 1, params: { b: 1 }, strict: four(0.4, 0.4, 0.4, 0.4) },
    // config y: complete, mean 0.5 → the pick
    { id: "y1", method: "pcgrad", params: { b: 2 }, strict: four(0.8, 0.6, 0.4, 0.2) },
    // config z: higher mean but incomplete → complete configs are preferred
    { id: "z1", method: "pcgrad", params: { b: 3 }, strict: { knowledge: 0.99 } },
    { id: "s1", method: "sum", params: { b: 3 }, strict: { knowledge: 0.9 } },
  ]);
  it("prefers complete configs, then the higher mean over capabilities", () => {
    expect(bestConfig(runs, "pcgrad")!.map((r) => r.id)).toEqual(["y1"]);
    expect(
      bestConfig(
        runs.filter((r) => r.id !== "y1"),
        "pcgrad",
      )!.map((r) => r.id),
    ).toEqual(["x1", "x2"]);
  });
  it("an incomplete config when that is all there is; null for an absent method", () => {
    expect(bestConfig(runs, "sum")!.map((r) => r.id)).toEqual(["s1"]);
    expect(bestConfig(runs, "mgda")).toBeNull();
  });
});

describe("controlEstimate", () => {
  const evals = [
    { run_id: "a", capability: "knowledge", metric: "control", value: 0.25, ci_lo: 0.2, ci_hi: 0.3, n: 40 },
    { run_id: "b", capability: "knowledge", metric: "control", value: 0.35, ci_lo: 0.3, ci_hi: 0.4, n: 40 },
    { run_id: "a", capability: "knowledge", metric: "score", value: 0.9 },
  ];
  it("one run: its interval; several: the mean and the runs' range", () => {
    expect(fmtControl(controlEstimate(evals, [{ id: "a" }], "knowledge"))).toBe("25.0 [20.0, 30.0] n=40");
    expect(fmtControl(controlEstimate(evals, [{ id: "a" }, { id: "b" }], "knowledge"))).toBe("30.0 [25.0, 35.0] n=40");
    expect(controlEstimate(evals, [{ id: "a" }], "reasoning")).toBeNull();
    expect(fmtControl(controlEstimate(evals, null, "knowledge"))).toBe("—");
  });
});

describe("bySeed: per-seed lists follow the RL seeds", () => {
  it("orders by grpo.seed, else the config seed, ties by id — never by the run ids a config hash gives", () => {
    const run = (id: string, params: Record<string, unknown>, seed?: number) => ({ id, params, seed });
    const rs = [
      run("f3", { "grpo.seed": 2 }),
      run("0a", { "grpo.seed": 10 }),
      run("9c", { "grpo.seed": 0 }),
      run("11", { "grpo.seed": 1 }),
    ];
    expect(bySeed(rs).map((r) => r.id)).toEqual(["9c", "11", "f3", "0a"]);
    expect(bySeed([run("b", {}, 3), run("a", { seed: 1 }), run("c", {})]).map((r) => r.id)).toEqual(["c", "a", "b"]);
  });
});
