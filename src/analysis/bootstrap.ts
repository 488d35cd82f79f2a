/**
 * Seeded percentile bootstrap (Efron & Tibshirani 1993, "An Introduction to the Bootstrap", ch. 13).
 *
 * Resample the n values with replacement B times (default 1,000), compute the statistic each time, and report the
 * (1−level)/2 and 1−(1−level)/2 quantiles (type-7 linear interpolation, as numpy.quantile's default).
 * Deterministic: the resampling stream is rngFor(seed, "bootstrap") from src/util/rng.ts.
 * pairedBootstrapCI resamples PAIRS (same item under two runs), the right CI for "A − B on the same eval items".
 */
import { rngFor } from "../util/rng.ts";
import { mean } from "../util/stats.ts";

export interface BootstrapOptions {
  resamples?: number;
  level?: number;
  seed?: number;
}

export interface CI {
  estimate: number;
  lo: number;
  hi: number;
  level: number;
  resamples: number;
  n: number;
}

/** type-7 quantile of an ASCENDING sorted array */
export function quantileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error("quantile of an empty array");
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h),
    hi = Math.ceil(h);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

function check(values: readonly number[], opts: BootstrapOptions) {
  if (values.length === 0) throw new Error("bootstrap of an empty sample");
  if (values.some((x) => !Number.isFinite(x))) throw new Error("bootstrap: non-finite value");
  const level = opts.level ?? 0.95,
    resamples = opts.resamples ?? 1000;
  if (!(level > 0 && level < 1)) throw new Error(`level must be in (0, 1), got ${level}`);
  if (!Number.isInteger(resamples) || resamples < 1) throw new Error(`resamples must be a positive integer, got ${resamples}`);
  return { level, resamples, seed: opts.seed ?? 0 };
}

export function bootstrapCI(
  values: readonly number[],
  opts: BootstrapOptions = {},
  statistic: (xs: readonly number[]) => number = mean,
): CI {
  const { level, resamples, seed } = check(values, opts);
  const n = values.length;
  const rng = rngFor(seed, "bootstrap");
  const stats = new Array<number>(resamples);
  const buf = new Array<number>(n);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) buf[i] = values[Math.floor(rng() * n)];
    stats[b] = statistic(buf);
  }
  stats.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return { estimate: statistic(values), lo: quantileSorted(stats, tail), hi: quantileSorted(stats, 1 - tail), level, resamples, n };
}

/** CI of mean(a − b) over paired observations (a[i], b[i] measured on the same item). */
export function pairedBootstrapCI(a: readonly number[], b: readonly number[], opts: BootstrapOptions = {}): CI {
  if (a.length !== b.length) throw new Error(`paired bootstrap needs equal lengths, got ${a.length} and ${b.length}`);
  return bootstrapCI(
    a.map((x, i) => x - b[i]),
    opts,
  );
}
