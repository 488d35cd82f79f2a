/**
 * Curve smoothing for the training page (the raw line stays visible next to it).
 *
 * `smooth(values, weight)`: TensorBoard's scalar-chart smoothing — a debiased exponential moving average,
 *     last ← last·w + (1 − w)·x_t ;  s_t = last / (1 − w^{n_t})
 * where n_t counts the finite values so far (the debias term, as in Adam, removes the pull towards the 0 start).
 * Non-finite values pass through unchanged and do not enter the average; a constant series is returned as is
 * (TensorBoard does the same to avoid rounding noise). weight ∈ [0, 1): 0 = raw, 0.6 = TensorBoard's default.
 */

export function smooth(values: readonly number[], weight: number): number[] {
  if (!(weight >= 0 && weight < 1)) throw new Error(`smoothing weight must be in [0, 1), got ${weight}`);
  const isConstant = values.every((v) => v === values[0]);
  let last = 0,
    n = 0;
  return values.map((x) => {
    if (isConstant || !Number.isFinite(x)) return x;
    last = last * weight + (1 - weight) * x;
    n++;
    return last / (1 - weight ** n);
  });
}

/** Trailing rolling mean over `window` values (shorter windows at the start); non-finite values are skipped. */
export function rollingMean(values: readonly number[], window: number): number[] {
  if (!Number.isInteger(window) || window < 1) throw new Error(`window must be a positive integer, got ${window}`);
  return values.map((_, i) => {
    let s = 0,
      n = 0;
    for (let j = Math.max(0, i - window + 1); j <= i; j++)
      if (Number.isFinite(values[j])) {
        s += values[j];
        n++;
      }
    return n ? s / n : NaN;
  });
}
