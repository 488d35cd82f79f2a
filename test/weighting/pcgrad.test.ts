import { describe, expect, it } from "vitest";
import { pcgrad } from "../../src/weighting/pcgrad.ts";
import { sum } from "../../src/weighting/sum.ts";
import { rngFor, shuffled } from "../../src/util/rng.ts";
import { dot64, randomGrads, vec } from "./helpers.ts";

/** Direct, vector-level PCGrad (Yu et al. 2020 Alg. 1) with the same seeded order, as an independent reference. */
function referencePcgrad(grads: Float32Array[], seed: number, step: number): Float64Array {
  const T = grads.length,
    rng = rngFor(seed, `pcgrad/${step}`);
  const out = new Float64Array(grads[0].length);
  for (let i = 0; i < T; i++) {
    const gi = Float64Array.from(grads[i]);
    for (const j of shuffled(
      rng,
      [...Array(T).keys()].filter((k) => k !== i),
    )) {
      const dij = dot64(gi, grads[j]);
      if (dij < 0) {
        const f = dij / dot64(grads[j], grads[j]);
        for (let k = 0; k < gi.length; k++) gi[k] -= f * grads[j][k];
      }
    }
    for (let k = 0; k < out.length; k++) out[k] += gi[k] / T;
  }
  return out;
}

describe("pcgrad (Yu et al. 2020)", () => {
  it("two conflicting gradients, by hand", () => {
    // g1 = (1,0), g2 = (−1,1): g̃1 = g1 + ½g2 = (½,½), g̃2 = g2 + g1 = (0,1); mean = (¼, ¾)
    const r = pcgrad([vec(1, 0), vec(-1, 1)], { seed: 0, step: 0 });
    expect(Array.from(r.direction)).toEqual([0.25, 0.75]);
    expect(r.diagnostics.projections).toBe(2);
    const after = r.diagnostics.cosAfter as number[][];
    expect(after[0][1]).toBeGreaterThanOrEqual(0);
    expect(r.diagnostics.normRemoved as number[]).toEqual([Math.SQRT1_2, 1].map((x) => expect.closeTo(x, 12)) as unknown as number[]);
  });

  it("after projection g̃_i·g_j ≥ 0 for a conflicting pair (T = 2, random)", () => {
    for (let seed = 0; seed < 20; seed++) {
      const [a, b] = randomGrads(seed, 2, 30);
      if (dot64(a, b) >= 0) b.forEach((x, k) => (b[k] = -x + 0.1 * a[k])); // make them conflict
      const r = pcgrad([a, b], { seed });
      const coef = r.coef;
      // d·g_c ≥ 0 for both: PCGrad never makes a 2-task update that hurts either task to first order
      expect(coef[0] * dot64(a, a) + coef[1] * dot64(a, b)).toBeGreaterThanOrEqual(-1e-9);
      expect(coef[0] * dot64(a, b) + coef[1] * dot64(b, b)).toBeGreaterThanOrEqual(-1e-9);
      expect((r.diagnostics.cosAfter as number[][])[0][1]).toBeGreaterThanOrEqual(-1e-12);
    }
  });

  it("no conflicts → unchanged (equals the weighted sum)", () => {
    const grads = [vec(1, 0.2, 0), vec(0.5, 1, 0), vec(0, 0.3, 2)];
    const r = pcgrad(grads, { weights: [0.2, 0.3, 0.5] });
    expect(r.diagnostics.projections).toBe(0);
    expect(Array.from(r.direction)).toEqual(Array.from(sum(grads, { weights: [0.2, 0.3, 0.5] }).direction));
  });

  it("Gram-space implementation equals the direct vector algorithm (T = 4, seeded order)", () => {
    for (const seed of [1, 2, 3]) {
      const grads = randomGrads(100 + seed, 4, 40);
      grads[3] = grads[3].map((x, k) => x - 1.5 * grads[0][k]); // force conflicts
      const r = pcgrad(grads, { seed, step: 5 });
      const ref = referencePcgrad(grads, seed, 5);
      r.direction.forEach((v, k) => expect(v).toBeCloseTo(ref[k], 5));
    }
  });

  it("seeded order: same seed and step → identical; different step → a different order somewhere", () => {
    const grads = randomGrads(7, 4, 20);
    const a = pcgrad(grads, { seed: 3, step: 1 }),
      b = pcgrad(grads, { seed: 3, step: 1 });
    expect(Array.from(a.direction)).toEqual(Array.from(b.direction));
    const orders = new Set(Array.from({ length: 10 }, (_, s) => JSON.stringify(pcgrad(grads, { seed: 3, step: s }).order)));
    expect(orders.size).toBeGreaterThan(1);
  });
});
