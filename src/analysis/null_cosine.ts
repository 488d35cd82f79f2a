/**
 * What |cos| between two gradients of dimension d would be if they were unrelated: the null band for the
 * orthogonality page (measured cosines must be read against it, |cos| ≈ 1/√d).
 *
 * For u, v independent and uniformly distributed directions in R^d (e.g. isotropic Gaussian vectors),
 *     cos² = (u·v)² / (‖u‖²‖v‖²)  ~  Beta(1/2, (d−1)/2)          (cos itself: (1 + cos)/2 ~ Beta((d−1)/2, (d−1)/2))
 * so P(|cos| ≤ t) = I_{t²}(1/2, (d−1)/2), with E[cos²] = 1/d and E|cos| = Γ(d/2) / (√π Γ((d+1)/2)) ≈ √(2/(πd)).
 * The band is the q-quantile of |cos|, found by bisection on that CDF (exact, for d ≤ 10⁴), and for larger d from
 * √d·cos → N(0, 1):  t_q ≈ Φ⁻¹((1+q)/2)/√d  (relative error O(1/d): < 1e-4 at d = 10⁴, tested at the switch).
 * The real gradient dimension is the number of parameters (10⁵–10⁶ for the tiny model): the normal branch.
 * Caveat stated on the page: gradients are not isotropic, so the band is a reference scale, not a test of it.
 */
import { incompleteBeta, logGamma, normalQuantile } from "./summary.ts";

export interface NullCosineBand {
  d: number;
  q: number;
  /** q-quantile of |cos|: a fraction q of random pairs has |cos| below it */
  halfWidth: number;
  /** E|cos| and the standard deviation of cos (= 1/√d) */
  meanAbs: number;
  sd: number;
  method: "beta" | "normal";
}

const EXACT_MAX_D = 10_000;

export function nullCosineBand(d: number, opts: { q?: number } = {}): NullCosineBand {
  const q = opts.q ?? 0.95;
  if (!Number.isInteger(d) || d < 2) throw new Error(`nullCosineBand: dimension must be an integer ≥ 2, got ${d}`);
  if (!(q > 0 && q < 1)) throw new Error(`nullCosineBand: q must be in (0, 1), got ${q}`);
  const meanAbs = Math.exp(logGamma(d / 2) - logGamma((d + 1) / 2)) / Math.sqrt(Math.PI);
  const sd = 1 / Math.sqrt(d);
  if (d > EXACT_MAX_D) return { d, q, halfWidth: normalQuantile((1 + q) / 2) * sd, meanAbs, sd, method: "normal" };
  const cdf = (t: number) => incompleteBeta(t * t, 0.5, (d - 1) / 2);
  let lo = 0,
    hi = 1;
  for (let i = 0; i < 100 && hi - lo > 1e-14; i++) {
    const mid = (lo + hi) / 2;
    if (cdf(mid) < q) lo = mid;
    else hi = mid;
  }
  return { d, q, halfWidth: (lo + hi) / 2, meanAbs, sd, method: "beta" };
}

/** Fraction of measured cosines inside the band (|cos| ≤ halfWidth): ≈ q when they look like random directions. */
export function fractionInsideBand(cosines: readonly number[], band: NullCosineBand): number {
  if (cosines.length === 0) return NaN;
  return cosines.filter((c) => Math.abs(c) <= band.halfWidth).length / cosines.length;
}
