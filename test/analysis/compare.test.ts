import { describe, expect, it } from "vitest";
import { pairedComparison } from "../../src/analysis/compare.ts";

const rows = (run: string, vals: number[], split = "eval", family = "knowledge") =>
  vals.map((value, i) => ({ run_id: run, item_id: `i${i}`, family, split, value }));

describe("pairedComparison", () => {
  it("pairs items across seeds; a one-run side pairs with every run of the other", () => {
    const data = [
      ...rows("sft", [0, 0, 1, 1]),
      ...rows("a0", [1, 0, 1, 1]),
      ...rows("a1", [1, 1, 1, 1]),
      ...rows("a0", [1, 1, 1, 1], "control"),
    ];
    const r = pairedComparison(data, ["a0", "a1"], ["sft"], "knowledge", { iters: 500 })!;
    // differences: a0 − sft = [1,0,0,0], a1 − sft = [1,1,0,0] → mean 3/8 (control rows ignored)
    expect(r.estimate).toBeCloseTo(3 / 8);
    expect(r.n).toBe(8);
    expect(r.units).toBe(4); // resampled by item
    expect(r.mdd).toBeGreaterThan(0);
  });
  it("index-pairs two multi-seed sides; nothing comparable → null", () => {
    const data = [...rows("a0", [1, 1]), ...rows("a1", [0, 0]), ...rows("b0", [0, 1]), ...rows("b1", [0, 0])];
    expect(pairedComparison(data, ["a1", "a0"], ["b1", "b0"], "knowledge", { iters: 200 })!.estimate).toBeCloseTo(0.25);
    expect(pairedComparison(data, ["a0"], ["b0"], "reasoning")).toBeNull();
  });
});
