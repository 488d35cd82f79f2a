import { describe, expect, it } from "vitest";
import {
  capabilityHypervolume,
  configPoints,
  onAxes,
  paramFilters,
  passesFilters,
  weightedRanking,
  weightedScatter,
} from "../../src/analysis/capspace.ts";
import { four, siteRuns } from "./site-runs.ts";

const runs = siteRuns([
  // A: two seeds → mean (0.6, 0.4, 0.2, 0.2), sd 0.1414 on knowledge, 0 elsewhere
  { id: "a1", method: "sum", seed: 1, params: { "grpo.w": "static" }, strict: four(0.5, 0.4, 0.2, 0.2) },
  { id: "a2", method: "sum", seed: 2, params: { "grpo.w": "static" }, strict: four(0.7, 0.4, 0.2, 0.2) },
  // B: one seed with a bootstrap CI on knowledge (half-width 0.05)
  {
    id: "b1",
    method: "pcgrad",
    seed: 1,
    params: { "grpo.w": "dynamic" },
    strict: { ...four(0.3, 0.8, 0.2, 0.2), knowledge: [0.3, 0.25, 0.35, 50] },
  },
  // C: dominated by A
  { id: "c1", method: "mgda", seed: 1, params: { "grpo.w": "static" }, strict: four(0.5, 0.3, 0.1, 0.1) },
]);

describe("configPoints: configs as points in capability space", () => {
  const pts = configPoints(runs);
  it("mean over seeds, spread = sd (several seeds) or half the bootstrap CI (one seed), 4-D front marked", () => {
    expect(pts.map((p) => [p.group, p.n, p.onFront])).toEqual([
      ["grpo.method=sum grpo.w=static", 2, true],
      ["grpo.method=pcgrad grpo.w=dynamic", 1, true],
      ["grpo.method=mgda grpo.w=static", 1, false],
    ]);
    expect(pts[0].values.knowledge).toBeCloseTo(0.6, 12);
    expect(pts[0].spread.knowledge).toBeCloseTo(Math.SQRT2 / 10, 12);
    expect(pts[0].spread.reasoning).toBe(0);
    expect(pts[1].spread.knowledge).toBeCloseTo(0.05, 12);
    expect(pts[1].spread.reasoning).toBe(0); // no CI → 0
    expect(pts[0].runIds).toEqual(["a1", "a2"]);
  });
  it("onAxes: error-bar ends and the 2-D front of the pair shown, ordered by x", () => {
    const { points, front } = onAxes(pts, "knowledge", "reasoning");
    expect(points[0]).toMatchObject({ x: 0.6, y: 0.4 });
    expect(points[0].xlo).toBeCloseTo(0.6 - Math.SQRT2 / 10, 12);
    expect(points[1]).toMatchObject({ xlo: 0.25, xhi: 0.35, ylo: 0.8, yhi: 0.8 });
    expect(front.map((p) => p.method)).toEqual(["pcgrad", "sum"]);
    // on (instruction, integration) A and B tie at (0.2, 0.2): both are on the front
    expect(
      onAxes(pts, "instruction", "integration")
        .front.map((p) => p.method)
        .sort(),
    ).toEqual(["pcgrad", "sum"]);
    expect(onAxes([], "knowledge", "reasoning")).toEqual({ points: [], front: [] });
  });
  it("hypervolume over [0, 1]^k: hand-computed on the two axes", () => {
    // union of [0,0.6]×[0,0.4] and [0,0.3]×[0,0.8] (C inside A) = 0.24 + 0.3·0.4 = 0.36
    expect(capabilityHypervolume(pts, "knowledge", "reasoning").axes).toBeCloseTo(0.36, 12);
    // 4-D: A's box 0.6·0.4·0.2·0.2 = 0.0096, B's 0.3·0.8·0.04 = 0.0096, overlap 0.3·0.4·0.04 = 0.0048
    expect(capabilityHypervolume(pts, "knowledge", "reasoning").all).toBeCloseTo(0.0144, 12);
  });
});

describe("the Pareto explorer's filters", () => {
  it("every differing key but the method and seeds, with its values; a run passes when all of them match", () => {
    expect(paramFilters(runs)).toEqual([{ key: "grpo.w", values: ["dynamic", "static"] }]);
    // only keys with a choice; the RL seed is a filter (numbers in numeric order)
    const rl = [2, 10, 1].map((s) => ({ params: { "grpo.seed": s, "grpo.beta": 0.04, "sft.seed": 0 } }));
    expect(paramFilters(rl)).toEqual([{ key: "grpo.seed", values: ["1", "2", "10"] }]);
    expect(passesFilters(runs[0], ["sum"], [1], { "grpo.w": ["static"] })).toBe(true);
    expect(passesFilters(runs[0], ["sum"], [1], { "grpo.w": ["dynamic"] })).toBe(false);
    expect(passesFilters(runs[0], ["sum"], [2], {})).toBe(false);
    expect(passesFilters(runs[0], ["pcgrad"], [1], {})).toBe(false);
  });
});

describe("weightedRanking and weightedScatter (What-if)", () => {
  it("equal weights: Σ w·score / Σ w, best first; every config with a positive weight is judged on all four", () => {
    const { ranked, active, total } = weightedRanking(runs, four(0.25, 0.25, 0.25, 0.25));
    expect(total).toBe(1);
    expect(active).toEqual([0, 1, 2, 3]);
    // B: (0.3 + 0.8 + 0.2 + 0.2)/4 = 0.375, A: (0.6 + 0.4 + 0.2 + 0.2)/4 = 0.35, C: 0.25
    expect(ranked.map((d) => [d.method, +d.score.toFixed(6), d.onFront])).toEqual([
      ["pcgrad", 0.375, true],
      ["sum", 0.35, true],
      ["mgda", 0.25, false],
    ]);
  });
  it("a weight of 0 drops that capability from the front: only knowledge left → A alone", () => {
    const { ranked, active } = weightedRanking(runs, four(1, 0, 0, 0));
    expect(active).toEqual([0]);
    expect(ranked.filter((d) => d.onFront).map((d) => d.method)).toEqual(["sum"]);
    expect(ranked[0].score).toBeCloseTo(0.6, 12);
  });
  it("all weights 0: no score, no front", () => {
    const { ranked, total } = weightedRanking(runs, four(0, 0, 0, 0));
    expect(total).toBe(0);
    expect(ranked.every((d) => Number.isNaN(d.score) && !d.onFront)).toBe(true);
  });
  it("the scatter's axes are the two heaviest weights (earlier capability on a tie)", () => {
    const w = four(0.1, 0.5, 0.2, 0.2);
    const s = weightedScatter(weightedRanking(runs, w).ranked, w);
    expect([s.x, s.y]).toEqual(["reasoning", "instruction"]);
    expect(s.points[0]).toMatchObject({ method: "pcgrad", x: 0.8, y: 0.2, xlo: 0.8, xhi: 0.8 });
    expect(s.front.map((p) => p.method)).toEqual(["pcgrad"]);
  });
});
