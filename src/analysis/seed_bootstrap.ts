/**
 * The two-level (seeds × items) bootstrap of a method difference (docs/method.md §8.4).
 *
 * Design. Side A has s_A runs (RL seeds), side B has s_B; every run answers the same held-out items i = 1..I. Two
 * sources of randomness enter a method's score: which RL seeds were drawn (the training noise, e.g. sum's instruction
 * score 0.94 / 0.77 / 0.76 over three seeds) and which items were drawn (the test noise). Items are crossed with seeds
 * (every seed answers every item), seeds are nested in their side. The estimate is
 *     θ̂ = (1/I) Σ_i ( Ā_i − B̄_i ),   Ā_i = (1/s_A) Σ_s A[s, i],   B̄_i likewise
 * (the difference of the two sides' seed-mean scores).
 *
 * Resampling (one replicate): draw s_A seeds of A with replacement, s_B seeds of B with replacement (independently:
 * different methods' seeds are different training runs), and ONE resample of I items with replacement, applied to
 * every drawn seed on both sides, so the pairing on items is kept; θ* is θ̂ on the drawn array. This is the
 * pigeonhole bootstrap for crossed designs (Owen 2007, "The pigeonhole bootstrap", Ann. Appl. Stat. 1(2)), with the
 * seed factor resampled within each side as in a two-stage bootstrap (Davison & Hinkley 1997, §3.8; Field & Welsh 2007,
 * "Bootstrapping clustered data", JRSS-B 69(3)). Resampling both factors with replacement is mildly conservative
 * (it counts the seed × item interaction twice; McCullagh 2000, Bernoulli 6(2), shows no resampling scheme is exact
 * for crossed arrays), which is the side to err on here. With few seeds the seed factor's bootstrap distribution is
 * coarse (3 seeds: 10 distinct multisets) and, like any percentile bootstrap of n = 3, too narrow by about
 * √((n−1)/n): an interval from 3 seeds that excludes 0 is weak evidence, one that covers 0 is "undecided at 3 seeds".
 *
 * A side with ONE run (SFT-only has no RL seed; or a method run once) contributes no between-seed variance: drawing
 * one of one is that run. So SFT-only vs a 5-seed method gets its seed variance from the method's side only. When
 * BOTH sides have one run the interval is from items alone: `basis` says "items only (1 seed)" and the comparison is
 * never significant (a seed's luck is not in it).
 *
 * SE = the standard deviation of θ* over the replicates (the bootstrap estimate of standard error, Efron & Tibshirani
 * 1993 eq. 6.6), so it includes the between-seed variance; MDD = (z_{1−α/2} + z_{1−β}) · SE as in paired.ts.
 */
import { rngFor } from "../util/rng.ts";
import { quantileSorted } from "./bootstrap.ts";
import { minimumDetectable } from "./paired.ts";

/** one run's score on the compared items (its mean over the items both sides answered) */
export interface SeedScore {
  run: string;
  score: number;
}

export type ComparisonBasis = "seeds × items" | "items only (1 seed)";

export interface SeedComparison {
  /** mean over items of (A's seed mean − B's seed mean) */
  estimate: number;
  lo: number;
  hi: number;
  level: number;
  iters: number;
  /** items both sides answered */
  items: number;
  /** each run's own score on those items, per side: the values every mean is shown beside */
  seedsA: SeedScore[];
  seedsB: SeedScore[];
  /** bootstrap standard error (seed and item variance) and the minimum detectable difference from it */
  se: number;
  mdd: number;
  alpha: number;
  power: number;
  basis: ComparisonBasis;
  /** the interval lies on one side of 0 (a fact about the interval; `significant` is what may be claimed) */
  excludesZero: boolean;
  /** excludesZero AND the interval includes seed variance (never for one run per side) */
  significant: boolean;
}

export interface SeedBootstrapOptions {
  iters?: number;
  seed?: number;
  level?: number;
  alpha?: number;
  power?: number;
}

/**
 * A[s][i] and B[s][i]: run s's value on item i (the same item order on both sides, every run answers every item).
 * `runsA` / `runsB` name the rows (per-seed scores are reported under these names).
 */
export function seedItemBootstrap(
  A: readonly (readonly number[])[],
  B: readonly (readonly number[])[],
  runsA: readonly string[],
  runsB: readonly string[],
  opts: SeedBootstrapOptions = {},
): SeedComparison {
  const sA = A.length,
    sB = B.length;
  if (!sA || !sB) throw new Error("seedItemBootstrap: each side needs at least one run");
  if (runsA.length !== sA || runsB.length !== sB) throw new Error("seedItemBootstrap: one name per run");
  const I = A[0].length;
  if ([...A, ...B].some((row) => row.length !== I)) throw new Error("seedItemBootstrap: every run must answer the same items");
  if (I < 2) throw new Error("seedItemBootstrap: needs at least 2 shared items");
  if ([...A, ...B].some((row) => row.some((v) => !Number.isFinite(v)))) throw new Error("seedItemBootstrap: non-finite value");
  const level = opts.level ?? 0.95,
    iters = opts.iters ?? 2000,
    alpha = opts.alpha ?? 0.05,
    power = opts.power ?? 0.8;
  if (!(level > 0 && level < 1)) throw new Error(`seedItemBootstrap: level must be in (0, 1), got ${level}`);
  if (!Number.isInteger(iters) || iters < 2) throw new Error(`seedItemBootstrap: iters must be an integer ≥ 2, got ${iters}`);

  const rowMean = (row: readonly number[]) => row.reduce((s, v) => s + v, 0) / I;
  const seedsA = A.map((row, s) => ({ run: runsA[s], score: rowMean(row) })),
    seedsB = B.map((row, s) => ({ run: runsB[s], score: rowMean(row) }));
  const meanOf = (xs: SeedScore[]) => xs.reduce((s, x) => s + x.score, 0) / xs.length;
  const estimate = meanOf(seedsA) - meanOf(seedsB);

  const rng = rngFor(opts.seed ?? 0, "seed-item-bootstrap");
  // per item: the drawn A seeds' mean and the drawn B seeds' mean, summed apart and subtracted once, so runs that
  // score an item alike give exactly 0 there (interleaving += a/sA and −= b/sB left ±1e-17 residues, and an interval
  // of [−1e-17, −1e-17] read as "lower")
  const sumA = new Float64Array(I);
  const sumB = new Float64Array(I);
  const stats = new Array<number>(iters);
  for (let r = 0; r < iters; r++) {
    sumA.fill(0);
    sumB.fill(0);
    // a one-run side draws that run every time: its seed term is fixed, as it should be
    for (let k = 0; k < sA; k++) {
      const row = A[Math.floor(rng() * sA)];
      for (let i = 0; i < I; i++) sumA[i] += row[i] / sA;
    }
    for (let k = 0; k < sB; k++) {
      const row = B[Math.floor(rng() * sB)];
      for (let i = 0; i < I; i++) sumB[i] += row[i] / sB;
    }
    // one item resample shared by every drawn seed on both sides: the pairing on items
    let s = 0;
    for (let k = 0; k < I; k++) {
      const i = Math.floor(rng() * I);
      s += sumA[i] - sumB[i];
    }
    // draws that differ only in the order of equal values can still leave a last-bit residue: a difference below
    // 1e-12 of a score in [0, 1] is no difference (real ones are at least 1/(items · seeds))
    stats[r] = Math.abs(s / I) < 1e-12 ? 0 : s / I;
  }
  const m = stats.reduce((s, v) => s + v, 0) / iters;
  const se = Math.sqrt(stats.reduce((s, v) => s + (v - m) ** 2, 0) / (iters - 1));
  stats.sort((x, y) => x - y);
  const tail = (1 - level) / 2;
  const lo = quantileSorted(stats, tail),
    hi = quantileSorted(stats, 1 - tail);
  const basis: ComparisonBasis = sA > 1 || sB > 1 ? "seeds × items" : "items only (1 seed)";
  const excludesZero = lo > 0 || hi < 0;
  return {
    estimate,
    lo,
    hi,
    level,
    iters,
    items: I,
    seedsA,
    seedsB,
    se,
    mdd: minimumDetectable(se, alpha, power),
    alpha,
    power,
    basis,
    excludesZero,
    significant: excludesZero && basis === "seeds × items",
  };
}
