/**
 * Mean ± spread over seeds per config group (the Pareto page's "group by config").
 * sd is the sample standard deviation (n − 1); sem = sd/√n; with n = 1 both are 0 (a single seed has no spread —
 * the page should say "1 seed" rather than show a zero-width bar as certainty).
 */

export interface Summary {
  n: number;
  mean: number;
  sd: number;
  sem: number;
  min: number;
  max: number;
  median: number;
}

export function summarize(values: readonly number[]): Summary {
  const xs = values.filter((x) => Number.isFinite(x));
  const n = xs.length;
  if (n === 0) return { n: 0, mean: NaN, sd: NaN, sem: NaN, min: NaN, max: NaN, median: NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  const sorted = xs.slice().sort((a, b) => a - b);
  const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { n, mean, sd, sem: sd / Math.sqrt(n), min: sorted[0], max: sorted[n - 1], median };
}

/** Group rows by a key and summarise each numeric field; groups come back in first-seen order. */
export function groupSummary<R>(
  rows: readonly R[],
  key: (r: R) => string,
  fields: Record<string, (r: R) => number>,
): { key: string; n: number; stats: Record<string, Summary> }[] {
  const groups = new Map<string, R[]>();
  for (const r of rows) {
    const k = key(r);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  return [...groups].map(([k, rs]) => ({
    key: k,
    n: rs.length,
    stats: Object.fromEntries(Object.entries(fields).map(([name, f]) => [name, summarize(rs.map(f))])),
  }));
}

/**
 * Quantile of Student's t distribution with `df` degrees of freedom (exact: bisection on the CDF, which is the
 * regularised incomplete beta function, evaluated by Lentz's continued fraction — Numerical Recipes §6.4).
 * tQuantile(0.975, 2) = 4.3027, (0.975, 10) = 2.2281, → 1.95996 as df → ∞.
 */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`tQuantile: p must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new Error(`tQuantile: df must be positive, got ${df}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  let lo = 0,
    hi = 1;
  while (tCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (tCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

function tCdf(t: number, df: number): number {
  const x = df / (df + t * t);
  const tail = 0.5 * incompleteBeta(x, df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

export function logGamma(z: number): number {
  // Lanczos (g = 7, n = 9): ~15 significant digits for z > 0
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  z -= 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** regularised incomplete beta I_x(a, b) (the Lentz loop caps at 400 terms: accurate for a, b up to ~10⁴) */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  // Lentz's continued fraction
  const tiny = 1e-300;
  let f = 1,
    c = 1,
    d = 0;
  for (let i = 0; i <= 400; i++) {
    const m = i >> 1;
    let num: number;
    if (i === 0) num = 1;
    else if (i % 2 === 0) num = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    else num = -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + num * d;
    if (Math.abs(d) < tiny) d = tiny;
    d = 1 / d;
    c = 1 + num / c;
    if (Math.abs(c) < tiny) c = tiny;
    const cd = c * d;
    f *= cd;
    if (Math.abs(1 - cd) < 1e-15) break;
  }
  return (front * (f - 1)) / a;
}

/** An estimate with its interval (the same shape for a mean over seeds and for one run's bootstrap CI). */
export interface Estimate {
  mean: number;
  lo: number;
  hi: number;
  n: number;
}

/**
 * Mean with its t-interval over independent replicates (seeds): mean ± t_{(1+level)/2, n−1} · sd/√n.
 * With n = 1 there is no spread to estimate: lo = hi = NaN (say "1 seed", or use the run's own bootstrap CI).
 */
export function meanCI(values: readonly number[], level = 0.95): Estimate {
  const s = summarize(values);
  if (s.n < 2) return { mean: s.mean, lo: NaN, hi: NaN, n: s.n };
  const h = tQuantile((1 + level) / 2, s.n - 1) * s.sem;
  return { mean: s.mean, lo: s.mean - h, hi: s.mean + h, n: s.n };
}

/**
 * Interval for the difference a − b of two independent estimates from their own intervals, combining the half-widths
 * in quadrature (lower: a's lower and b's upper half-width; upper: the other two). For two normal intervals of the
 * same level this is the usual unpooled interval; for bootstrap CIs on the same test items it is conservative
 * (the paired interval would be narrower). NaN bounds when either interval is missing.
 */
export function differenceCI(a: Estimate, b: Estimate): { diff: number; lo: number; hi: number } {
  const diff = a.mean - b.mean;
  const lo = diff - Math.hypot(a.mean - a.lo, b.hi - b.mean);
  const hi = diff + Math.hypot(a.hi - a.mean, b.mean - b.lo);
  return { diff, lo, hi };
}

/**
 * Standard normal quantile Φ⁻¹(p): Acklam's rational approximation (relative error < 1.2e-9, far below any
 * bootstrap noise, so no refinement step).
 * normalQuantile(0.975) = 1.959964, normalQuantile(0.8) = 0.841621.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`normalQuantile: p must be in (0, 1), got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lowTail = 0.02425;
  if (p < lowTail) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lowTail) return -normalQuantile(1 - p);
  const q = p - 0.5,
    r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}
