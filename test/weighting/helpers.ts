import { mulberry32 } from "../../src/util/rng.ts";

/** T random float32 gradients of length d (normal-ish via sum of uniforms), optionally pushed to conflict. */
export function randomGrads(seed: number, T: number, d: number): Float32Array[] {
  const rng = mulberry32(seed);
  return Array.from({ length: T }, () => {
    const g = new Float32Array(d);
    for (let i = 0; i < d; i++) g[i] = rng() + rng() + rng() - 1.5;
    return g;
  });
}

export function vec(...xs: number[]): Float32Array {
  return Float32Array.from(xs);
}

export function dot64(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** all points of the simplex in T dims on a grid with 1/n spacing */
export function simplexGrid(T: number, n: number): number[][] {
  const out: number[][] = [];
  const rec = (prefix: number[], left: number) => {
    if (prefix.length === T - 1) {
      out.push([...prefix, left].map((k) => k / n));
      return;
    }
    for (let k = 0; k <= left; k++) rec([...prefix, k], left - k);
  };
  rec([], n);
  return out;
}
