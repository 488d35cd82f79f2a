/**
 * Paired bootstrap of a method difference, and the minimum detectable difference at that sample size.
 *
 * Two methods A and B are scored on the SAME units (eval item × seed). d_i = a_i − b_i; the estimate is mean(d).
 * Units are resampled with replacement (Efron & Tibshirani 1993, ch. 13; the percentile interval, type-7 quantiles
 * as in bootstrap.ts). `groups` makes it a cluster bootstrap: observations sharing a label (e.g. one item across
 * seeds, or one seed's run) are resampled together, which is right when they are not independent. The resampled
 * statistic is Σ d over the drawn units / number of drawn observations (the same mean, for unequal cluster sizes).
 *
 * Standard error (analytic, linearised ratio estimator over G units with sums S_g and sizes n_g, N = Σ n_g):
 *     SE² = G/(G−1) · Σ_g (S_g − m·n_g)² / N²          = sd(d)²/N without groups, sd(unit means)²/G for equal sizes
 * Minimum detectable difference (two-sided test at level α with power 1−β, normal approximation; Cohen 1988 ch. 2):
 *     MDD = (z_{1−α/2} + z_{1−β}) · SE                   = (1.960 + 0.842) · SE ≈ 2.80 · SE  for α = 0.05, power 0.8
 * A true difference smaller than MDD is missed more often than 1 − power: "no significant difference" below it is
 * not evidence of "no difference".
 */
import { rngFor } from "../util/rng.ts";
import { quantileSorted } from "./bootstrap.ts";
import { normalQuantile } from "./summary.ts";

export interface PairedOptions {
  /** one label per observation; observations with the same label are resampled together (default: each alone) */
  groups?: readonly (string | number)[];
  /** bootstrap resamples (default 2,000) */
  iters?: number;
  seed?: number;
  /** interval level (default 0.95) */
  level?: number;
  /** MDD's test level α (default 0.05, two-sided) and power (default 0.8) */
  alpha?: number;
  power?: number;
}

export interface PairedResult {
  /** mean(a − b) */
  estimate: number;
  lo: number;
  hi: number;
  level: number;
  iters: number;
  /** observations, and resampling units (groups) */
  n: number;
  units: number;
  se: number;
  /** minimum detectable difference at this n (formula above) */
  mdd: number;
  alpha: number;
  power: number;
  /** the interval lies entirely on one side of 0 */
  excludesZero: boolean;
}

/** MDD = (z_{1−α/2} + z_{1−β}) · SE: the true difference a two-sided level-α test detects with the given power */
export const minimumDetectable = (se: number, alpha = 0.05, power = 0.8): number =>
  (normalQuantile(1 - alpha / 2) + normalQuantile(power)) * se;

export function pairedBootstrap(a: readonly number[], b: readonly number[], opts: PairedOptions = {}): PairedResult {
  if (a.length !== b.length) throw new Error(`pairedBootstrap: ${a.length} scores for A but ${b.length} for B (they must be paired)`);
  if (a.length === 0) throw new Error("pairedBootstrap: no paired scores");
  const d = a.map((x, i) => x - b[i]);
  if (d.some((x) => !Number.isFinite(x))) throw new Error("pairedBootstrap: non-finite score");
  const level = opts.level ?? 0.95,
    iters = opts.iters ?? 2000,
    alpha = opts.alpha ?? 0.05,
    power = opts.power ?? 0.8;
  if (!(level > 0 && level < 1)) throw new Error(`pairedBootstrap: level must be in (0, 1), got ${level}`);
  if (!Number.isInteger(iters) || iters < 1) throw new Error(`pairedBootstrap: iters must be a positive integer, got ${iters}`);
  if (!(alpha > 0 && alpha < 1) || !(power > 0 && power < 1)) throw new Error("pairedBootstrap: alpha and power must be in (0, 1)");
  if (opts.groups && opts.groups.length !== d.length)
    throw new Error(`pairedBootstrap: ${opts.groups.length} group labels for ${d.length} scores`);

  // units: per-unit sum of d and size
  const index = new Map<string | number, number>();
  const sums: number[] = [],
    sizes: number[] = [];
  d.forEach((x, i) => {
    const key = opts.groups ? opts.groups[i] : i;
    let u = index.get(key);
    if (u === undefined) index.set(key, (u = sums.length)), sums.push(0), sizes.push(0);
    sums[u] += x;
    sizes[u]++;
  });
  const G = sums.length,
    N = d.length;
  if (G < 2) throw new Error("pairedBootstrap: needs at least 2 resampling units (items × seeds, or groups)");
  const m = d.reduce((s, x) => s + x, 0) / N;

  let ss = 0;
  for (let g = 0; g < G; g++) ss += (sums[g] - m * sizes[g]) ** 2;
  const se = Math.sqrt((G / (G - 1)) * ss) / N;
  const mdd = minimumDetectable(se, alpha, power);

  const rng = rngFor(opts.seed ?? 0, "paired-bootstrap");
  const stats = new Array<number>(iters);
  for (let r = 0; r < iters; r++) {
    let s = 0,
      n = 0;
    for (let k = 0; k < G; k++) {
      const u = Math.floor(rng() * G);
      s += sums[u];
      n += sizes[u];
    }
    stats[r] = s / n;
  }
  stats.sort((x, y) => x - y);
  const tail = (1 - level) / 2;
  const lo = quantileSorted(stats, tail),
    hi = quantileSorted(stats, 1 - tail);
  return { estimate: m, lo, hi, level, iters, n: N, units: G, se, mdd, alpha, power, excludesZero: lo > 0 || hi < 0 };
}
