/**
 * The native twins of the combine's float64 sums (src/util/vector_kernels.ts) return exactly the JS reference's bits:
 * the GRPO loop's Gram, split-half cosine and combined direction do not depend on whether the addon is built.
 */
import { describe, expect, it } from "vitest";
import { loadNative } from "../../src/model/native.ts";
import { rngFor } from "../../src/util/rng.ts";
import { jsVectorKernels, type VectorKernels } from "../../src/util/vector_kernels.ts";

const native = loadNative();
const N = native.ok ? (native.addon as unknown as VectorKernels) : null;

// values over many magnitudes, exact zeros and signed zeros: the cases where a reordered or fused sum would differ
function vectors(T: number, n: number, seed: number): Float32Array[] {
  const rng = rngFor(seed, "test/vector-kernels");
  return Array.from({ length: T }, () =>
    Float32Array.from({ length: n }, () => {
      const u = rng();
      if (u < 0.05) return 0;
      if (u < 0.07) return -0;
      return (rng() - 0.5) * 10 ** Math.floor(rng() * 12 - 6);
    }),
  );
}
const bits = (a: Float64Array | Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex");

describe.skipIf(!N)("native vector kernels", () => {
  for (const T of [1, 2, 3, 4, 5, 7]) {
    it(`dotsInto, ${T} vectors: the same bits as the JS reference, continuing from acc's values`, () => {
      const vs = vectors(T, 10_007, T);
      const start = Float64Array.from({ length: T * T }, (_, k) => (k % 3) * 0.1);
      const js = Float64Array.from(start);
      const nat = Float64Array.from(start);
      jsVectorKernels.dotsInto(vs, js);
      N!.dotsInto(vs, nat);
      expect(bits(nat)).toBe(bits(js));
      // the lower triangle is not written
      for (let i = 0; i < T; i++) for (let j = 0; j < i; j++) expect(nat[i * T + j]).toBe(start[i * T + j]);
    });
  }

  it("combineInto: the same bits as the JS reference, zero coefficients skipped", () => {
    const vs = vectors(4, 10_007, 11);
    for (const coef of [
      [0.25, 0.25, 0.25, 0.25],
      [0.7, 0, -1.3e-3, 2.5],
      [0, 0, 0, 0],
    ]) {
      const js = new Float32Array(vs[0].length);
      const nat = new Float32Array(vs[0].length);
      jsVectorKernels.combineInto(vs, Float64Array.from(coef), js);
      N!.combineInto(vs, Float64Array.from(coef), nat);
      expect(bits(nat)).toBe(bits(js));
    }
  });

  it("bad input: one clear error", () => {
    const [a, b] = vectors(2, 5, 3);
    expect(() => N!.dotsInto([a, b.subarray(1)], new Float64Array(4))).toThrow(/differ in length/);
    expect(() => N!.dotsInto([a, b], new Float64Array(3))).toThrow(/T·T/);
    expect(() => N!.combineInto([a, b], new Float64Array(1), new Float32Array(5))).toThrow(/one coefficient per vector/);
    expect(() => N!.combineInto([a, b], new Float64Array(2), new Float32Array(4))).toThrow(/out differs/);
  });
});

describe.skipIf(!N)("native sampler", () => {
  const addon = native.ok ? (native.addon as unknown as { expInto(x: Float64Array, out: Float64Array): void }) : null;

  it("its exp is Math.exp bit for bit (V8's fdlibm), over the sampler's range and beyond", () => {
    const rng = rngFor(5, "test/exp");
    const x = Float64Array.from({ length: 200_000 }, (_, i) => {
      if (i % 4 === 0) return -rng() * 40; // logits/t − max: ≤ 0
      if (i % 4 === 1) return (rng() - 0.5) * 1500; // over- and underflow
      if (i % 4 === 2) return (rng() - 0.5) * 2e-8; // |x| < 2⁻²⁸
      return (rng() - 0.5) * 3; // around ±½ln2, ±1.5ln2
    });
    const specials = [0, -0, 1, -1, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 709.78, -745.1, 1e-300];
    const all = Float64Array.from([...x, ...specials]);
    const out = new Float64Array(all.length);
    addon!.expInto(all, out);
    expect(bits(out)).toBe(bits(all.map(Math.exp)));
  });

  it("sampleRows draws the JS reference's tokens with the same max and z", () => {
    const V = 1536;
    const B = 64;
    const rng = rngFor(9, "test/sample-rows");
    const logits = Float32Array.from({ length: B * V }, (_, i) => (i % V === 7 ? 4 : (rng() - 0.5) * 12));
    for (const t of [1, 0.7, 1.3]) {
      const u = Float64Array.from({ length: B }, () => rng());
      const [idsJ, idsN] = [new Int32Array(B), new Int32Array(B)];
      const [stJ, stN] = [new Float64Array(2 * B), new Float64Array(2 * B)];
      jsVectorKernels.sampleRows(logits, V, t, u, idsJ, stJ);
      N!.sampleRows(logits, V, t, u, idsN, stN);
      expect([...idsN]).toEqual([...idsJ]);
      expect(bits(stN)).toBe(bits(stJ));
    }
  });
});
