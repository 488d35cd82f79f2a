/**
 * Gradient-combination methods, keyed by their config name (grpo.method / `--set grpo.method=pcgrad`).
 * Each method is one file with its citation; all share the interface in types.ts.
 *
 *   sum          plain GRPO, weighted mean of gradients              (linear scalarisation)
 *   pcgrad       Yu et al. 2020, Gradient Surgery                     (NeurIPS)
 *   mgda         Désidéri 2012; Sener & Koltun 2018, min-norm        (NeurIPS)
 *   cagrpo       OURS: symmetric conflict projection + balanced / closed-form / min-norm weights (docs/method.md §6.5)
 *   cagrad       Liu et al. 2021, Conflict-Averse Gradient Descent    (NeurIPS)
 *   aligned_mtl  Senushkin et al. 2023, Independent Component Alignment (CVPR)
 */
import { sum } from "./sum.ts";
import { pcgrad } from "./pcgrad.ts";
import { mgda } from "./mgda.ts";
import { cagrpo } from "./cagrpo.ts";
import { cagrad } from "./cagrad.ts";
import { alignedMtl } from "./aligned_mtl.ts";
import type { CombineFn } from "./types.ts";
import { BbioError } from "../util/errors.ts";

export const METHOD_NAMES = ["sum", "pcgrad", "mgda", "cagrpo", "cagrad", "aligned_mtl"] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

export const METHODS: Record<MethodName, CombineFn> = {
  sum,
  pcgrad,
  mgda,
  cagrpo,
  cagrad,
  aligned_mtl: alignedMtl,
};

/**
 * Methods that define their own capability weights and take no preference weights (ctx.weights): MGDA's min-norm
 * point. A weight strategy under them would be computed, logged and never applied, so the config refuses the pair
 * (src/grpo/config.ts ignoredCombinations). Every other method applies the preferences (see each file).
 */
export const PREFERENCE_FREE_METHODS: readonly MethodName[] = ["mgda"];

export function usesPreferences(method: string): boolean {
  return !(PREFERENCE_FREE_METHODS as readonly string[]).includes(method);
}

export function getMethod(name: string): CombineFn {
  if (!(METHOD_NAMES as readonly string[]).includes(name))
    throw new BbioError(`unknown gradient method "${name}" (choose one of: ${METHOD_NAMES.join(", ")})`);
  return METHODS[name as MethodName];
}
