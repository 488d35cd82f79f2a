/**
 * Seeded randomness. Every stage takes a seed; nothing in src/ may call Math.random().
 * mulberry32 is tiny, fast and well-distributed enough for sampling items and tokens;
 * sub-streams are derived by hashing (seed, label) so adding a consumer never shifts another's stream.
 */
export type Rng = () => number; // uniform in [0, 1)

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 32-bit FNV-1a of a string: stable across platforms and Node versions. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** An independent stream for (seed, label): `rngFor(seed, "distractors")`. */
export function rngFor(seed: number, label: string): Rng {
  return mulberry32(fnv1a(`${seed}:${label}`));
}

export function randInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

export function pick<T>(rng: Rng, xs: readonly T[]): T {
  if (xs.length === 0) throw new Error("pick from empty array");
  return xs[randInt(rng, xs.length)];
}

/** Fisher–Yates on a copy. */
export function shuffled<T>(rng: Rng, xs: readonly T[]): T[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = randInt(rng, i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** k distinct elements (order random). */
export function sample<T>(rng: Rng, xs: readonly T[], k: number): T[] {
  return shuffled(rng, xs).slice(0, k);
}
