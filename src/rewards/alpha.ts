/**
 * The hybrid reward's rule/model mix (docs/method.md §4.1): r_c = α_c·rule + (1−α_c)·RM, with α_c per capability a
 * number from the config or the minimum-variance mix (docs/method.md §4.3, src/weighting/min_variance_alpha.ts) of the
 * rule and RM noise that the RM stage estimated on held-out items (its result.json `noise`).
 */
import { existsSync, readFileSync } from "node:fs";
import { CAPABILITIES, type Capability } from "../mkgsg/types.ts";
import { BbioError } from "../util/errors.ts";
import type { Sink } from "../util/sink.ts";
import { minVarianceAlpha, type NoiseStats } from "../weighting/min_variance_alpha.ts";

/** grpo.alpha: a fixed α for every capability, or the minimum-variance mix */
export type AlphaSetting = number | "min_variance";

export { hybridReward } from "./hybrid.ts";

/**
 * α_c per capability: a fixed number from the config, or the minimum-variance mix of the RM stage's held-out noise
 * estimates. A capability without an estimate gets 0.5, flagged in the returned source.
 */
export function resolveAlphas(alpha: AlphaSetting, rmResultPath: string | null): { alphas: Record<Capability, number>; source: string } {
  if (typeof alpha === "number")
    return { alphas: Object.fromEntries(CAPABILITIES.map((c) => [c, alpha])) as Record<Capability, number>, source: "config" };
  if (!rmResultPath || !existsSync(rmResultPath))
    throw new BbioError(`grpo.alpha = "min_variance" needs the RM stage's result (${rmResultPath ?? "none"})`, 2);
  const result = JSON.parse(readFileSync(rmResultPath, "utf8")) as { noise?: Record<string, NoiseStats> };
  const noise = result.noise;
  if (!noise) throw new BbioError(`${rmResultPath}: no held-out noise estimates (re-run the rm stage)`, 2);
  const missing: string[] = [];
  const alphas = Object.fromEntries(
    CAPABILITIES.map((c) => {
      if (!noise[c]) missing.push(c);
      return [c, noise[c] ? minVarianceAlpha(noise[c]).alpha : 0.5];
    }),
  ) as Record<Capability, number>;
  return { alphas, source: missing.length ? `min_variance (no estimate for ${missing.join(", ")}: 0.5)` : "min_variance" };
}

/**
 * The minimum-variance α per capability, logged at step 0 as alpha_min_variance/<capability> whatever the config
 * fixes, so pages can show what that mix would have chosen. Returns them.
 */
export function logMinVarianceAlphas(sink: Sink | null, rmResultPath: string): Record<Capability, number> {
  const { alphas } = resolveAlphas("min_variance", rmResultPath);
  if (sink) for (const [c, a] of Object.entries(alphas)) sink.metric(0, `alpha_min_variance/${c}`, a);
  return alphas;
}
