import { describe, expect, it } from "vitest";
import { conflictControl, conflictOutcomes, conflictStory, conflictWording, outcomeShift } from "../../src/analysis/conflict.ts";
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
  const ev = (run_id: string, capability: string, value: number) => ({ run_id, capability, metric: "sampled", value });
  const five = (method: string, ups: number[], lows: number[]) =>
    ups.map(
      (up, k) =>
        [
          site(`c-${method}-${k}`, method, 0, 0),
          ev(`c-${method}-${k}`, "instruction", up),
          ev(`c-${method}-${k}`, "integration", lows[k]),
        ] as const,
    );
  const build = (...groups: (readonly [ReturnType<typeof site>, ReturnType<typeof ev>, ReturnType<typeof ev>])[][]) => ({
    runs: groups.flat().map((g) => g[0]),
    evals: groups.flat().flatMap((g) => [g[1], g[2]]),
  });
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
      { run_id: "c-pc-0", capability: "integration", metric: "score", value: 1 },
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
    expect(by.pcgrad["lower case: seeds"]).toBe("0.20 / 0.25");
    // 2 vs 2 disjoint seeds: p = 1/C(4,2) = 1/6; Holm over pcgrad and cagrpo (1 vs 2: p = 1/3) → 1/3 and 1/3
    expect(by.pcgrad.p).toBeCloseTo(1 / 6, 12);
    expect(by.pcgrad["p (Holm)"]).toBeCloseTo(1 / 3, 12);
    expect(by.cagrpo.p).toBeCloseTo(1 / 3, 12);
    // disjoint ranges are not enough with 2 seeds: undecided, never "above every seed"
    expect(by.pcgrad["lower case vs reference"]).toBe("undecided at 2 seeds");
    expect(by.cagrpo["lower case vs reference"]).toBe("undecided at 1 seed");
    expect(by.sum["lower case vs reference"]).toBe("");
    expect(Number.isNaN(by.sum.p)).toBe(true);
    expect(by["sft-only"]["lower case vs reference"]).toBe("");
  });
  it("5 vs 5 disjoint seeds: p = 1/252, Holm over the methods compared, 'above every seed' only below 0.05 after correction", () => {
    const sum = five("sum", [0.6, 0.7, 0.8, 0.6, 0.7], [0.01, 0.02, 0.04, 0.03, 0.05]);
    const pc = five("pcgrad", [0.4, 0.5, 0.4, 0.5, 0.4], [0.2, 0.21, 0.24, 0.22, 0.23]);
    // cagrpo overlaps sum at one seed: U = 24 of 25, p = 2/252
    const ca = five("cagrpo", [0.5, 0.5, 0.5, 0.5, 0.5], [0.045, 0.1, 0.12, 0.15, 0.18]);
    // mgda sits inside sum's spread
    const mg = five("mgda", [0.7, 0.7, 0.7, 0.7, 0.7], [0.02, 0.03, 0.015, 0.045, 0.035]);
    const { runs, evals } = build(sum, pc, ca, mg);
    const by = Object.fromEntries(conflictControl(runs, evals, byMethodOrder).perMethod.map((m) => [m.method, m]));
    expect(by.pcgrad.p).toBeCloseTo(1 / 252, 12);
    expect(by.cagrpo.p).toBeCloseTo(2 / 252, 12);
    // Holm over 3: pcgrad 3/252, cagrpo max(3/252, 2·2/252) = 4/252, mgda its own p × 1
    expect(by.pcgrad["p (Holm)"]).toBeCloseTo(3 / 252, 12);
    expect(by.cagrpo["p (Holm)"]).toBeCloseTo(4 / 252, 12);
    expect(by.pcgrad["lower case vs reference"]).toBe("above every seed");
    expect(by.cagrpo["lower case vs reference"]).toBe("above (rank test)");
    expect(by.mgda["lower case vs reference"]).toBe("undecided at 5 seeds");
    expect(by.mgda["p (Holm)"]).toBeGreaterThan(0.05);
  });
  it("3 vs 3 disjoint seeds are p = 0.05: not 'above every seed' (the bar is p < 0.05)", () => {
    const { runs, evals } = build(five("sum", [0.6, 0.6, 0.6], [0.01, 0.02, 0.03]), five("pcgrad", [0.4, 0.4, 0.4], [0.2, 0.21, 0.22]));
    const pc = conflictControl(runs, evals, byMethodOrder).perMethod.find((m) => m.method === "pcgrad")!;
    expect(pc.p).toBeCloseTo(0.05, 12);
    expect(pc["lower case vs reference"]).toBe("undecided at 3 seeds");
  });
  it("conflictWording", () => {
    expect(conflictWording(1, 0.004, 5)).toBe("above every seed");
    expect(conflictWording(0, 0.01, 5)).toBe("above (rank test)");
    expect(conflictWording(1, 0.05, 3)).toBe("undecided at 3 seeds");
    expect(conflictWording(-1, 1, 3)).toBe("below every seed");
  });
  it("conflictStory reads the store: collapse, rise or neither, and the methods the rank test puts above plain GRPO", () => {
    const sft = five("sft-only", [0.11], [0.22]);
    const sum = five("sum", [0.6, 0.7, 0.8, 0.6, 0.7], [0.01, 0.02, 0.04, 0.03, 0.05]);
    const pc = five("pcgrad", [0.4, 0.5, 0.4, 0.5, 0.4], [0.2, 0.21, 0.24, 0.22, 0.23]);
    const story = (...g: Parameters<typeof build>) => {
      const { runs, evals } = build(...g);
      return conflictStory(conflictControl(runs, evals, byMethodOrder).perMethod);
    };
    const s = story(sft, sum, pc);
    expect(s).toContain("falls below its SFT-only start (0.22) in every one of 5 seed(s) (0.01–0.05)");
    expect(s).toContain("pcgrad (p = 0.004)");
    // plain GRPO that keeps lower case: no collapse is claimed, and no method is above it
    const kept = story(sft, five("sum", [0.6, 0.7, 0.8], [0.3, 0.1, 0.25]), five("pcgrad", [0.4, 0.5, 0.4], [0.2, 0.21, 0.24]));
    expect(kept).not.toContain("falls below");
    expect(kept).toContain("on both sides of its SFT-only start");
    expect(kept).toContain("No method's lower case is above plain GRPO's");
    expect(story(sft, pc)).toMatch(/No plain-GRPO/);
  });
  it("says 'undecided' when the ranges overlap, and nothing without the reference method", () => {
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
      "undecided at 1 seed",
    );
    expect(conflictControl(runs.slice(2), evals, byMethodOrder).perMethod[0]["lower case vs reference"]).toBe("");
  });
});
