import { describe, expect, it } from "vitest";
import { conflictControl, conflictOutcomes, outcomeShift } from "../../src/analysis/conflict.ts";
import { byMethodOrder } from "../../src/analysis/labels.ts";

const run = (method: string, a: number, b: number, i = 0) => ({ run: `${method}-s${i}`, method, a, b });

describe("conflictOutcomes", () => {
  it("summarises each slot and the worse of the two over a method's seeds (hand-computed)", () => {
    const s = conflictOutcomes([run("sum", 0.4, 0.0, 0), run("sum", 0.5, 0.1, 1), run("pcgrad", 0.2, 0.5, 0), run("pcgrad", 0.3, 0.4, 1)]);
    expect(s.map((x) => x.method)).toEqual(["sum", "pcgrad"]);
    expect(s[0].seeds).toBe(2);
    expect(s[0].a.mean).toBeCloseTo(0.45, 12);
    expect(s[0].b).toEqual({ mean: 0.05, min: 0, max: 0.1 });
    expect(s[0].worst).toEqual({ mean: 0.05, min: 0, max: 0.1 });
    expect(s[1].worst.min).toBeCloseTo(0.2, 12);
    expect(s[1].worst.max).toBeCloseTo(0.3, 12);
  });

  it("skips runs without both slot scores", () => {
    expect(conflictOutcomes([run("sum", NaN, 0.3), run("sum", 0.2, 0.3)])[0].seeds).toBe(1);
  });
});

describe("outcomeShift", () => {
  const [sum, pcgrad] = conflictOutcomes([
    run("sum", 0.4, 0.0, 0),
    run("sum", 0.5, 0.1, 1),
    run("pcgrad", 0.2, 0.5, 0),
    run("pcgrad", 0.3, 0.4, 1),
  ]);
  it("is +1 / −1 only when the seed ranges are disjoint", () => {
    expect(outcomeShift(sum, pcgrad, "worst")).toBe(1);
    expect(outcomeShift(pcgrad, sum, "worst")).toBe(-1);
    expect(outcomeShift(sum, pcgrad, "a")).toBe(-1);
    expect(outcomeShift(sum, pcgrad, "b")).toBe(1);
  });
  it("is 0 when the ranges overlap: a difference inside the seeds' spread is no change", () => {
    const [x, y] = conflictOutcomes([run("x", 0.1, 0.2, 0), run("x", 0.1, 0.6, 1), run("y", 0.5, 0.3, 0), run("y", 0.5, 0.9, 1)]);
    expect(outcomeShift(x, y, "b")).toBe(0);
    expect(outcomeShift(x, x, "worst")).toBe(0);
  });
});

describe("conflictControl (the Orthogonality page's tables)", () => {
  const site = (id: string, method: string, up: number, low: number, conflict = true) => ({
    id,
    name: id,
    method,
    conflict,
    scores: { instruction: { value: up }, integration: { value: low } },
  });
  const ev = (run_id: string, family: string, value: number) => ({ run_id, family, metric: "sampled", value });
  it("uses the sampled slot scores where a run has them, the greedy headline otherwise, and keeps SFT-only as the start", () => {
    const runs = [
      site("c-sum-0", "sum", 1, 0),
      site("c-sum-1", "sum", 1, 0),
      site("c-pc-0", "pcgrad", 0, 1),
      site("c-pc-1", "pcgrad", 0, 1),
      site("c-sft", "sft-only", 0, 1),
      site("other", "sum", 1, 1, false),
      site("old", "cagrpo", 0.4, 0.6),
    ];
    const evals = [
      ev("c-sum-0", "instruction", 0.6),
      ev("c-sum-0", "integration", 0.02),
      ev("c-sum-1", "instruction", 0.8),
      ev("c-sum-1", "integration", 0.05),
      ev("c-pc-0", "instruction", 0.4),
      ev("c-pc-0", "integration", 0.2),
      ev("c-pc-1", "instruction", 0.3),
      ev("c-pc-1", "integration", 0.25),
      ev("c-sft", "instruction", 0.1),
      ev("c-sft", "integration", 0.22),
      { run_id: "c-pc-0", family: "integration", metric: "score", value: 1 },
    ];
    const { rows, perMethod } = conflictControl(runs, evals, byMethodOrder);
    expect(rows.map((r) => r.run)).toEqual(["c-sft", "c-sum-0", "c-sum-1", "c-pc-0", "c-pc-1", "old"]);
    expect(rows.find((r) => r.run === "c-pc-0")).toMatchObject({
      "capitals (instruction)": 0.4,
      "lower case (integration)": 0.2,
      worst: 0.2,
      measure: "sampled",
    });
    expect(rows.find((r) => r.run === "old")).toMatchObject({ worst: 0.4, measure: "greedy" });
    const by = Object.fromEntries(perMethod.map((m) => [m.method, m]));
    expect(by.sum["lower case: max"]).toBeCloseTo(0.05, 12);
    expect(by.pcgrad["lower case: min"]).toBeCloseTo(0.2, 12);
    expect(by.pcgrad["lower case vs reference"]).toBe("above every seed");
    expect(by.sum["lower case vs reference"]).toBe("");
    expect(by["sft-only"]["lower case vs reference"]).toBe("");
    expect(by.cagrpo["lower case vs reference"]).toBe("above every seed"); // 0.6 (one greedy run) > 0.05
  });
  it("says 'inside the spread' when the ranges overlap, and nothing without the reference method", () => {
    const runs = [site("s0", "sum", 0, 0), site("s1", "sum", 0, 0), site("p0", "pcgrad", 0, 0)];
    const evals = [
      ev("s0", "instruction", 0.5),
      ev("s0", "integration", 0.1),
      ev("s1", "instruction", 0.5),
      ev("s1", "integration", 0.3),
      ev("p0", "instruction", 0.5),
      ev("p0", "integration", 0.2),
    ];
    expect(conflictControl(runs, evals, byMethodOrder).perMethod.find((m) => m.method === "pcgrad")!["lower case vs reference"]).toBe(
      "inside the spread",
    );
    expect(conflictControl(runs.slice(2), evals, byMethodOrder).perMethod[0]["lower case vs reference"]).toBe("");
  });
});
