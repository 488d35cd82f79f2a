import { describe, expect, it } from "vitest";
import { holm, mannWhitneyGreater, mannWhitneyU, signTest } from "../../src/analysis/rank_test.ts";

describe("mannWhitneyGreater (exact one-sided rank test)", () => {
  it("disjoint samples: p = 1 / C(n+m, n) — 3 vs 3 = 0.05, 5 vs 5 = 1/252", () => {
    expect(mannWhitneyGreater([4, 5, 6], [1, 2, 3]).p).toBeCloseTo(0.05, 12);
    expect(mannWhitneyGreater([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]).p).toBeCloseTo(1 / 252, 12);
    // the other direction is the least significant possible
    expect(mannWhitneyGreater([1, 2, 3], [4, 5, 6]).p).toBe(1);
  });
  it("hand-computed with one overlap: 3 vs 3, U = 8 → 2 of 20 splits have U ≥ 8", () => {
    expect(mannWhitneyU([3, 5, 6], [1, 2, 4])).toBe(8);
    expect(mannWhitneyGreater([3, 5, 6], [1, 2, 4]).p).toBeCloseTo(0.1, 12);
  });
  it("ties count ½ and are handled exactly: identical samples give p = 1", () => {
    expect(mannWhitneyU([1, 1], [1, 1])).toBe(2);
    expect(mannWhitneyGreater([1, 1], [1, 1]).p).toBe(1);
    // [2, 2] vs [1, 2]: U = 1.5 + 1 … = 3; splits of {1,2,2,2}: x without the 1 (3 splits) has U = 1.5+... ≥ 3
    expect(mannWhitneyGreater([2, 2], [1, 2]).p).toBeCloseTo(0.5, 12);
  });
  it("bad input is one clear error", () => {
    expect(() => mannWhitneyGreater([], [1])).toThrow(/at least one/);
    expect(() => mannWhitneyGreater([NaN], [1])).toThrow(/non-finite/);
    expect(() => mannWhitneyGreater(Array(20).fill(1), Array(20).fill(0))).toThrow(/exact test/);
  });
});

describe("holm", () => {
  it("step-down, monotone, capped at 1, in the input's order", () => {
    expect(holm([0.01, 0.04, 0.03])).toEqual([0.03, 0.06, 0.06]);
    expect(holm([0.5, 0.9])).toEqual([1, 1]);
    expect(holm([0.004])).toEqual([0.004]);
    expect(holm([])).toEqual([]);
  });
});

describe("signTest (exact, two-sided)", () => {
  it("hand-computed", () => {
    expect(signTest(5, 10)).toBe(1);
    expect(signTest(0, 5)).toBeCloseTo(2 / 32, 12);
    expect(signTest(10, 12)).toBeCloseTo((2 * (1 + 12 + 66)) / 4096, 12);
    expect(signTest(0, 0)).toBe(1);
    expect(() => signTest(3, 2)).toThrow(/0 ≤ k ≤ n/);
  });
});
