import { describe, expect, it } from "vitest";
import { cagrpo, conflictProjection } from "../../src/weighting/cagrpo.ts";
import { matmul } from "../../src/weighting/linalg.ts";
import { pcgrad } from "../../src/weighting/pcgrad.ts";
import { cosines, gramMatrix, scaleGram } from "../../src/weighting/gram.ts";
import { dot64, randomGrads, simplexGrid, vec } from "./helpers.ts";
import { maxMinGain, maxMinWithFloor } from "../../src/weighting/maxmin.ts";
import { mgda } from "../../src/weighting/mgda.ts";
import { mulberry32 } from "../../src/util/rng.ts";

describe("cagrpo (ours: symmetric conflict projection + preference shares of unit conflict-free directions)", () => {
  it("orthogonal inputs: nothing projected, d = s·Σ p̂_c u_c (unit gradients), gains ∝ ‖g_c‖ (docs/method.md §6.5)", () => {
    const grads = [vec(2, 0, 0), vec(0, 1, 0), vec(0, 0, 0.5)];
    const r = cagrpo(grads);
    expect(r.diagnostics["weight_rule/balanced"]).toBe(1);
    expect(r.diagnostics.conflictingPairs).toBe(0);
    const s = (2 + 1 + 0.5) / 3; // preference-weighted mean norm
    grads.forEach((g) => expect(dot64(g, r.direction)).toBeCloseTo((s / 3) * Math.sqrt(dot64(g, g)), 6));
    (r.diagnostics.shares as number[]).forEach((v) => expect(v).toBeCloseTo(1 / 3, 12));
  });

  it("after projection every originally conflicting pair is exactly orthogonal: g̃_i ⊥ g_j", () => {
    for (let seed = 0; seed < 15; seed++) {
      const grads = randomGrads(300 + seed, 4, 30);
      grads[2] = grads[2].map((x, k) => x - 0.9 * grads[0][k] - 0.7 * grads[1][k]);
      const G = gramMatrix(grads);
      const { M, conflictingPairs } = conflictProjection(G);
      expect(conflictingPairs).toBeGreaterThan(0);
      const MG = matmul(M, G); // (MG)[i][j] = g̃_i · g_j
      const scale = Math.max(...G.map((row, i) => row[i]));
      for (let i = 0; i < 4; i++)
        for (let j = 0; j < 4; j++) if (i !== j && G[i][j] < 0) expect(Math.abs(MG[i][j]) / scale).toBeLessThan(1e-10);
      // and directly on the float vectors: rebuild g̃_0 and dot it with each conflicting g_j
      const g0t = grads[0].map((_, k) => M[0].reduce((acc, m, q) => acc + m * grads[q][k], 0));
      for (let j = 1; j < 4; j++) if (G[0][j] < 0) expect(Math.abs(dot64(g0t, grads[j])) / scale).toBeLessThan(1e-5);
      const r = cagrpo(grads, { weightRule: "min_norm" });
      expect(r.diagnostics["weight_rule/min_norm"]).toBe(1);
      expect(r.diagnostics["weight_rule/balanced"]).toBeUndefined();
      const before = r.diagnostics.cosBefore as number[][],
        after = r.diagnostics.cosAfter as number[][];
      let resolved = 0;
      for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) if (i !== j && before[i][j] < 0 && after[i][j] > -1e-9) resolved++;
      expect(resolved).toBeGreaterThan(0);
      expect(cosines(G)[0][2]).toBeLessThan(0);
    }
  });

  it("order-independent: permuting capabilities permutes weights and leaves the direction unchanged", () => {
    const grads = randomGrads(11, 4, 20);
    grads[3] = grads[3].map((x, k) => x - 1.2 * grads[1][k]);
    const perm = [2, 0, 3, 1];
    const a = cagrpo(grads),
      b = cagrpo(perm.map((p) => grads[p]));
    a.direction.forEach((v, k) => expect(b.direction[k]).toBeCloseTo(v, 5));
    perm.forEach((p, i) => expect(b.weights[i]).toBeCloseTo(a.weights[p], 9));
  });

  it("T = 2: the projection coincides with PCGrad's, and neither capability is hurt to first order", () => {
    for (let seed = 0; seed < 10; seed++) {
      const [g1, g2] = randomGrads(400 + seed, 2, 12);
      const b = g2.map((x, k) => x - 1.5 * g1[k]);
      const r = cagrpo([g1, b]);
      expect(r.diagnostics.cosAfter).toEqual(
        (pcgrad([g1, b]).diagnostics.cosAfter as number[][]).map((row) => row.map((v) => expect.closeTo(v, 9))),
      );
      const gain = r.diagnostics.gain as number[];
      expect(gain[0]).toBeGreaterThanOrEqual(-1e-9);
      expect(gain[1]).toBeGreaterThanOrEqual(-1e-9);
    }
  });

  it("weights alone cannot orthogonalise, the projection can (docs/method.md §7.2)", () => {
    // Checked on the VECTORS, not by re-deriving the identity from the Gram helpers it is meant to test: the scaled
    // gradients s_c·g_c are formed explicitly, their Gram recomputed from the floats, compared with scaleGram and with
    // the unscaled cosine; then cagrpo runs on the scaled inputs and its projected vectors are rebuilt and measured.
    const grads = [vec(1, 0.1, 0.3), vec(-1, 1, -0.2), vec(0.2, -0.9, 0.5)];
    const G = gramMatrix(grads),
      cos0 = cosines(G);
    expect(cos0[0][1]).toBeLessThan(-0.6);
    const rng = mulberry32(5);
    const scalings = [
      [0.1, 10, 1],
      [5, 0.2, 3],
      cagrpo(grads).weights.map((w) => w + 1e-3),
      ...Array.from({ length: 20 }, () => [0, 0, 0].map(() => Math.exp(4 * rng() - 2))),
    ];
    for (const s of scalings) {
      const scaled = grads.map((g, c) => g.map((x) => s[c] * x));
      const Gs = gramMatrix(scaled);
      scaleGram(G, s).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(Gs[i][j], 5)));
      const cosS = cosines(Gs);
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(cosS[i][j]).toBeCloseTo(cos0[i][j], 6); // weights change no cosine
      const r = cagrpo(scaled);
      const { M } = conflictProjection(Gs);
      const proj = M.map((row) => scaled[0].map((_, k) => row.reduce((acc, m, q) => acc + m * scaled[q][k], 0)));
      const cosP = cosines(gramMatrix(proj.map((p) => Float32Array.from(p))));
      const after = r.diagnostics.cosAfter as number[][];
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++) {
          if (i === j) continue;
          expect(after[i][j]).toBeCloseTo(cosP[i][j], 4); // the logged cosines are those of the actual vectors
          if (cos0[i][j] < 0) expect(dot64(proj[i], scaled[j]) / Math.sqrt(Gs[i][i] * Gs[j][j])).toBeCloseTo(0, 6); // g̃_i ⊥ g_j
        }
      expect((r.diagnostics.normRemoved as number[]).filter((x) => x > 0).length).toBeGreaterThan(0);
    }
  });

  it("a capability fully cancelled by projection (g_2 = −g_1) gets weight 0 and no NaN", () => {
    const r = cagrpo([vec(1, 0), vec(-1, 0), vec(0, 1)]);
    expect(r.dropped).toEqual([0, 1]);
    expect(Array.from(r.direction)).toEqual([0, 1]);
  });
});

describe("cagrpo applies the weight strategy's preferences (applied to the update, not only logged)", () => {
  it("orthogonal inputs: first-order gains ∝ p_c (closed form) and ∝ p_c‖g_c‖ (balanced)", () => {
    const grads = [vec(2, 0, 0), vec(0, 1, 0), vec(0, 0, 0.5)];
    const p = [0.5, 0.3, 0.2];
    // closed form: gains ∝ p_c; balanced: gains ∝ p_c‖g_c‖ (shares of unit directions)
    const cf = cagrpo(grads, { weights: p, weightRule: "closed_form" }).diagnostics.gain as number[];
    expect(cf[1] / cf[0]).toBeCloseTo(0.3 / 0.5, 9);
    expect(cf[2] / cf[0]).toBeCloseTo(0.2 / 0.5, 9);
    const b = cagrpo(grads, { weights: p }).diagnostics.gain as number[];
    expect(b[1] / b[0]).toBeCloseTo((0.3 * 1) / (0.5 * 2), 9);
    expect(b[2] / b[0]).toBeCloseTo((0.2 * 0.5) / (0.5 * 2), 9);
  });

  it("different preferences give a different direction; uniform preferences are the default rule", () => {
    const grads = randomGrads(77, 4, 20);
    grads[3] = grads[3].map((x, k) => x - 1.2 * grads[1][k]);
    const a = cagrpo(grads),
      u = cagrpo(grads, { weights: [1, 1, 1, 1] }),
      b = cagrpo(grads, { weights: [0.7, 0.1, 0.1, 0.1] });
    a.direction.forEach((v, k) => expect(u.direction[k]).toBeCloseTo(v, 6));
    let diff = 0;
    a.direction.forEach((v, k) => (diff = Math.max(diff, Math.abs(v - b.direction[k]))));
    expect(diff).toBeGreaterThan(1e-3);
    expect(b.diagnostics.preferences).toEqual([0.7, 0.1, 0.1, 0.1].map((x) => expect.closeTo(x, 12)));
  });

  it("min-norm weights cannot take preferences: refused, not silently dropped", () => {
    const grads = randomGrads(78, 3, 10);
    expect(() => cagrpo(grads, { weights: [0.6, 0.2, 0.2], weightRule: "min_norm" })).toThrow(
      /min-norm weight rule defines its own weights/,
    );
  });
});

describe("cagrpo weights: the exact LP behind the balanced rule (maxmin.ts)", () => {
  it("maxMinGain equals a brute-force simplex grid (3 columns) to 1e-3", () => {
    const grid = simplexGrid(3, 100);
    const rng = mulberry32(12);
    for (let t = 0; t < 20; t++) {
      const A = Array.from({ length: 3 }, () => Array.from({ length: 3 }, () => rng() * 2 - 0.5));
      const best = Math.max(...grid.map((w) => Math.min(...A.map((r) => r.reduce((s, v, j) => s + v * w[j], 0)))));
      const r = maxMinGain(A);
      expect(r.value).toBeGreaterThanOrEqual(best - 1e-12);
      expect(r.value - best).toBeLessThan(0.02); // grid spacing 1/100 × entries ≤ 1.5 bounds the grid error
      const gains = A.map((row) => row.reduce((s, v, j) => s + v * r.weights[j], 0));
      expect(Math.min(...gains)).toBeCloseTo(r.value, 9);
    }
  });
});

/** cosine between two directions (1 = same direction up to a positive scale) */
function dirCos(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return dot64(a, b) / Math.sqrt(dot64(a, a) * dot64(b, b));
}

describe("cagrpo is its own method (docs/method.md §6.5)", () => {
  it("on Grams with conflicts it is neither MGDA nor PCGrad (the previous rule returned MGDA's direction here)", () => {
    // T = 2 with a conflict: the previous rule equalised the original gains, which is MGDA's interior solution
    const two = [vec(1, 0.2, 0), vec(-2, 3, 0.1)];
    expect(dirCos(cagrpo(two).direction, mgda(two).direction)).toBeLessThan(1 - 1e-3);
    expect(dirCos(cagrpo(two).direction, pcgrad(two).direction)).toBeLessThan(1 - 1e-3);
    // T = 3…5 random Grams where MGDA uses every capability (where the previous rule coincided with it exactly)
    let interior = 0;
    for (let seed = 0; seed < 60; seed++) {
      const T = 3 + (seed % 3);
      const g = randomGrads(600 + seed, T, 6);
      g[1] = g[1].map((x, k) => x - g[0][k] + 0.5 * g[2][k]);
      const m = mgda(g);
      if (!m.weights.every((w) => w > 1e-6)) continue;
      interior++;
      expect(dirCos(cagrpo(g).direction, m.direction)).toBeLessThan(1 - 1e-4);
    }
    expect(interior).toBeGreaterThan(10);
  });

  it("T = 2, uniform preferences: d ∝ ũ_1 + ũ_2 and gains ∝ ‖g_c‖ (MGDA: equal gains; PCGrad: ∝ ‖g̃_c‖²)", () => {
    for (let seed = 0; seed < 10; seed++) {
      const [g1, g2] = randomGrads(800 + seed, 2, 9);
      const b = g2.map((x, k) => 2 * x - 0.8 * g1[k]);
      const G = gramMatrix([g1, b]);
      if (!(G[0][1] < 0)) continue;
      const gain = cagrpo([g1, b]).diagnostics.gain as number[];
      expect(gain[0] / gain[1]).toBeCloseTo(Math.sqrt(G[0][0] / G[1][1]), 6);
    }
  });

  it("inactive capabilities (preference 0, or a zero gradient) change no other capability's coefficient", () => {
    for (let seed = 0; seed < 10; seed++) {
      const [a, b, c] = randomGrads(900 + seed, 3, 8);
      const g2 = b.map((x, k) => x - 0.7 * a[k]);
      const against = a.map((x, k) => -x - 0.5 * g2[k] + 0.2 * c[k]); // conflicts with both: would be projected out
      const ref = cagrpo([a, g2], { weights: [3, 1] }).coef;
      const withZeroPref = cagrpo([a, g2, against], { weights: [3, 1, 0] });
      const withZeroGrad = cagrpo([a, g2, new Float32Array(8)], { weights: [3, 1, 2] });
      for (const r of [withZeroPref, withZeroGrad]) {
        const coef = r.coef;
        expect(coef[0]).toBeCloseTo(ref[0], 9);
        expect(coef[1]).toBeCloseTo(ref[1], 9);
        expect(coef[2]).toBe(0);
        expect(r.weights[2]).toBe(0);
      }
      expect(withZeroPref.diagnostics.conflictingPairs).toBe(cagrpo([a, g2]).diagnostics.conflictingPairs);
    }
  });

  it("first-order guarantee: every active capability's gain ⟨g_c, d⟩ ≥ 0 whenever some weights allow it (floor checked)", () => {
    let binding = 0;
    for (let seed = 0; seed < 80; seed++) {
      const T = 2 + (seed % 4);
      const g = randomGrads(1000 + seed, T, 6);
      g[1] = g[1].map((x, k) => x - g[0][k] + (T > 2 ? 0.5 * g[2][k] : 0));
      const G = gramMatrix(g);
      const scale = Math.max(...G.map((r, i) => r[i]));
      const r = cagrpo(g);
      const gain = r.diagnostics.gain as number[];
      if (T === 2) expect(r.diagnostics.floorFeasible).toBe(1); // |S| = 2: the floor never binds
      if (r.diagnostics.floorFeasible !== 1) continue;
      gain.forEach((x) => expect(x).toBeGreaterThanOrEqual(-1e-9 * scale));
      // measured on the float vectors too
      g.forEach((gc) => expect(dot64(gc, r.direction)).toBeGreaterThanOrEqual(-1e-5 * scale));
      if ((r.diagnostics.shares as number[]).some((v) => Math.abs(v - 1 / T) > 1e-9)) binding++;
    }
    expect(binding).toBeGreaterThan(0); // the floor did move the shares in some cases, and kept the gains ≥ 0 there
  });

  it("preferences are respected: shares = p̂ unless the floor binds; T = 2 gains ∝ p_c‖g_c‖", () => {
    const two = [vec(1, 0.2, 0), vec(-0.5, 1, 0.1)];
    const G = gramMatrix(two);
    for (const p of [
      [0.75, 0.25],
      [0.2, 0.8],
    ]) {
      const r = cagrpo(two, { weights: p });
      expect(r.diagnostics.shares).toEqual(p.map((x) => expect.closeTo(x, 12)));
      const gain = r.diagnostics.gain as number[];
      expect(gain[0] / gain[1]).toBeCloseTo((p[0] * Math.sqrt(G[0][0])) / (p[1] * Math.sqrt(G[1][1])), 6);
    }
  });

  it("maxMinWithFloor equals a brute-force simplex grid (3 columns) to the grid's resolution", () => {
    const grid = simplexGrid(3, 100);
    const rng = mulberry32(21);
    let feasible = 0;
    for (let t = 0; t < 30; t++) {
      const B = Array.from({ length: 3 }, () => Array.from({ length: 3 }, () => rng() * 2 - 0.5));
      const F = Array.from({ length: 3 }, () => Array.from({ length: 3 }, () => rng() * 2 - 0.8));
      const val = (w: number[], A: number[][]) => Math.min(...A.map((r) => r.reduce((s, v, j) => s + v * w[j], 0)));
      const ok = grid.filter((w) => val(w, F) >= 0);
      const r = maxMinWithFloor(B, F);
      if (ok.length === 0) continue; // may still be feasible off the grid: not checked here
      feasible++;
      expect(r).not.toBeNull();
      const best = Math.max(...ok.map((w) => val(w, B)));
      expect(r!.value).toBeGreaterThanOrEqual(best - 1e-12);
      expect(val(r!.weights, F)).toBeGreaterThanOrEqual(-1e-9);
      expect(val(r!.weights, B)).toBeCloseTo(r!.value, 9);
    }
    expect(feasible).toBeGreaterThan(5);
  });
});
