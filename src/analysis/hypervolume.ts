/**
 * Exact hypervolume for MAXIMISED objectives with an explicit reference point r:
 *
 *   HV_max(P, r) = λ( ∪_{p∈P} [r, p] ),  the volume dominated by P and bounded below by r.
 *
 * pymoo's `HV(ref_point)` (and most of the literature) uses MINIMISATION with the reference point as an upper bound;
 * the two are the same number after a sign flip of every coordinate:
 *
 *   HV_max(P, r) = HV_min(−P, −r)        (see `hypervolumeMin`, tested to agree)
 *
 * Points that are not strictly better than r in every objective contribute nothing (their box has zero volume).
 * DEAP (deap.tools.indicator.hypervolume → _hypervolume/pyhv.py, hv.cpp) computes the same minimisation HV on
 * −wvalues, but ASSUMES every point dominates r (its filter is commented out; its default r = worst + 1 makes it
 * true); beyond that precondition we follow the definition (Zitzler & Thiele 1998; pymoo, moocore) and ignore them.
 * Duplicates and weakly dominated points add no volume and have exclusive contribution 0 (tested against DEAP's
 * convention and inclusion–exclusion, with ties, in test/analysis/hypervolume.test.ts).
 *
 * Algorithm: "hypervolume by slicing objectives" (HSO; While, Hingston, Barone & Huband 2006, IEEE TEC 10(1)):
 * translate to boxes [0, q] with q = p − r, keep the non-dominated ones, sort by the last objective and sum
 * slab height × (d−1)-dimensional hypervolume of the points above the slab; 2-D is the classic staircase sweep.
 * Exact for any dimension; O(n log n) in 2-D, O(n²) in 3-D (incremental staircase), O(n³) in 4-D — fine for
 * hundreds of non-dominated runs in the browser.
 */
import { checkPoints, nonDominated, type Point } from "./pareto.ts";

export function hypervolume(points: readonly Point[], ref: readonly number[]): number {
  const m = checkPoints(points);
  if (points.length === 0) return 0;
  if (ref.length !== m) throw new Error(`reference point has ${ref.length} objectives, points have ${m}`);
  if (ref.some((x) => !Number.isFinite(x))) throw new Error(`reference point must be finite: [${ref.join(", ")}]`);
  const q = points.map((p) => p.map((v, k) => v - ref[k])).filter((p) => p.every((v) => v > 0));
  if (q.length === 0) return 0;
  const front = nonDominated(q).map((i) => q[i]);
  return hvBoxes(front, m);
}

/** pymoo convention: minimisation, ref is an upper bound (points must be < ref to count). */
export function hypervolumeMin(points: readonly Point[], ref: readonly number[]): number {
  return hypervolume(
    points.map((p) => p.map((v) => -v)),
    ref.map((v) => -v),
  );
}

/** volume of ∪ [0, q] for q > 0, using only the first d coordinates */
function hvBoxes(q: readonly Point[], d: number): number {
  if (q.length === 0) return 0;
  if (d === 1) return Math.max(...q.map((p) => p[0]));
  if (d === 2) {
    const s = q.slice().sort((a, b) => b[0] - a[0] || b[1] - a[1]);
    let area = 0,
      ymax = 0;
    for (const p of s)
      if (p[1] > ymax) {
        area += p[0] * (p[1] - ymax);
        ymax = p[1];
      }
    return area;
  }
  if (d === 3) return hv3(q);
  const last = d - 1;
  const s = q.slice().sort((a, b) => b[last] - a[last]);
  let vol = 0;
  for (let k = 0; k < s.length; k++) {
    const h = s[k][last] - (k + 1 < s.length ? s[k + 1][last] : 0);
    if (h <= 0) continue;
    vol += h * hvBoxes(s.slice(0, k + 1), d - 1);
  }
  return vol;
}

/**
 * 3-D: sweep z downwards, keeping the 2-D staircase of the points seen so far (x descending, y ascending) and its
 * area up to date by insertion — O(n²) instead of re-sorting every slice; it is the inner loop of the 4-D case.
 */
function hv3(q: readonly Point[]): number {
  const s = q.slice().sort((a, b) => b[2] - a[2]);
  const stair: Point[] = []; // non-dominated in (x, y): x strictly descending, y strictly ascending
  let area = 0,
    vol = 0;
  for (let k = 0; k < s.length; k++) {
    const p = s[k];
    // insert p unless a staircase point weakly dominates it in (x, y)
    if (!stair.some((t) => t[0] >= p[0] && t[1] >= p[1])) {
      const kept = stair.filter((t) => !(p[0] >= t[0] && p[1] >= t[1]));
      let i = 0;
      while (i < kept.length && kept[i][0] > p[0]) i++;
      kept.splice(i, 0, p);
      stair.length = 0;
      stair.push(...kept);
      area = 0;
      let ymax = 0;
      for (const t of stair) {
        area += t[0] * (t[1] - ymax);
        ymax = t[1];
      }
    }
    const h = p[2] - (k + 1 < s.length ? s[k + 1][2] : 0);
    if (h > 0) vol += h * area;
  }
  return vol;
}

/** Exclusive contribution of each point: HV(P) − HV(P \ {p}); 0 for dominated points and duplicates. */
export function hypervolumeContributions(points: readonly Point[], ref: readonly number[]): number[] {
  const total = hypervolume(points, ref);
  return points.map((_, i) =>
    Math.max(
      0,
      total -
        hypervolume(
          points.filter((__, j) => j !== i),
          ref,
        ),
    ),
  );
}

/**
 * Map objectives to [0, 1] with STATED bounds (lower ↦ 0, upper ↦ 1), e.g. accuracies with lower = 0, upper = 1,
 * or the observed min/max of a set of runs (then say so next to the number). Same idea as pymoo's
 * `HV(ref_point, ideal, nadir, zero_to_one=True)`, written for maximisation.
 */
export function normalizePoints(points: readonly Point[], lower: readonly number[], upper: readonly number[]): number[][] {
  const m = checkPoints(points);
  if (lower.length !== m || upper.length !== m) throw new Error(`bounds must have ${m} entries`);
  lower.forEach((lo, k) => {
    if (!(upper[k] > lo)) throw new Error(`upper bound ${upper[k]} must exceed lower bound ${lo} for objective ${k}`);
  });
  return points.map((p) => p.map((v, k) => (v - lower[k]) / (upper[k] - lower[k])));
}

/**
 * Hypervolume as a fraction of the box [ref, ideal]: 1 means a run reached `ideal` in every objective.
 * (HV(P, r) / ∏_k (ideal_k − r_k); equals the hypervolume of points normalised with lower = ref, upper = ideal.)
 */
export function normalizedHypervolume(points: readonly Point[], ref: readonly number[], ideal: readonly number[]): number {
  const box = ref.reduce((acc, r, k) => acc * (ideal[k] - r), 1);
  if (!(box > 0)) throw new Error("ideal must exceed the reference point in every objective");
  return hypervolume(points, ref) / box;
}
