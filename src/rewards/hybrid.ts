/** The hybrid reward's mix, with no node: imports (the GRPO reward phase is bundled for the browser: docs/live.md). */

/** r = α·rule + (1−α)·RM; α ≥ 1 is the rule alone (no reward model needed, its score may be NaN) */
export function hybridReward(alpha: number, rule: number, model: number): number {
  return alpha >= 1 ? rule : alpha * rule + (1 - alpha) * model;
}
