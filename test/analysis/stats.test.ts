import { describe, expect, it } from "vitest";
import { bootstrapCI, pairedBootstrapCI, quantileSorted } from "../../src/analysis/bootstrap.ts";
import { mean } from "../../src/util/stats.ts";
import { rollingMean, smooth } from "../../src/analysis/smoothing.ts";
import { deltaM } from "../../src/analysis/deltaM.ts";
import { differenceCI, groupSummary, meanCI, summarize, tQuantile } from "../../src/analysis/summary.ts";
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
    const a = bootstrapCI(xs, { seed: 1 }),
      b = bootstrapCI(xs, { seed: 1 }),
      c = bootstrapCI(xs, { seed: 2 });
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
    const a = [1, 1, 1, 0, 1, 1, 1, 1, 0, 1],
      b = [0, 1, 0, 0, 1, 0, 1, 0, 0, 1];
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
      [
        { m: "sum", acc: 0.5 },
        { m: "mgda", acc: 0.7 },
        { m: "sum", acc: 0.7 },
      ],
      (r) => r.m,
      { acc: (r) => r.acc },
    );
    expect(g.map((x) => [x.key, x.n, x.stats.acc.mean])).toEqual([
      ["sum", 2, 0.6],
      ["mgda", 1, 0.7],
    ]);
  });
  it("gradient-cosine pair statistics (conflict ratio)", () => {
    const rows = [
      { step: 0, capability_i: "k", capability_j: "r", cos: -0.2 },
      { step: 1, capability_i: "r", capability_j: "k", cos: 0.4 },
      { step: 1, capability_i: "k", capability_j: "k", cos: 1 },
    ];
    expect(pairStats(rows)).toEqual([
      {
        capability_i: "k",
        capability_j: "r",
        steps: 2,
        meanCos: expect.closeTo(0.1, 12),
        meanAbsCos: expect.closeTo(0.3, 12),
        conflictRatio: 0.5,
        negative: 1,
        positive: 1,
      },
    ]);
  });
});

describe("t-intervals over seeds", () => {
  it("Student t quantiles match the tables", () => {
    // two-sided 95%: t_{.975, df}
    const table: [number, number][] = [
      [1, 12.7062],
      [2, 4.3027],
      [3, 3.1824],
      [4, 2.7764],
      [5, 2.5706],
      [10, 2.2281],
      [30, 2.0423],
      [100, 1.984],
    ];
    for (const [df, t] of table) expect(tQuantile(0.975, df)).toBeCloseTo(t, 3);
    expect(tQuantile(0.95, 10)).toBeCloseTo(1.8125, 3);
    expect(tQuantile(0.025, 4)).toBeCloseTo(-2.7764, 3);
    expect(tQuantile(0.975, 1e7)).toBeCloseTo(1.95996, 4);
    expect(() => tQuantile(1, 3)).toThrow();
  });
  it("mean CI: t-interval with n − 1 df; no interval from one seed", () => {
    const ci = meanCI([1, 2, 3, 4]);
    const h = (3.182446305 * Math.sqrt(5 / 3)) / 2;
    expect(ci.mean).toBe(2.5);
    expect(ci.lo).toBeCloseTo(2.5 - h, 6);
    expect(ci.hi).toBeCloseTo(2.5 + h, 6);
    const one = meanCI([0.4]);
    expect(one.mean).toBe(0.4);
    expect(one.lo).toBeNaN();
  });
  it("difference of two estimates combines half-widths in quadrature", () => {
    const d = differenceCI({ mean: 0.5, lo: 0.47, hi: 0.53, n: 1 }, { mean: 0.4, lo: 0.36, hi: 0.44, n: 1 });
    expect(d.diff).toBeCloseTo(0.1, 12);
    expect(d.lo).toBeCloseTo(0.1 - 0.05, 12); // hypot(.03, .04)
    expect(d.hi).toBeCloseTo(0.1 + 0.05, 12);
    expect(differenceCI({ mean: 1, lo: NaN, hi: NaN, n: 1 }, { mean: 0, lo: -1, hi: 1, n: 1 }).lo).toBeNaN();
  });
});
