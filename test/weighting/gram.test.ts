import { describe, expect, it } from "vitest";
import {
  conditionNumber,
  conflicts,
  cosines,
  firstOrderGains,
  gramMatrix,
  gramRows,
  magnitudeSimilarity,
  norms,
  scaleGram,
  summarizeGram,
} from "../../src/weighting/gram.ts";
import { matmul, symEig, transpose } from "../../src/weighting/linalg.ts";
import { randomGrads, vec } from "./helpers.ts";

describe("Gram matrix and derived quantities", () => {
  // g1 = e1, g2 = e1 + e2, g3 = −e1 + e3
  const grads = [vec(1, 0, 0), vec(1, 1, 0), vec(-1, 0, 1)];
  const G = gramMatrix(grads);

  it("dots, norms, cosines on hand vectors", () => {
    expect(G).toEqual([
      [1, 1, -1],
      [1, 2, -1],
      [-1, -1, 2],
    ]);
    expect(norms(G)).toEqual([1, Math.SQRT2, Math.SQRT2]);
    const c = cosines(G);
    expect(c[0][1]).toBeCloseTo(1 / Math.SQRT2, 12);
    expect(c[0][2]).toBeCloseTo(-1 / Math.SQRT2, 12);
    expect(c[1][2]).toBeCloseTo(-0.5, 12);
    expect(c[2][2]).toBe(1);
  });

  it("conflict flags are cos < 0 off the diagonal", () => {
    expect(conflicts(G)).toEqual([
      [0, 0, 1],
      [0, 0, 1],
      [1, 1, 0],
    ]);
    expect(summarizeGram(G).conflictFraction).toBeCloseTo(2 / 3, 12);
  });

  it("gradient magnitude similarity (Yu et al. 2020)", () => {
    const gms = magnitudeSimilarity(G);
    expect(gms[0][1]).toBeCloseTo((2 * Math.SQRT2) / 3, 12);
    expect(gms[1][2]).toBeCloseTo(1, 12); // equal norms
  });

  it("condition number: diagonal, and ∞ for dependent gradients", () => {
    expect(
      conditionNumber([
        [1, 0],
        [0, 4],
      ]),
    ).toBeCloseTo(4, 10);
    expect(conditionNumber(gramMatrix([vec(1, 2), vec(2, 4)]))).toBe(Infinity);
  });

  it("accumulates in float64 (a float32 running sum would drift)", () => {
    const d = 1_000_000;
    const g = new Float32Array(d).fill(0.1);
    const f = Math.fround(0.1);
    expect(gramMatrix([g])[0][0]).toBeCloseTo(d * f * f, 6);
    let acc32 = Math.fround(0);
    for (let i = 0; i < d; i++) acc32 = Math.fround(acc32 + Math.fround(f * f));
    expect(Math.abs(acc32 - d * f * f)).toBeGreaterThan(1); // what we avoid
  });

  it("cosines are invariant to positive rescaling: weights cannot orthogonalise (docs/method.md §7.2)", () => {
    const Gr = gramMatrix(randomGrads(3, 4, 50));
    const s = [0.01, 3, 7.5, 0.2];
    const scaledDirect = gramMatrix(randomGrads(3, 4, 50).map((g, i) => g.map((x) => x * s[i])));
    const a = cosines(Gr),
      b = cosines(scaleGram(Gr, s)),
      c = cosines(scaledDirect);
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++) {
        expect(b[i][j]).toBeCloseTo(a[i][j], 12);
        expect(c[i][j]).toBeCloseTo(a[i][j], 5);
      }
  });

  it("first-order gains: no cross terms for orthogonal gradients", () => {
    const Go = gramMatrix([vec(2, 0), vec(0, 1)]);
    const r = firstOrderGains(Go, [0.2, 0.8]);
    expect(r.cross).toEqual([0, 0]);
    expect(r.gain).toEqual([0.8, 0.8]);
    expect(r.dNorm2).toBeCloseTo(0.16 + 0.64, 12);
    expect(r.maxSafeStep[0]).toBeCloseTo((2 * 0.8) / 0.8, 12);
    const conflicting = firstOrderGains(gramMatrix([vec(1, 0), vec(-3, 0.1)]), [0.5, 0.5]);
    expect(conflicting.gain[0]).toBeLessThan(0);
    expect(conflicting.maxSafeStep[0]).toBe(-Infinity);
  });

  it("gram rows for the store: both triangles and the diagonal", () => {
    const rows = gramRows(7, ["knowledge", "reasoning", "instruction"], G);
    expect(rows).toHaveLength(9);
    expect(rows[6]).toMatchObject({ capability_i: "instruction", capability_j: "knowledge", dot: -1 });
    expect(rows[2]).toEqual({ step: 7, capability_i: "knowledge", capability_j: "instruction", dot: -1, cos: cosines(G)[0][2] });
  });

  it("rejects ragged or non-finite gradients", () => {
    expect(() => gramMatrix([vec(1, 2), vec(1)])).toThrow(/entries/);
    expect(() => gramMatrix([vec(1, NaN)])).toThrow(/non-finite/);
  });

  it("symEig reconstructs the matrix", () => {
    const A = gramMatrix(randomGrads(9, 4, 6));
    const { values, vectors: V } = symEig(A);
    const R = matmul(
      matmul(
        V,
        values.map((v, i) => values.map((_, j) => (i === j ? v : 0))),
      ),
      transpose(V),
    );
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(R[i][j]).toBeCloseTo(A[i][j], 9);
    expect(values[0]).toBeGreaterThanOrEqual(values[3]);
  });
});
