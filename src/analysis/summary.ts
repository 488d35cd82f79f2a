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
