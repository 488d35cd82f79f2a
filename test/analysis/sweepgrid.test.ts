import { describe, it, expect } from "vitest";
import { gridCells, facetSlice, gridCoverage, axisValueLabel, type SweepSpec } from "../../src/analysis/sweepgrid.ts";
import { meanCI } from "../../src/analysis/summary.ts";

// 2 methods × 2 strategies × 3 seeds, plus a one-factor β ablation for cagrpo (uniform) with 2 seeds
const runs = [];
for (const m of ["sum", "cagrpo"])
  for (const w of ["uniform", "dynamic"])
    for (const seed of [0, 1, 2])
      runs.push({
        id: `${m}-${w}-${seed}`,
        name: `s/${m},${w},${seed}`,
        values: { "grpo.method": m, "grpo.weight_strategy": w, "grpo.beta": 0.04, seed },
      });
for (const seed of [0, 1])
  runs.push({
    id: `cagrpo-b0-${seed}`,
    name: `s/cagrpo,b0,${seed}`,
    values: { "grpo.method": "cagrpo", "grpo.weight_strategy": "uniform", "grpo.beta": 0, seed },
  });
const spec: SweepSpec = {
  name: "s",
  axes: { "grpo.method": ["sum", "cagrpo"], "grpo.weight_strategy": ["uniform", "dynamic"], "grpo.beta": [0, 0.04], seed: [0, 1, 2] },
  runs,
};

describe("sweep grid (Ablations page)", () => {
  // in the store: every sum run; cagrpo/uniform seeds 0,1; nothing of cagrpo/dynamic; β=0 seed 0
  const score = (id: string) => {
    const have = id.startsWith("sum") || id === "cagrpo-uniform-0" || id === "cagrpo-uniform-1" || id === "cagrpo-b0-0";
    return have ? { value: id.endsWith("0") ? 0.4 : id.endsWith("1") ? 0.5 : 0.6, ci_lo: 0.3, ci_hi: 0.7 } : undefined;
  };
  const cells = gridCells(spec, score);

  it("one cell per point without the seed; seeds become a t-interval; missing runs are gaps, not dropped", () => {
    expect(cells).toHaveLength(5);
    const at = (m: string, w: string, b: number) =>
      cells.find((c) => c.values["grpo.method"] === m && c.values["grpo.weight_strategy"] === w && c.values["grpo.beta"] === b)!;
    const sum = at("sum", "uniform", 0.04);
    expect(sum).toMatchObject({ expected: 3, present: 3, status: "complete", missing: [] });
    const ci = meanCI([0.4, 0.5, 0.6]);
    expect(sum.mean).toBeCloseTo(0.5);
    expect(sum.lo).toBeCloseTo(ci.lo);
    expect(sum.hi).toBeCloseTo(ci.hi);
    expect(at("cagrpo", "uniform", 0.04)).toMatchObject({ present: 2, expected: 3, status: "partial", missing: ["s/cagrpo,uniform,2"] });
    const gap = at("cagrpo", "dynamic", 0.04);
    expect(gap).toMatchObject({ present: 0, expected: 3, status: "missing" });
    expect(gap.mean).toBeNaN();
    // one seed: that run's own CI
    expect(at("cagrpo", "uniform", 0)).toMatchObject({ present: 1, mean: 0.4, lo: 0.3, hi: 0.7, status: "partial" });
    // order follows the axes' value order
    expect(cells[0].values).toEqual({ "grpo.method": "sum", "grpo.weight_strategy": "uniform", "grpo.beta": 0.04 });
  });

  it("a facet view holds the other axes at the common value (or the one chosen)", () => {
    const view = facetSlice(cells, ["grpo.method", "grpo.weight_strategy"]);
    expect(view.map((c) => c.values["grpo.beta"])).toEqual([0.04, 0.04, 0.04, 0.04]);
    expect(view.filter((c) => c.status === "missing")).toHaveLength(1); // the gap stays in the view
    const b0 = facetSlice(cells, ["grpo.method"], { "grpo.weight_strategy": "uniform", "grpo.beta": 0 });
    expect(b0.map((c) => c.key)).toEqual(["grpo.method=cagrpo,grpo.weight_strategy=uniform,grpo.beta=0"]);
  });

  it("coverage counts the expected runs present in the store", () => {
    const c = gridCoverage(spec, (id) => score(id) !== undefined);
    expect(c).toMatchObject({ expected: 14, present: 9 });
    expect(c.missing).toHaveLength(5);
    expect(axisValueLabel("sum")).toBe("sum");
    expect(axisValueLabel(0.04)).toBe("0.04");
    expect(axisValueLabel(false)).toBe("false");
  });
});
