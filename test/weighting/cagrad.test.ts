import { describe, expect, it } from "vitest";
import { cagrad, cagradDual, cagradObjective } from "../../src/weighting/cagrad.ts";
import { sum } from "../../src/weighting/sum.ts";
import { gramMatrix } from "../../src/weighting/gram.ts";
import { mulberry32 } from "../../src/util/rng.ts";
import { dot64, randomGrads, simplexGrid } from "./helpers.ts";

describe("cagrad (Liu et al. 2021)", () => {
  it("c = 0 reduces to the average gradient", () => {
    const grads = randomGrads(1, 3, 15);
    expect(Array.from(cagrad(grads, { c: 0 }).direction)).toEqual(Array.from(sum(grads).direction));
  });

  it("dual solution matches a brute-force simplex grid (T = 3) to 1e-3", () => {
    const grid = simplexGrid(3, 100);
    for (let seed = 0; seed < 6; seed++) {
      const grads = randomGrads(20 + seed, 3, 6);
      grads[2] = grads[2].map((x, k) => x - grads[0][k]);
      const G = gramMatrix(grads);
      const scale = Math.max(...G.map((r, i) => r[i]));
      const w0 = [1 / 3, 1 / 3, 1 / 3];
      for (const c of [0.2, 0.5, 2]) {
        const best = Math.min(...grid.map((w) => cagradObjective(G, w0, c, w)));
        const got = cagradObjective(G, w0, c, cagradDual(G, w0, c).w);
        expect(got).toBeLessThanOrEqual(best + 1e-9 * scale);
        expect((best - got) / scale).toBeLessThan(1e-3);
      }
    }
  });

  it("primal property: d maximises the worst capability's gain in the ball ‖d − g0‖ ≤ c‖g0‖", () => {
    const rng = mulberry32(5);
    for (let seed = 0; seed < 5; seed++) {
      const grads = randomGrads(40 + seed, 3, 4);
      grads[1] = grads[1].map((x, k) => x - 1.3 * grads[0][k]);
      const c = 0.5;
      const r = cagrad(grads, { c });
      const d = Array.from(r.direction, (x) => x * (1 + c * c)); // undo the 1/(1+c²) rescale
      const g0 = grads[0].map((_, k) => (grads[0][k] + grads[1][k] + grads[2][k]) / 3);
      const radius = c * Math.sqrt(dot64(g0, g0));
      const diff = d.map((x, k) => x - g0[k]);
      expect(Math.sqrt(dot64(diff, diff))).toBeLessThanOrEqual(radius * (1 + 1e-5));
      const worst = (v: ArrayLike<number>) => Math.min(...grads.map((g) => dot64(g, v)));
      const best = worst(d);
      for (let t = 0; t < 2000; t++) {
        const u = Array.from({ length: 4 }, () => rng() - 0.5);
        const un = Math.sqrt(dot64(u, u));
        const rad = radius * Math.sqrt(rng());
        const cand = g0.map((x, k) => x + (rad * u[k]) / un);
        expect(worst(cand)).toBeLessThanOrEqual(best + 1e-5 * Math.abs(best) + 1e-6);
      }
      expect(best).toBeGreaterThanOrEqual(worst(g0) - 1e-6); // never worse than the plain average
    }
  });
});
