/**
 * Helpers every weighting shares (gradient-combination methods and weight strategies alike).
 */

/** relative norm below which a capability's gradient counts as zero (no first-order signal) */
export const ZERO_TOL = 1e-8;

/**
 * The capabilities with a non-zero gradient: norm > zeroTol·(largest norm). A zero gradient carries no direction, so
 * min-norm weights, projections and closed forms leave it out (weight 0) instead of letting it pin the solution at 0.
 * None when every norm is 0.
 */
export function activeCapabilities(norms: readonly number[], zeroTol = ZERO_TOL): number[] {
  const maxN = Math.max(...norms);
  return norms.map((v, i) => (maxN > 0 && v > zeroTol * maxN ? i : -1)).filter((i) => i >= 0);
}
