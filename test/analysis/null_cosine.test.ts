import { describe, expect, it } from "vitest";
import { fractionInsideBand, nullCosineBand } from "../../src/analysis/null_cosine.ts";
import { normalQuantile } from "../../src/analysis/summary.ts";
import { mulberry32 } from "../../src/util/rng.ts";

function randomCosines(d: number, pairs: number, seed: number): number[] {
  const rng = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const out: number[] = [];
  const u = new Float64Array(d),
    v = new Float64Array(d);
  for (let p = 0; p < pairs; p++) {
    let uv = 0,
      uu = 0,
      vv = 0;
    for (let i = 0; i < d; i++) {
      u[i] = gauss();
      v[i] = gauss();
      uv += u[i] * v[i];
      uu += u[i] * u[i];
      vv += v[i] * v[i];
    }
    out.push(uv / Math.sqrt(uu * vv));
  }
  return out;
}

describe("nullCosineBand: |cos| of random directions", () => {
  it("closed forms: d = 2 (angle uniform: P(|cos| ≤ t) = 1 − 2·acos(t)/π), d = 3 (cos uniform on [−1, 1])", () => {
    expect(nullCosineBand(2, { q: 0.5 }).halfWidth).toBeCloseTo(Math.SQRT1_2, 9);
    expect(nullCosineBand(2).meanAbs).toBeCloseTo(2 / Math.PI, 12);
    for (const q of [0.5, 0.9, 0.95]) expect(nullCosineBand(3, { q }).halfWidth).toBeCloseTo(q, 9);
    expect(nullCosineBand(3).meanAbs).toBeCloseTo(0.5, 12);
  });

  it("matches random Gaussian vectors of the same dimension (exact Beta branch, d = 50)", () => {
    const d = 50,
      band = nullCosineBand(d, { q: 0.95 });
    expect(band.method).toBe("beta");
    const cos = randomCosines(d, 4000, 1);
    expect(fractionInsideBand(cos, band)).toBeGreaterThan(0.95 - 0.012); // ±3.5 binomial sd
    expect(fractionInsideBand(cos, band)).toBeLessThan(0.95 + 0.012);
    const meanAbs = cos.reduce((a, c) => a + Math.abs(c), 0) / cos.length;
    expect(meanAbs / band.meanAbs).toBeGreaterThan(0.97);
    expect(meanAbs / band.meanAbs).toBeLessThan(1.03);
    expect(band.halfWidth).toBeGreaterThan(1 / Math.sqrt(d)); // the 95% band is ≈ 2/√d wide, not 1/√d
  });

  it("normal branch for large d: matches random vectors (d = 20,000) and the exact branch at the switch", () => {
    const big = nullCosineBand(20_000, { q: 0.9 });
    expect(big.method).toBe("normal");
    expect(big.halfWidth).toBeCloseTo(normalQuantile(0.95) / Math.sqrt(20_000), 12);
    const frac = fractionInsideBand(randomCosines(20_000, 300, 2), big);
    expect(frac).toBeGreaterThan(0.84);
    expect(frac).toBeLessThan(0.96);
    const exact = nullCosineBand(10_000, { q: 0.95 }),
      approx = normalQuantile(0.975) / Math.sqrt(10_000);
    expect(exact.method).toBe("beta");
    expect(Math.abs(exact.halfWidth / approx - 1)).toBeLessThan(1e-3);
    expect(nullCosineBand(10_001).meanAbs).toBeCloseTo(Math.sqrt(2 / (Math.PI * 10_001)), 6);
  });

  it("bad input is one clear error", () => {
    expect(() => nullCosineBand(1)).toThrow(/dimension/);
    expect(() => nullCosineBand(10, { q: 1 })).toThrow(/q must be/);
  });
});
