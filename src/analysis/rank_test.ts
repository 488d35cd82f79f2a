/**
 * Exact small-sample tests for seed-level claims (docs/method.md §8.7): with 3–5 RL seeds per method no normal
 * approximation is honest, so the p-values here are exact.
 *
 * mannWhitneyGreater: the one-sided Mann–Whitney (Wilcoxon rank-sum) test that x's values tend to exceed y's, as an
 * exact permutation test of U = #{(i, j): x_i > y_j} + ½ #{x_i = y_j} (Mann & Whitney 1947; Hollander, Wolfe & Chicken
 * 2014, §4.1). Under H0 every split of the pooled values into |x| and |y| is equally likely; p = the fraction of the
 * C(n+m, n) splits whose U is ≥ the observed one. Ties are handled exactly (the statistic is computed on the values).
 * Disjoint samples give the smallest p: 1 / C(n+m, n) — 3 vs 3: 1/20 = 0.05; 5 vs 5: 1/252 ≈ 0.004.
 *
 * holm: Holm's (1979) step-down adjustment of k p-values: sorted ascending, p_(i) · (k − i + 1), made monotone and
 * capped at 1. Controls the family-wise error rate under any dependence between the tests.
 *
 * signTest: the exact two-sided sign test of k successes in n trials at p = ½ (ties left out by the caller):
 * p = min(1, 2 · P(X ≤ min(k, n − k))), X ~ Binomial(n, ½).
 */

/** the number of splits is C(n+m, n); past this the test refuses rather than approximate */
const MAX_SPLITS = 2_000_000;

function binom(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/** U = #{x_i > y_j} + ½ #{x_i = y_j} */
export function mannWhitneyU(x: readonly number[], y: readonly number[]): number {
  let u = 0;
  for (const a of x) for (const b of y) u += a > b ? 1 : a === b ? 0.5 : 0;
  return u;
}

export interface RankTest {
  u: number;
  /** exact one-sided p-value for "x tends to exceed y" */
  p: number;
  n: number;
  m: number;
}

export function mannWhitneyGreater(x: readonly number[], y: readonly number[]): RankTest {
  const n = x.length,
    m = y.length;
  if (!n || !m) throw new Error("mannWhitneyGreater: each sample needs at least one value");
  if ([...x, ...y].some((v) => !Number.isFinite(v))) throw new Error("mannWhitneyGreater: non-finite value");
  if (binom(n + m, n) > MAX_SPLITS) throw new Error(`mannWhitneyGreater: ${n} vs ${m} values is past the exact test's size`);
  const u = mannWhitneyU(x, y);
  const pooled = [...x, ...y];
  const N = pooled.length;
  let atLeast = 0,
    total = 0;
  // enumerate every n-subset of the pooled values as "x"
  const pick: number[] = [];
  const rec = (start: number) => {
    if (pick.length === n) {
      const inX = new Set(pick);
      const xs = pick.map((i) => pooled[i]),
        ys = pooled.filter((_, i) => !inX.has(i));
      total++;
      // compare with a small tolerance: U is a multiple of ½, computed exactly in floating point
      if (mannWhitneyU(xs, ys) >= u - 1e-9) atLeast++;
      return;
    }
    for (let i = start; i <= N - (n - pick.length); i++) {
      pick.push(i);
      rec(i + 1);
      pick.pop();
    }
  };
  rec(0);
  return { u, p: atLeast / total, n, m };
}

/** Holm-adjusted p-values, in the input's order */
export function holm(ps: readonly number[]): number[] {
  const k = ps.length;
  const order = ps.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(k);
  let running = 0;
  order.forEach(([p, i], r) => {
    running = Math.max(running, Math.min(1, (k - r) * p));
    out[i] = running;
  });
  return out;
}

/** exact two-sided sign test: k of n non-tied observations on one side, p = ½ each under H0 */
export function signTest(k: number, n: number): number {
  if (!Number.isInteger(k) || !Number.isInteger(n) || k < 0 || k > n) throw new Error(`signTest: need 0 ≤ k ≤ n integers, got ${k}, ${n}`);
  if (n === 0) return 1;
  const lo = Math.min(k, n - k);
  // P(X ≤ lo) with log-space terms (n can be a few hundred steps)
  let logC = 0,
    tail = 0;
  for (let i = 0; i <= lo; i++) {
    if (i > 0) logC += Math.log(n - i + 1) - Math.log(i);
    tail += Math.exp(logC - n * Math.LN2);
  }
  return Math.min(1, 2 * tail);
}
