import { describe, expect, it } from "vitest";
import { pairedBootstrap } from "../../src/analysis/paired.ts";
import { normalQuantile } from "../../src/analysis/summary.ts";
import { mulberry32 } from "../../src/util/rng.ts";

const gauss = (rng: () => number) => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());

describe("pairedBootstrap (method difference over items × seeds)", () => {
  it("hand-computed: estimate, SE, MDD = (z_.975 + z_.8)·SE", () => {
    // d = a − b = [1, 0, 2, 0]: mean 0.75, sd² = 2.75/3, SE = √(sd²/4) = 0.478714
    const r = pairedBootstrap([1, 2, 3, 4], [0, 2, 1, 4], { iters: 500 });
    expect(r.estimate).toBeCloseTo(0.75, 12);
    expect(r.se).toBeCloseTo(Math.sqrt(2.75 / 3 / 4), 12);
    expect(normalQuantile(0.975) + normalQuantile(0.8)).toBeCloseTo(2.8016, 4);
    expect(r.mdd).toBeCloseTo(2.801585 * 0.4787136, 5);
    expect(r.n).toBe(4);
    expect(r.units).toBe(4);
  });

  it("hand-computed interval: d = [0, 0, 3] has 27 equally likely resamples, mean ∈ {0,1,2,3} w.p. 8,12,6,1 /27", () => {
    // 2.5% quantile: P(0) = 0.296 → 0;  97.5%: P(≤ 2) = 26/27 = 0.963 < 0.975 → 3
    const r = pairedBootstrap([0, 0, 3], [0, 0, 0], { iters: 20_000, seed: 3 });
    expect(r.estimate).toBe(1);
    expect(r.lo).toBe(0);
    expect(r.hi).toBe(3);
    // an 80% interval: P(0) = 0.296 > 0.1 → 0;  P(≤ 1) = 20/27 = 0.741 < 0.9 ≤ P(≤ 2) → 2
    const r80 = pairedBootstrap([0, 0, 3], [0, 0, 0], { iters: 20_000, seed: 3, level: 0.8 });
    expect([r80.lo, r80.hi]).toEqual([0, 2]);
  });

  it("groups resample together: two clusters of two identical differences → the two-unit SE and interval", () => {
    const a = [1, 1, 0, 0],
      b = [0, 0, 0, 0];
    const g = pairedBootstrap(a, b, { groups: ["x", "x", "y", "y"], iters: 20_000 });
    expect(g.units).toBe(2);
    expect(g.se).toBeCloseTo(0.5, 12); // sd of unit means {1, 0} / √2
    expect([g.lo, g.hi]).toEqual([0, 1]); // unit means of 2 draws ∈ {0, ½, 1}
    const free = pairedBootstrap(a, b, { iters: 200 });
    expect(free.se).toBeCloseTo(Math.sqrt(1 / 3) / 2, 12); // treating them as independent understates it
  });

  it("coverage: a 95% interval covers the true mean difference in 92–98% of 1,000 simulated draws; MDD has ~80% power", () => {
    const rng = mulberry32(2026);
    const n = 60,
      draws = 1000,
      truth = 0.3;
    let covered = 0,
      detected = 0;
    const mddTruth = 2.8016 / Math.sqrt(n); // unit-variance differences: true SE = 1/√n
    for (let k = 0; k < draws; k++) {
      const b = Array.from({ length: n }, () => gauss(rng));
      const a = b.map((x) => x + truth + gauss(rng)); // d ~ N(0.3, 1)
      const r = pairedBootstrap(a, b, { iters: 400, seed: k });
      if (r.lo <= truth && truth <= r.hi) covered++;
      const a2 = b.map((x, i) => x + mddTruth + (a[i] - b[i] - truth)); // same noise, true difference = MDD
      if (pairedBootstrap(a2, b, { iters: 400, seed: k }).excludesZero) detected++;
    }
    expect(covered / draws).toBeGreaterThanOrEqual(0.92);
    expect(covered / draws).toBeLessThanOrEqual(0.98);
    expect(detected / draws).toBeGreaterThan(0.72);
    expect(detected / draws).toBeLessThan(0.88);
  });

  it("bad input is one clear error", () => {
    expect(() => pairedBootstrap([1, 2], [1])).toThrow(/paired/);
    expect(() => pairedBootstrap([1], [0])).toThrow(/at least 2 resampling units/);
    expect(() => pairedBootstrap([1, 2], [0, 0], { groups: ["a", "a"] })).toThrow(/at least 2/);
    expect(() => pairedBootstrap([1, NaN], [0, 0])).toThrow(/non-finite/);
  });
});
