import { describe, expect, it } from "vitest";
import {
  hypervolume,
  hypervolumeContributions,
  hypervolumeMin,
  normalizePoints,
  normalizedHypervolume,
} from "../../src/analysis/hypervolume.ts";
import { mulberry32 } from "../../src/util/rng.ts";

/** exact HV by inclusion–exclusion over all subsets (maximisation), for small sets */
function inclusionExclusion(P: number[][], ref: number[]): number {
  const q = P.map((p) => p.map((v, k) => Math.max(0, v - ref[k])));
  let hv = 0;
  for (let mask = 1; mask < 1 << q.length; mask++) {
    const idx = q.map((_, i) => i).filter((i) => mask & (1 << i));
    const vol = ref.reduce((acc, _, k) => acc * Math.min(...idx.map((i) => q[i][k])), 1);
    hv += (idx.length % 2 ? 1 : -1) * vol;
  }
  return hv;
}

describe("hypervolume (maximisation, explicit reference point)", () => {
  it("2-D staircase by hand", () => {
    // union of [0,1]×[0,3], [0,2]×[0,2], [0,3]×[0,1] = 3 + 2 + 1
    expect(
      hypervolume(
        [
          [1, 3],
          [2, 2],
          [3, 1],
        ],
        [0, 0],
      ),
    ).toBe(6);
    expect(
      hypervolume(
        [
          [1, 3],
          [2, 2],
          [3, 1],
          [0.5, 0.5],
        ],
        [0, 0],
      ),
    ).toBe(6); // dominated point adds nothing
    expect(hypervolume([[0.9, 0.8]], [0.5, 0.5])).toBeCloseTo(0.4 * 0.3, 12);
  });

  it("pymoo convention (minimisation, ref as upper bound) = maximisation after the sign flip", () => {
    // minimisation front {(.25,.75), (.5,.5), (.75,.25)}, ref (1,1): staircase .75·.25 + .5·.25 + .25·.25 = .375
    const F = [
      [0.25, 0.75],
      [0.5, 0.5],
      [0.75, 0.25],
    ];
    expect(hypervolumeMin(F, [1, 1])).toBeCloseTo(0.375, 12);
    expect(
      hypervolume(
        F.map((p) => p.map((v) => -v)),
        [-1, -1],
      ),
    ).toBeCloseTo(0.375, 12);
    // the same front as accuracies (1 − error), maximised against ref (0,0)
    expect(
      hypervolume(
        F.map((p) => p.map((v) => 1 - v)),
        [0, 0],
      ),
    ).toBeCloseTo(0.375, 12);
    // pymoo's ref_point = (1.2, 1.2) style: the box grows by the margins
    expect(hypervolumeMin(F, [1.2, 1.2])).toBeCloseTo(0.95 * 0.45 + 0.7 * 0.25 + 0.45 * 0.25, 12);
  });

  it("pymoo convention in 3-D and 4-D: HV(ref=(2,…,2)) of the unit vectors e_1..e_m is 2^m − 1", () => {
    // minimisation: only the unit cube [0,1)^m of the box [0,2]^m is left undominated → 2^m − 1
    // (pymoo: HV(ref_point=np.full(m, 2.0)).do(np.eye(m)) = 7.0 for m = 3, 15.0 for m = 4)
    for (const m of [2, 3, 4]) {
      const eye = Array.from({ length: m }, (_, i) => Array.from({ length: m }, (__, k) => (k === i ? 1 : 0)));
      expect(hypervolumeMin(eye, Array(m).fill(2))).toBeCloseTo(2 ** m - 1, 12);
      // the same front as maximised scores (2 − f) against the reference point 0
      expect(
        hypervolume(
          eye.map((p) => p.map((v) => 2 - v)),
          Array(m).fill(0),
        ),
      ).toBeCloseTo(2 ** m - 1, 12);
    }
  });

  it("4-D by hand: capability accuracies against r = 0", () => {
    expect(hypervolume([[0.5, 0.5, 0.5, 0.5]], [0, 0, 0, 0])).toBe(0.0625);
    // two boxes sharing [0,.4]×[0,.4]×[0,.5]×[0,.5]: .8·.4·.5·.5 + .4·.8·.5·.5 − .4·.4·.5·.5
    expect(
      hypervolume(
        [
          [0.8, 0.4, 0.5, 0.5],
          [0.4, 0.8, 0.5, 0.5],
        ],
        [0, 0, 0, 0],
      ),
    ).toBeCloseTo(0.08 + 0.08 - 0.04, 12);
    // a dominated run adds nothing; the reference point shifts every box
    expect(
      hypervolume(
        [
          [0.8, 0.4, 0.5, 0.5],
          [0.4, 0.8, 0.5, 0.5],
          [0.3, 0.3, 0.3, 0.3],
        ],
        [0.1, 0.1, 0.1, 0.1],
      ),
    ).toBeCloseTo(0.7 * 0.3 * 0.4 * 0.4 + 0.3 * 0.7 * 0.4 * 0.4 - 0.3 * 0.3 * 0.4 * 0.4, 12);
  });

  it("points not strictly better than the reference contribute nothing", () => {
    expect(hypervolume([[0, 5]], [0, 0])).toBe(0);
    expect(hypervolume([[1, 1, -1]], [0, 0, 0])).toBe(0);
    expect(hypervolume([], [0, 0])).toBe(0);
  });

  it("3-D by hand", () => {
    expect(hypervolume([[1, 2, 3]], [0, 0, 0])).toBe(6);
    expect(
      hypervolume(
        [
          [2, 1, 1],
          [1, 2, 1],
        ],
        [0, 0, 0],
      ),
    ).toBe(3);
    expect(
      hypervolume(
        [
          [1, 1, 2],
          [2, 2, 1],
        ],
        [0, 0, 0],
      ),
    ).toBe(2 + 4 - 1);
  });

  for (const m of [3, 4]) {
    it(`${m}-D random sets equal inclusion–exclusion exactly`, () => {
      const rng = mulberry32(m);
      for (let t = 0; t < 30; t++) {
        const n = 1 + Math.floor(rng() * 8);
        const P = Array.from({ length: n }, () => Array.from({ length: m }, () => rng()));
        const ref = Array.from({ length: m }, () => rng() * 0.3);
        expect(hypervolume(P, ref)).toBeCloseTo(inclusionExclusion(P, ref), 12);
      }
    });
  }

  it("4-D agrees with a Monte Carlo estimate (40 points, 200k samples, within 4σ)", () => {
    const rng = mulberry32(99);
    const P = Array.from({ length: 40 }, () => {
      const v = Array.from({ length: 4 }, () => rng());
      const s = Math.hypot(...v);
      return v.map((x) => x / s); // points on the unit sphere: a curved front with many non-dominated points
    });
    const ref = [0, 0, 0, 0];
    const exact = hypervolume(P, ref);
    const N = 200_000;
    let hit = 0;
    for (let i = 0; i < N; i++) {
      const x = [rng(), rng(), rng(), rng()];
      if (P.some((p) => p.every((v, k) => x[k] <= v))) hit++;
    }
    const p = hit / N;
    expect(Math.abs(exact - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / N));
  });

  it("exclusive contributions and normalisation", () => {
    expect(
      hypervolumeContributions(
        [
          [1, 3],
          [2, 2],
          [3, 1],
          [1, 1],
        ],
        [0, 0],
      ),
    ).toEqual([1, 1, 1, 0]);
    expect(normalizePoints([[0.5, 80]], [0, 0], [1, 100])).toEqual([[0.5, 0.8]]);
    expect(normalizedHypervolume([[1, 1, 1, 1]], [0, 0, 0, 0], [1, 1, 1, 1])).toBe(1);
    expect(normalizedHypervolume([[60, 40]], [20, 20], [100, 100])).toBeCloseTo((40 * 20) / (80 * 80), 12);
    expect(() => normalizePoints([[1]], [1], [1])).toThrow(/exceed/);
    expect(() => hypervolume([[1, 2]], [0])).toThrow(/reference point/);
  });

  it("300 points in 4-D in well under a second (browser what-if budget)", () => {
    const rng = mulberry32(5);
    const P = Array.from({ length: 300 }, () => {
      const v = Array.from({ length: 4 }, () => rng());
      const s = Math.hypot(...v);
      return v.map((x) => x / s);
    });
    const t0 = performance.now();
    expect(hypervolume(P, [0, 0, 0, 0])).toBeGreaterThan(0);
    expect(performance.now() - t0).toBeLessThan(1500); // ~30 ms measured (shared, noisy machine)
  });
});

// DEAP's semantics (deap/tools/_hypervolume/pyhv.py and hv.cpp, called by deap.tools.indicator.hypervolume on
// wobj = −wvalues with ref = max(wobj) + 1): minimisation, the volume dominated by the set inside the reference box.
// Its pyhv assumes every point dominates the reference point (the filter is commented out there: "it is assumed that
// every point dominates the reference point"), which deap.tools.indicator guarantees by its choice of ref; for points
// outside the box we follow the definition (Zitzler & Thiele 1998; pymoo, moocore): they contribute nothing.
describe("hypervolume edge cases against DEAP's semantics", () => {
  /** DEAP's indicator on a maximisation problem: weights +1 → wobj = −values, ref = max(wobj) + 1 */
  const deapStyle = (P: number[][]) => {
    const wobj = P.map((p) => p.map((v) => -v));
    const ref = wobj[0].map((_, k) => Math.max(...wobj.map((p) => p[k])) + 1);
    return hypervolumeMin(wobj, ref);
  };
  it("maximisation by negation: DEAP's default reference (worst − 1) gives our HV with r = min(P) − 1", () => {
    const rng = mulberry32(7);
    for (let t = 0; t < 20; t++) {
      const m = 2 + (t % 3);
      const P = Array.from({ length: 1 + Math.floor(rng() * 7) }, () => Array.from({ length: m }, () => Math.round(rng() * 4)));
      const ref = P[0].map((_, k) => Math.min(...P.map((p) => p[k])) - 1);
      expect(deapStyle(P)).toBeCloseTo(hypervolume(P, ref), 12);
      expect(hypervolume(P, ref)).toBeCloseTo(inclusionExclusion(P, ref), 12);
    }
  });
  it("duplicate points: the same volume as one copy; each copy's exclusive contribution is 0", () => {
    const P = [
      [3, 1],
      [1, 3],
      [1, 3],
    ];
    expect(hypervolume(P, [0, 0])).toBe(hypervolume(P.slice(0, 2), [0, 0]));
    expect(hypervolume(P, [0, 0])).toBe(5);
    expect(hypervolumeContributions(P, [0, 0])).toEqual([2, 0, 0]);
    expect(
      hypervolume(
        [
          [2, 2, 2, 2],
          [2, 2, 2, 2],
        ],
        [0, 0, 0, 0],
      ),
    ).toBe(16);
  });
  it("weakly dominated points (equal in one objective) add nothing, in 2-D, 3-D and 4-D", () => {
    expect(
      hypervolume(
        [
          [3, 2],
          [3, 1],
        ],
        [0, 0],
      ),
    ).toBe(6);
    expect(
      hypervolume(
        [
          [3, 2],
          [2, 2],
        ],
        [0, 0],
      ),
    ).toBe(6);
    expect(
      hypervolume(
        [
          [2, 2, 2],
          [2, 2, 1],
          [2, 1, 2],
        ],
        [0, 0, 0],
      ),
    ).toBe(8);
    expect(
      hypervolume(
        [
          [1, 2, 3, 4],
          [1, 2, 3, 1],
          [0.5, 2, 3, 4],
        ],
        [0, 0, 0, 0],
      ),
    ).toBe(24);
    expect(
      hypervolumeContributions(
        [
          [3, 2],
          [3, 1],
        ],
        [0, 0],
      ),
    ).toEqual([3, 0]); // 6 − 3: only the top strip is its own
  });
  it("ties in one objective on integer grids equal inclusion–exclusion (2-D … 4-D)", () => {
    const rng = mulberry32(11);
    for (const m of [2, 3, 4])
      for (let t = 0; t < 25; t++) {
        const P = Array.from({ length: 2 + Math.floor(rng() * 6) }, () => Array.from({ length: m }, () => 1 + Math.floor(rng() * 3)));
        expect(hypervolume(P, Array(m).fill(0))).toBeCloseTo(inclusionExclusion(P, Array(m).fill(0)), 12);
      }
  });
  it("points outside the reference box, or on its boundary, contribute nothing; the rest is unchanged", () => {
    const inside = [
      [2, 3],
      [3, 1],
    ];
    const base = hypervolume(inside, [1, 0]);
    expect(base).toBe(3 + 2 - 1); // [1,2]×[0,3] ∪ [1,3]×[0,1]
    // below r in one objective (even far better in the other), on the boundary, or below in both
    expect(hypervolume([...inside, [0.5, 100], [1, 5], [-1, -1]], [1, 0])).toBe(base);
    expect(hypervolumeContributions([...inside, [0.5, 100], [1, 5]], [1, 0])).toEqual([2, 1, 0, 0]);
    // the minimisation view: points not below the upper reference are ignored the same way
    expect(
      hypervolumeMin(
        [
          [-2, -3],
          [-3, -1],
          [5, -10],
        ],
        [-1, 0],
      ),
    ).toBe(base);
  });
});
