/**
 * Minimum-variance α (docs/method.md §4.3): rule-vs-model mixing α_c as the minimum-variance combination of two noisy estimates of the
 * same latent quality. With errors e_rule = rule − gold and e_RM = RM − gold (variances σ_rule², σ_RM², correlation ρ),
 * Var(α e_rule + (1−α) e_RM) is minimised by
 *
 *     α* = (σ_RM² − ρ σ_rule σ_RM) / (σ_rule² + σ_RM² − 2ρ σ_rule σ_RM),   clipped to [0, 1]
 *
 * (the classic two-estimator combination; ρ = 0 gives α* = σ_RM² / (σ_rule² + σ_RM²), inverse-variance weighting).
 * The denominator is Var(e_rule − e_RM); when it is 0 the two errors are identical and every α is equally good: we
 * return 0.5 and flag it. Estimate the moments on HELD-OUT items with gold labels (never the RL batch).
 * moments: "central" (variances and Pearson ρ, as the formula is stated) or "raw" (E[e²], E[e_rule e_RM]): raw moments
 * make α* the MSE-optimal mix, which also accounts for a systematic bias of one estimator.
 */
import { BbioError } from "../util/errors.ts";

export interface NoiseStats {
  sigmaRule2: number;
  sigmaRm2: number;
  rho: number;
  n: number;
}

export function estimateNoise(
  rule: readonly number[],
  rm: readonly number[],
  gold: readonly number[],
  moments: "central" | "raw" = "central",
): NoiseStats {
  const n = gold.length;
  if (rule.length !== n || rm.length !== n)
    throw new BbioError(`estimateNoise: rule (${rule.length}), rm (${rm.length}) and gold (${n}) must have equal length`);
  if (n < 2) throw new BbioError(`estimateNoise needs at least 2 held-out items, got ${n}`);
  if ([...rule, ...rm, ...gold].some((x) => !Number.isFinite(x))) throw new BbioError("estimateNoise: non-finite score");
  const e1 = rule.map((r, i) => r - gold[i]);
  const e2 = rm.map((r, i) => r - gold[i]);
  const m1 = moments === "central" ? e1.reduce((a, b) => a + b, 0) / n : 0;
  const m2 = moments === "central" ? e2.reduce((a, b) => a + b, 0) / n : 0;
  const den = moments === "central" ? n - 1 : n;
  let s11 = 0,
    s22 = 0,
    s12 = 0;
  for (let i = 0; i < n; i++) {
    s11 += (e1[i] - m1) ** 2;
    s22 += (e2[i] - m2) ** 2;
    s12 += (e1[i] - m1) * (e2[i] - m2);
  }
  s11 /= den;
  s22 /= den;
  s12 /= den;
  const rho = s11 > 0 && s22 > 0 ? Math.max(-1, Math.min(1, s12 / Math.sqrt(s11 * s22))) : 0;
  return { sigmaRule2: s11, sigmaRm2: s22, rho, n };
}

export function minVarianceAlpha(s: Pick<NoiseStats, "sigmaRule2" | "sigmaRm2" | "rho">): {
  alpha: number;
  degenerate: boolean;
  unclipped: number;
} {
  const a = Math.sqrt(Math.max(s.sigmaRule2, 0)),
    b = Math.sqrt(Math.max(s.sigmaRm2, 0));
  const den = a * a + b * b - 2 * s.rho * a * b;
  if (!(den > 1e-15 * Math.max(a * a + b * b, 1e-300))) return { alpha: 0.5, degenerate: true, unclipped: 0.5 };
  const unclipped = (b * b - s.rho * a * b) / den;
  return { alpha: Math.min(1, Math.max(0, unclipped)), degenerate: false, unclipped };
}

/** α_c for each capability from its held-out (rule, rm, gold) triples, with the estimated noise as diagnostics. */
export function mixingAlphas(
  perCapability: readonly { rule: readonly number[]; rm: readonly number[]; gold: readonly number[] }[],
  moments: "central" | "raw" = "central",
) {
  return perCapability.map((c) => {
    const noise = estimateNoise(c.rule, c.rm, c.gold, moments);
    return { ...noise, ...minVarianceAlpha(noise) };
  });
}
