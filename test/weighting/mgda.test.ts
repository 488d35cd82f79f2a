import { describe, expect, it } from "vitest";
import { mgda } from "../../src/weighting/mgda.ts";
import { gramMatrix } from "../../src/weighting/gram.ts";
import { quad } from "../../src/weighting/linalg.ts";
import { minNormExact, minNormFrankWolfe, twoTaskMinNorm } from "../../src/weighting/minnorm.ts";
import { dot64, randomGrads, simplexGrid, vec } from "./helpers.ts";

describe("mgda / min-norm (Désidéri 2012; Sener & Koltun 2018)", () => {
  it("two-task closed form, by hand", () => {
    // g1 = (1,0), g2 = (0,2): w1 = (g2−g1)·g2 / ‖g1−g2‖² = 4/5
    expect(twoTaskMinNorm(gramMatrix([vec(1, 0), vec(0, 2)])).weights[0]).toBeCloseTo(0.8, 12);
    // aligned gradients: min-norm picks the shorter one
    expect(twoTaskMinNorm(gramMatrix([vec(1, 0), vec(3, 0)])).weights).toEqual([1, 0]);
  });

  it("exact solver = two-task closed form = Frank–Wolfe (random T = 2)", () => {
    for (let seed = 0; seed < 25; seed++) {
      const G = gramMatrix(randomGrads(seed, 2, 8));
      const cf = twoTaskMinNorm(G),
        ex = minNormExact(G),
        fw = minNormFrankWolfe(G);
      expect(ex.weights[0]).toBeCloseTo(cf.weights[0], 9);
      expect(fw.value).toBeCloseTo(cf.value, 7);
    }
  });

  for (const [T, n] of [
    [3, 100],
    [4, 40],
  ] as const) {
    it(`exact solver vs brute-force simplex grid (T = ${T}) to 1e-3`, () => {
      const grid = simplexGrid(T, n);
      for (let seed = 0; seed < 6; seed++) {
        const grads = randomGrads(50 + seed, T, 6);
        grads[T - 1] = grads[T - 1].map((x, k) => x - grads[0][k]); // some conflict
        const G = gramMatrix(grads);
        const scale = Math.max(...G.map((r, i) => r[i]));
        const best = Math.min(...grid.map((w) => quad(G, w)));
        const ex = minNormExact(G);
        expect(ex.value).toBeLessThanOrEqual(best + 1e-12);
        expect((best - ex.value) / scale).toBeLessThan(1e-3);
        expect(ex.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        expect(Math.min(...ex.weights)).toBeGreaterThanOrEqual(0);
        expect(minNormFrankWolfe(G).value / scale).toBeCloseTo(ex.value / scale, 8);
      }
    });
  }

  it("KKT: the MGDA direction satisfies ⟨d, g_c⟩ ≥ ‖d‖² for every capability", () => {
    for (let seed = 0; seed < 20; seed++) {
      const grads = randomGrads(200 + seed, 4, 25);
      grads[1] = grads[1].map((x, k) => x - 0.8 * grads[0][k]);
      const { direction: d } = mgda(grads);
      const dd = dot64(d, d);
      for (const g of grads) expect(dot64(d, g)).toBeGreaterThanOrEqual(dd - 1e-5 * Math.max(dd, 1e-6));
    }
  });

  it("tiny gradient norms (1e-7) are solved as well as unit ones (scale-free)", () => {
    const grads = randomGrads(5, 3, 10);
    const small = grads.map((g) => g.map((x) => x * 1e-7));
    const a = mgda(grads).weights,
      b = mgda(small).weights;
    a.forEach((w, i) => expect(b[i]).toBeCloseTo(w, 4));
  });

  it("drops zero gradients instead of returning d = 0", () => {
    const r = mgda([vec(1, 0), vec(0, 0), vec(0, 1)]);
    expect(r.weights).toEqual([0.5, 0, 0.5]);
    expect(r.dropped).toEqual([1]);
    expect(Array.from(r.direction)).toEqual([0.5, 0.5]);
  });
});
