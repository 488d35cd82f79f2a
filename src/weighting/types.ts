/**
 * The one interface every gradient-combination method implements (LibMTL style: one small file per method).
 *
 *   combine(grads: T × d (flattened per capability), ctx) → { direction, weights, coef, diagnostics }
 *
 * Conventions (shared by every method, so runs are comparable):
 * - `grads[c]` is the gradient of capability c's objective over the SHARED parameters, flattened. Whether these are
 *   ascent gradients of J_c or descent gradients of a loss does not matter: every method here is odd-equivariant
 *   (negating all inputs negates the output), so the direction has the same meaning as the inputs.
 * - MEAN convention: preference weights live on the simplex (Σw = 1, default uniform 1/T), so `sum` with default
 *   weights returns the MEAN gradient and every method's direction is on the same scale as one capability's gradient.
 *   (TRL sums reward functions with weights 1.0, a T× larger gradient. Do NOT multiply the learning rate by T to
 *   "match": AdamW divides by √v̂, so the step size is set by the learning rate, nearly independent of the gradient's
 *   scale, and a T× learning rate would take T× larger steps than TRL. The scale shows only in global-norm clipping
 *   (max_grad_norm) and Adam's eps; to match TRL there, divide max_grad_norm by T.)
 * - `weights` are the method's capability weights as the method defines them (for pcgrad/cagrpo they multiply the
 *   PROJECTED gradients); `coef` are the effective coefficients on the ORIGINAL gradients,
 *   direction = Σ_k coef_k g_k — what the weights table stores to reconstruct the update.
 * - `diagnostics` hold only what is logged: scalars, per-capability vectors (length T) and T×T matrices.
 * - Deterministic: randomness only through ctx.rng, or a stream derived from (ctx.seed, ctx.step).
 */
import type { Rng } from "../util/rng.ts";
import type { Matrix } from "./linalg.ts";

export interface CombineContext {
  /** preference weights (normalised to the simplex); default uniform 1/T */
  weights?: readonly number[];
  /** random stream (PCGrad's shuffle); default rngFor(seed, `<method>/<step>`) */
  rng?: Rng;
  seed?: number;
  step?: number;
  /** precomputed Gram matrix of `grads` (the GRPO loop usually has it already for logging) */
  gram?: Matrix;
  /** CAGrad's c (conflict-aversion radius, Liu et al. 2021 use 0.4 or 0.5); default 0.5 */
  c?: number;
  /** mgda/cagrpo: drop capabilities whose gradient norm is ≤ zeroTol·max norm (they have no first-order signal) */
  zeroTol?: number;
  /** cagrpo weights: "balanced" (default, max–min first-order gain), "closed_form" (1/‖g̃_c‖²), "min_norm" (MGDA on G̃) */
  weightRule?: WeightRule;
}

/** cagrpo's weight rules; the one that chose the weights is logged as method/weight_rule/<rule> = 1 (no code table) */
export type WeightRule = "balanced" | "closed_form" | "min_norm";

/** logged as method/<key>: a scalar, a per-capability vector (length T), or a T×T matrix (summarised by max |off-diagonal|) */
export type Diagnostics = Record<string, number | number[] | number[][]>;

/**
 * What every weighting returns, a gradient-combination method (`combine`) and a weight strategy (`update`) alike:
 * per-capability weights in the run's capability order, and what it saw or did (logged as method/… metrics).
 */
export interface WeightingResult {
  weights: number[];
  diagnostics: Diagnostics;
}

/** a method's result: the weights plus the update direction they produce */
export interface CombineResult extends WeightingResult {
  direction: Float32Array;
  /** effective coefficients on the ORIGINAL gradients: direction = Σ_k coef_k g_k */
  coef: number[];
  /** capabilities left out because their gradient is ~0 (weight 0; mgda, cagrpo) */
  dropped?: number[];
  /** pcgrad: for each capability, the order in which the other capabilities were visited */
  order?: number[][];
}

export type CombineFn = (grads: readonly Float32Array[], ctx?: CombineContext) => CombineResult;

// ── weight strategies (docs/method.md §4.4): `update(stats, step) → {weights, diagnostics}` from this step's Gram or
// reward statistics; stateless ones ignore the step, `dynamic` keeps EMA state. Pure TypeScript (no tfjs, no node:),
// so the same code runs in the GRPO loop, in tests and in the what-if page.

export interface StrategyStats {
  /** Gram matrix of the per-capability policy gradients this step (T×T), from src/weighting/gram.ts */
  gram?: Matrix;
  /** rewards[c][g][i]: capability c, prompt group g, completion i (raw, unweighted per-capability rewards) */
  rewards?: number[][][];
  /** per-capability reward variance, if already computed (used by `dynamic`, which smooths it) */
  rewardVar?: number[];
}

export type StrategyDiagnostics = Diagnostics;

/** a strategy's result: preference weights on the simplex (w_c ≥ 0, Σ w_c = 1) */
export type StrategyResult = WeightingResult;

export interface WeightStrategy {
  readonly name: string;
  update(stats: StrategyStats, step: number): StrategyResult;
  /** stateful strategies (dynamic): JSON state for checkpoints, and its inverse, so a resumed run continues exactly */
  state?(): unknown;
  load?(state: unknown): void;
}

export interface StrategyOptions {
  /** number of capabilities */
  T: number;
  /** static: user-given reward weights (TRL's reward_weights), normalised to the simplex */
  rewardWeights?: readonly number[];
  /** inverse_variance: variance floor ε (rewards in [0,1] have Var ≤ 0.25, so ε = 0.01 caps ratios at 25×) */
  varianceFloor?: number;
  /** dynamic: inner strategy name */
  inner?: string;
  /** dynamic: recompute every K steps */
  every?: number;
  /** dynamic: EMA decay β of the smoothed statistics (TensorBoard-style debiased) */
  emaDecay?: number;
}
