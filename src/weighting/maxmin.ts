/**
 * Max–min first-order gain over the simplex (used by cagrpo's "balanced" weights):
 *
 *   (w*, t*) = argmax_{w∈Δ, t} t   s.t.  (A w)_c ≥ t for every row c
 *
 * where A[c][k] = ⟨g_c, g̃_k⟩ is the first-order gain of capability c from a unit step along direction k. This is the
 * value of a zero-sum matrix game (von Neumann 1928), solved exactly by support enumeration: an optimal basic solution
 * has a row set R and column set S with |R| = |S| on which A_RS w_S = t·1, Σ w_S = 1. For T ≤ 10 capabilities that is
 * C(2T, T) tiny solves (70 for T = 4). When the equal-gain solution of all capabilities is feasible it is optimal,
 * so every capability improves by exactly the same first-order amount.
 */
import { solve, type Matrix } from "./linalg.ts";

function subsets(n: number, k: number): number[][] {
  const out: number[][] = [];
  const rec = (start: number, acc: number[]) => {
    if (acc.length === k) return void out.push(acc.slice());
    for (let i = start; i < n; i++) rec(i + 1, [...acc, i]);
  };
  rec(0, []);
  return out;
}

export function maxMinGain(A: Matrix): { weights: number[]; value: number; systems: number } {
  const rows = A.length,
    cols = A[0]?.length ?? 0;
  if (rows === 0 || cols === 0) throw new Error("maxMinGain needs a non-empty matrix");
  if (Math.max(rows, cols) > 10) throw new Error(`maxMinGain enumerates supports; ${rows}×${cols} is too large`);
  let scale = 0;
  for (const r of A) for (const v of r) scale = Math.max(scale, Math.abs(v));
  if (scale === 0) return { weights: new Array<number>(cols).fill(1 / cols), value: 0, systems: 0 };
  const As = A.map((r) => r.map((v) => v / scale));
  let best: number[] | null = null,
    bestT = -Infinity,
    systems = 0;
  for (let k = 1; k <= Math.min(rows, cols); k++)
    for (const R of subsets(rows, k))
      for (const S of subsets(cols, k)) {
        // unknowns [w_S (k), t]; equations: A_RS w_S − t = 0 (k rows), Σ w_S = 1
        const K: Matrix = R.map((r) => [...S.map((s) => As[r][s]), -1]);
        K.push([...S.map(() => 1), 0]);
        const rhs = [...R.map(() => 0), 1];
        systems++;
        const x = solve(K, rhs, 1e-12);
        if (!x) continue;
        const wS = x.slice(0, k),
          t = x[k];
        if (wS.some((v) => v < -1e-10) || !(t > bestT + 1e-13)) continue;
        const w = new Array<number>(cols).fill(0);
        S.forEach((s, i) => (w[s] = Math.max(0, wS[i])));
        const sum = w.reduce((a, b) => a + b, 0);
        for (let i = 0; i < cols; i++) w[i] /= sum;
        const gains = As.map((r) => r.reduce((a, v, j) => a + v * w[j], 0));
        if (gains.some((gc) => gc < t - 1e-9)) continue; // some other capability would do worse than t
        best = w;
        bestT = t;
      }
  if (!best) throw new Error("maxMinGain: no feasible support found (numerically degenerate matrix)");
  return { weights: best, value: bestT * scale, systems };
}

/**
 * Max–min with a floor (cagrpo's "balanced" weights, docs/method.md §6.5): the small linear program
 *
 *   max_{w∈Δ, t} t   s.t.  (B w)_r ≥ t  for every row r of B,   (F w)_f ≥ 0  for every row f of F
 *
 * B: the gains to balance (cagrpo: projected gains over preferences), F: the gains that must not be negative (cagrpo:
 * the original first-order gains). Solved exactly by vertex enumeration: with n = columns, a vertex makes n of the
 * inequalities (B rows, F rows, w_k ≥ 0) tight; with Σw = 1 that is an (n+1)×(n+1) system in (w, t). The best feasible
 * vertex is optimal (the feasible set is a polytope in w and t is bounded by B). C(|B|+|F|+n, n) solves: 495 for
 * n = 4. Returns null when no w ∈ Δ satisfies the floor (the caller decides what to do then).
 */
export function maxMinWithFloor(B: Matrix, F: Matrix): { weights: number[]; value: number; systems: number } | null {
  const n = B[0]?.length ?? F[0]?.length ?? 0;
  if (n === 0 || B.length === 0) throw new Error("maxMinWithFloor needs a non-empty matrix to balance");
  if (n > 6) throw new Error(`maxMinWithFloor enumerates vertices; ${n} columns is too many`);
  let scale = 0;
  for (const r of [...B, ...F]) for (const v of r) scale = Math.max(scale, Math.abs(v));
  if (scale === 0) return { weights: new Array<number>(n).fill(1 / n), value: 0, systems: 0 };
  // every inequality as a·(w, t) ≥ 0
  const ineq: number[][] = [
    ...B.map((r) => [...r.map((v) => v / scale), -1]),
    ...F.map((r) => [...r.map((v) => v / scale), 0]),
    ...Array.from({ length: n }, (_, k) => [...Array.from({ length: n }, (_, j) => (j === k ? 1 : 0)), 0]),
  ];
  let best: number[] | null = null,
    bestT = -Infinity,
    systems = 0;
  for (const act of subsets(ineq.length, n)) {
    const K: Matrix = act.map((i) => ineq[i].slice());
    K.push([...new Array<number>(n).fill(1), 0]);
    const rhs = [...new Array<number>(n).fill(0), 1];
    systems++;
    const x = solve(K, rhs, 1e-12);
    if (!x) continue;
    const t = x[n];
    if (!(t > bestT + 1e-13)) continue;
    if (ineq.some((a) => a.reduce((s, v, j) => s + v * x[j], 0) < -1e-10)) continue;
    best = x.slice(0, n).map((v) => Math.max(0, v));
    bestT = t;
  }
  if (!best) return null;
  const s = best.reduce((a, b) => a + b, 0);
  return { weights: best.map((v) => v / s), value: bestT * scale, systems };
}
