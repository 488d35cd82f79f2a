import { describe, expect, it } from "vitest";
import { alignedMtl, alignmentMatrix } from "../../src/weighting/aligned_mtl.ts";
import { gramMatrix } from "../../src/weighting/gram.ts";
import { matmul } from "../../src/weighting/linalg.ts";
import { randomGrads, vec } from "./helpers.ts";

describe("aligned_mtl (Senushkin et al. 2023)", () => {
  it("aligned gradients are orthogonal with equal norm √λ_min (B G B = λ_min I)", () => {
    const G = gramMatrix(randomGrads(8, 4, 12));
    const { B, eigenvalues } = alignmentMatrix(G);
    const A = matmul(matmul(B, G), B);
    const lmin = eigenvalues[3];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(A[i][j] / lmin).toBeCloseTo(i === j ? 1 : 0, 8);
  });

  it("already orthonormal gradients are left unchanged", () => {
    const r = alignedMtl([vec(1, 0, 0), vec(0, 1, 0), vec(0, 0, 1)]);
    Array.from(r.direction).forEach((x) => expect(x).toBeCloseTo(1 / 3, 6));
    expect(r.diagnostics.rank).toBe(3);
  });

  it("LibMTL's rank tolerance (λ_max·T·eps_float32): a near-zero capability gradient is dropped, not amplified", () => {
    const grads = randomGrads(21, 3, 16);
    // capability 2: 3e-4 × a random direction, so λ_min/λ_max ≈ 1e-7 — under LibMTL's 3·1.19e-7, far above 1e3·eps_64
    grads[2] = grads[2].map((x) => 3e-4 * x);
    const G = gramMatrix(grads);
    const { rank, eigenvalues } = alignmentMatrix(G);
    expect(eigenvalues[2] / eigenvalues[0]).toBeLessThan(3 * 1.1920928955078125e-7);
    expect(eigenvalues[2] / eigenvalues[0]).toBeGreaterThan(3 * 2.220446049250313e-16 * 1e3);
    expect(rank).toBe(2);
    // the direction then follows the two real gradients: its cosine with the tiny one is small
    const d = alignedMtl(grads).direction;
    const cos = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      let ab = 0,
        aa = 0,
        bb = 0;
      for (let i = 0; i < a.length; i++) (ab += a[i] * b[i]), (aa += a[i] * a[i]), (bb += b[i] * b[i]);
      return ab / Math.sqrt(aa * bb);
    };
    expect(Math.abs(cos(d, grads[2]))).toBeLessThan(0.5);
    expect(cos(d, grads[0])).toBeGreaterThan(0.3);
    expect(cos(d, grads[1])).toBeGreaterThan(0.3);
  });
});
