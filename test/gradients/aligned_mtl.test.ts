import { describe, expect, it } from "vitest";
import { alignedMtl, alignmentMatrix } from "../../src/gradients/aligned_mtl.ts";
import { gramMatrix } from "../../src/gradients/gram.ts";
import { matmul } from "../../src/gradients/linalg.ts";
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
});
