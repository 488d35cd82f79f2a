/**
 * Pareto dominance for MAXIMISED objectives (capability accuracies: higher is better).
 *
 *   a dominates b  ⇔  a_k ≥ b_k for every k  and  a_k > b_k for some k
 *
 * Equal points do not dominate each other, so duplicates are all kept on the front. Pure TypeScript: the Pareto and
 * what-if pages import this file in the browser.
 */

export type Point = readonly number[];

export function checkPoints(points: readonly Point[], what = "points"): number {
  if (points.length === 0) return 0;
  const m = points[0].length;
  points.forEach((p, i) => {
    if (p.length !== m) throw new Error(`${what}[${i}] has ${p.length} objectives, ${what}[0] has ${m}`);
    if (p.some((x) => !Number.isFinite(x))) throw new Error(`${what}[${i}] has a non-finite objective: [${p.join(", ")}]`);
  });
  return m;
}

export function dominates(a: Point, b: Point): boolean {
  let strictly = false;
  for (let k = 0; k < a.length; k++) {
    if (a[k] < b[k]) return false;
    if (a[k] > b[k]) strictly = true;
  }
  return strictly;
}

/** Indices (ascending) of the points no other point dominates. O(n² m); n is the number of runs. */
export function nonDominated(points: readonly Point[]): number[] {
  checkPoints(points);
  const out: number[] = [];
  for (let i = 0; i < points.length; i++) {
    let dominated = false;
    for (let j = 0; j < points.length && !dominated; j++) if (j !== i && dominates(points[j], points[i])) dominated = true;
    if (!dominated) out.push(i);
  }
  return out;
}

/**
 * Fast non-dominated sorting (Deb, Pratap, Agarwal & Meyarivan 2002, NSGA-II, IEEE TEC 6(2) §III-A):
 * fronts[0] is the non-dominated set, fronts[1] is non-dominated once fronts[0] is removed, ...;
 * rank[i] is the index of the front containing point i. Indices inside a front are ascending.
 */
export function nonDominatedSort(points: readonly Point[]): { fronts: number[][]; rank: number[] } {
  checkPoints(points);
  const n = points.length;
  const dominatedBy = Array.from({ length: n }, () => [] as number[]); // S_p: points p dominates
  const count = new Array<number>(n).fill(0); // n_p: how many dominate p
  for (let p = 0; p < n; p++)
    for (let q = p + 1; q < n; q++) {
      if (dominates(points[p], points[q])) {
        dominatedBy[p].push(q);
        count[q]++;
      } else if (dominates(points[q], points[p])) {
        dominatedBy[q].push(p);
        count[p]++;
      }
    }
  const rank = new Array<number>(n).fill(-1);
  const fronts: number[][] = [];
  let current = [...Array(n).keys()].filter((p) => count[p] === 0);
  while (current.length) {
    fronts.push(current);
    const next: number[] = [];
    for (const p of current) {
      rank[p] = fronts.length - 1;
      for (const q of dominatedBy[p]) if (--count[q] === 0) next.push(q);
    }
    current = next.sort((a, b) => a - b);
  }
  return { fronts, rank };
}

/** Weighted score Σ_k w_k p_k per point (the what-if page's scalarisation); weights need not be normalised. */
export function weightedScores(points: readonly Point[], weights: readonly number[]): number[] {
  const m = checkPoints(points);
  if (points.length && weights.length !== m) throw new Error(`got ${weights.length} weights for ${m} objectives`);
  return points.map((p) => p.reduce((s, v, k) => s + v * weights[k], 0));
}

/**
 * The 2-D front of a projection, ordered by the first axis: what a scatter joins with a line.
 * (The 2-D front of a projection is NOT the projection of the full front: a run can be non-dominated in 4-D and
 * dominated in the chosen pair.)
 */
export function front2d(points: readonly Point[], i: number, j: number): number[] {
  const proj = points.map((p) => [p[i], p[j]]);
  return nonDominated(proj).sort((a, b) => proj[a][0] - proj[b][0] || proj[b][1] - proj[a][1]);
}
