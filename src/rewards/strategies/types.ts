/**
 * Named capability-weight strategies (docs/method.md §4.4). Each is a small object with
 * `update(stats, step) → {weights, diagnostics}`; stateless ones ignore the step, `dynamic` keeps EMA state.
 * Weights are on the simplex (w_c ≥ 0, Σ w_c = 1), in the order of the run's capability list.
 *
 * Pure TypeScript (no tfjs, no node:), so the same code runs in the GRPO loop, in tests and in the what-if page.
 */
import type { Matrix } from "../../gradients/linalg.ts";

export interface StrategyStats {
  /** Gram matrix of the per-capability policy gradients this step (T×T), from src/gradients/gram.ts */
  gram?: Matrix;
  /** rewards[c][g][i]: capability c, prompt group g, completion i (raw, unweighted per-capability rewards) */
  rewards?: number[][][];
  /** per-capability reward variance, if already computed (used by `dynamic`, which smooths it) */
  rewardVar?: number[];
}

export type StrategyDiagnostics = Record<string, number | number[] | number[][]>;

export interface StrategyResult {
  weights: number[];
  diagnostics: StrategyDiagnostics;
}

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
