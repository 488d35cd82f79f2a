/**
 * Aggregates for the orthogonality page, computed from the store's long-format grad_gram rows
 * ({step, cap_i, cap_j, dot, cos}): per capability pair, the time-averaged cosine, the conflict ratio
 * (fraction of steps with cos < 0, docs/method.md §8.3) and the mean |cos| (distance from orthogonality).
 */

export interface GramRow {
  step: number;
  cap_i: string;
  cap_j: string;
  cos: number;
}

export interface PairStats {
  cap_i: string;
  cap_j: string;
  steps: number;
  meanCos: number;
  meanAbsCos: number;
  conflictRatio: number;
}

export function pairStats(rows: readonly GramRow[]): PairStats[] {
  const acc = new Map<string, { cap_i: string; cap_j: string; n: number; s: number; a: number; c: number }>();
  for (const r of rows) {
    if (r.cap_i === r.cap_j || !Number.isFinite(r.cos)) continue;
    const [a, b] = r.cap_i < r.cap_j ? [r.cap_i, r.cap_j] : [r.cap_j, r.cap_i];
    const k = `${a}\u0000${b}`;
    const e = acc.get(k) ?? { cap_i: a, cap_j: b, n: 0, s: 0, a: 0, c: 0 };
    e.n++;
    e.s += r.cos;
    e.a += Math.abs(r.cos);
    e.c += r.cos < 0 ? 1 : 0;
    acc.set(k, e);
  }
  return [...acc.values()].map((e) => ({
    cap_i: e.cap_i, cap_j: e.cap_j, steps: e.n, meanCos: e.s / e.n, meanAbsCos: e.a / e.n, conflictRatio: e.c / e.n,
  }));
}
