import { describe, expect, it } from "vitest";
import { bootstrapCI, mean, pairedBootstrapCI, quantileSorted } from "../../src/analysis/bootstrap.ts";
import { rollingMean, smooth } from "../../src/analysis/smoothing.ts";
import { deltaM } from "../../src/analysis/deltaM.ts";
import { groupSummary, summarize } from "../../src/analysis/summary.ts";
import { pairStats } from "../../src/analysis/orthogonality.ts";

describe("smoothing", () => {
  it("TensorBoard debiased EMA on a hand series", () => {
    // w = .5: last = .5 → 1/.5 = 1 ; last = .25 + 1 = 1.25 → /.75 ; last = .625 + 1.5 = 2.125 → /.875
    const s = smooth([1, 2, 3], 0.5);
    expect(s[0]).toBeCloseTo(1, 12);
    expect(s[1]).toBeCloseTo(1.25 / 0.75, 12);
    expect(s[2]).toBeCloseTo(2.125 / 0.875, 12);
    expect(smooth([1, 2, 3], 0)).toEqual([1, 2, 3]);
    expect(smooth([4, 4, 4], 0.9)).toEqual([4, 4, 4]);
    const withNaN = smooth([1, NaN, 3], 0.5);
    expect(withNaN[1]).toBeNaN();
    expect(withNaN[2]).toBeCloseTo((0.25 + 1.5) / 0.75, 12); // NaN skipped, counted values n = 2
    expect(() => smooth([1], 1)).toThrow();
  });
  it("rolling mean with partial windows", () => {
    expect(rollingMean([1, 2, 3, 4], 2)).toEqual([1, 1.5, 2.5, 3.5]);
    expect(rollingMean([1, 2, 3], 5)).toEqual([1, 1.5, 2]);
  });
});

describe("bootstrap", () => {
  const xs = [0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 0, 1, 1];
  it("CI contains the mean, is deterministic per seed, and varies with the seed", () => {
    const a = bootstrapCI(xs, { seed: 1 }), b = bootstrapCI(xs, { seed: 1 }), c = bootstrapCI(xs, { seed: 2 });
    expect(a.estimate).toBe(mean(xs));
    expect(a.lo).toBeLessThanOrEqual(a.estimate);
    expect(a.hi).toBeGreaterThanOrEqual(a.estimate);
    expect(a).toEqual(b);
    const ys = xs.map((x, i) => x + ((i * 7) % 11) / 10); // continuous values: quantiles move with the seed
    expect(bootstrapCI(ys, { seed: 2 }).lo).not.toBe(bootstrapCI(ys, { seed: 1 }).lo);
    void c;
    expect(a.resamples).toBe(1000);
    // binomial p = .7, n = 20: normal-approx 95% half-width ≈ 0.2; the percentile CI should be close to that
    expect(a.hi - a.lo).toBeGreaterThan(0.3);
    expect(a.hi - a.lo).toBeLessThan(0.5);
  });
  it("degenerate samples and type-7 quantiles", () => {
    expect(bootstrapCI([0.5, 0.5, 0.5])).toMatchObject({ lo: 0.5, hi: 0.5 });
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(() => bootstrapCI([])).toThrow();
  });
  it("paired difference CI", () => {
    const a = [1, 1, 1, 0, 1, 1, 1, 1, 0, 1], b = [0, 1, 0, 0, 1, 0, 1, 0, 0, 1];
    const ci = pairedBootstrapCI(a, b, { seed: 3 });
    expect(ci.estimate).toBeCloseTo(0.4, 12);
    expect(ci.lo).toBeGreaterThan(0); // clearly better on the same items
    expect(() => pairedBootstrapCI([1], [1, 2])).toThrow(/equal/);
  });
});

describe("Δm% (Maninis et al. 2019)", () => {
  it("higher-is-better default and the lower-is-better sign flip", () => {
    expect(deltaM([0.6, 0.5], [0.5, 0.5]).deltaM).toBeCloseTo(10, 12);
    expect(deltaM([0.4, 0.5], [0.5, 0.5]).deltaM).toBeCloseTo(-10, 12);
    // a loss that went down from .5 to .4 is a +20% improvement
    expect(deltaM([0.4], [0.5], [true]).deltaM).toBeCloseTo(20, 12);
    expect(deltaM([0.6, 0.4], [0.5, 0.5], [false, true]).perTask).toEqual([expect.closeTo(20, 12), expect.closeTo(20, 12)]);
    expect(() => deltaM([1], [0])).toThrow(/baseline/);
  });
});

describe("summaries", () => {
  it("mean, sample sd, median; groups by config", () => {
    const s = summarize([1, 2, 3, 4]);
    expect(s).toMatchObject({ n: 4, mean: 2.5, median: 2.5, min: 1, max: 4 });
    expect(s.sd).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(summarize([7])).toMatchObject({ n: 1, sd: 0 });
    const g = groupSummary(
      [{ m: "sum", acc: 0.5 }, { m: "mgda", acc: 0.7 }, { m: "sum", acc: 0.7 }],
      (r) => r.m,
      { acc: (r) => r.acc },
    );
    expect(g.map((x) => [x.key, x.n, x.stats.acc.mean])).toEqual([["sum", 2, 0.6], ["mgda", 1, 0.7]]);
  });
  it("gradient-cosine pair statistics (conflict ratio)", () => {
    const rows = [
      { step: 0, cap_i: "k", cap_j: "r", cos: -0.2 },
      { step: 1, cap_i: "r", cap_j: "k", cos: 0.4 },
      { step: 1, cap_i: "k", cap_j: "k", cos: 1 },
    ];
    expect(pairStats(rows)).toEqual([{ cap_i: "k", cap_j: "r", steps: 2, meanCos: expect.closeTo(0.1, 12), meanAbsCos: expect.closeTo(0.3, 12), conflictRatio: 0.5 }]);
  });
});
