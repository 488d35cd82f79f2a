/**
 * Δm% — average relative change of a method m against a baseline b over T tasks/capabilities
 * (Maninis, Radosavovic & Kokkinos 2019, "Attentive Single-Tasking of Multiple Tasks", CVPR; the standard MTL
 * summary metric, e.g. in Liu et al. 2021 CAGrad and LibMTL):
 *
 *   Δm = (1/T) Σ_t (−1)^{l_t} (M_m,t − M_b,t) / M_b,t × 100
 *
 * l_t = 1 when LOWER is better for metric t (errors, losses), 0 when higher is better (accuracies — our default).
 * Positive Δm = better than the baseline on average. The ablations page uses plain-GRPO (`sum`) as the baseline.
 */

export function deltaM(
  method: readonly number[],
  baseline: readonly number[],
  lowerIsBetter: readonly boolean[] = [],
): { deltaM: number; perTask: number[] } {
  if (method.length !== baseline.length || method.length === 0)
    throw new Error(`deltaM needs equal, non-zero numbers of metrics (got ${method.length} and ${baseline.length})`);
  const perTask = method.map((m, t) => {
    const b = baseline[t];
    if (!Number.isFinite(m) || !Number.isFinite(b)) throw new Error(`deltaM: non-finite metric at task ${t}`);
    if (b === 0) throw new Error(`deltaM: baseline metric ${t} is 0, relative change undefined`);
    const sign = lowerIsBetter[t] ? -1 : 1;
    return ((sign * (m - b)) / Math.abs(b)) * 100;
  });
  return { deltaM: perTask.reduce((a, b) => a + b, 0) / perTask.length, perTask };
}
