/** Arithmetic mean; NaN for an empty list (a metric over nothing is undefined, not 0). */
export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}
