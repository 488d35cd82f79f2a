import { describe, expect, it } from "vitest";
import { hypervolumePerSeed } from "../../src/analysis/hypervolume_seeds.ts";

describe("hypervolumePerSeed", () => {
  const seeds = [
    { seed: 1, points: [[0.5, 0.4]] },
    { seed: 2, points: [[0.6, 0.5]] },
    {
      seed: 3,
      points: [
        [0.2, 0.9],
        [0.8, 0.1],
      ],
    }, // 0.2·0.9 + 0.6·0.1
  ];
  it("one HV per seed (hand-computed boxes), a bootstrap interval of their mean", () => {
    const r = hypervolumePerSeed(seeds, [0, 0], { resamples: 4000, seed: 1 });
    expect(r.perSeed.map((s) => s.seed)).toEqual([1, 2, 3]);
    expect(r.perSeed.map((s) => s.hv)).toEqual([0.2, 0.3, 0.24].map((x) => expect.closeTo(x, 12)));
    expect(r.ci.estimate).toBeCloseTo(0.74 / 3, 12);
    expect(r.ci.n).toBe(3);
    expect(r.ci.lo).toBeGreaterThanOrEqual(0.2 - 1e-12);
    expect(r.ci.hi).toBeLessThanOrEqual(0.3 + 1e-12);
    expect(r.ci.lo).toBeLessThan(r.ci.estimate);
    expect(r.ci.hi).toBeGreaterThan(r.ci.estimate);
  });
  it("normalised by the ideal box; one seed is a point, not an interval (n = 1)", () => {
    const r = hypervolumePerSeed(seeds, [0, 0], { ideal: [0.5, 0.5] });
    expect(r.perSeed[0].hv).toBeCloseTo(0.2 / 0.25, 12);
    const one = hypervolumePerSeed([seeds[0]], [0, 0]);
    expect([one.ci.lo, one.ci.hi, one.ci.n]).toEqual([0.2, 0.2, 1].map((x) => expect.closeTo(x, 12)));
  });
  it("bad input", () => {
    expect(() => hypervolumePerSeed([], [0, 0])).toThrow(/no seeds/);
    expect(() => hypervolumePerSeed([seeds[0], seeds[0]], [0, 0])).toThrow(/twice/);
  });
});
