/**
 * The lists every page and every analysis share: the four capabilities (MKGSG's families, in their one home
 * src/util/families.ts), their display labels, and the order methods and pipeline stages are listed in. The site gets
 * them from this bundle (docs/components/store.js re-exports them), so no page or component keeps its own copy.
 */
import { FAMILIES, type Family } from "../util/families.ts";

export type { Family };
/** the capabilities in the paper's order (= MKGSG's item families) */
export const CAPS: readonly Family[] = FAMILIES;

export const CAP_LABEL: Readonly<Record<Family, string>> = {
  knowledge: "Domain knowledge",
  reasoning: "Reasoning",
  instruction: "Instruction following",
  integration: "Integration",
};

/**
 * Methods in display order: the SFT starting point, plain GRPO, the conflict-handling baselines, ours last. The names
 * are runs.method values: the pipeline's "sft-only" label and the gradient registry's method names
 * (src/weighting/registry.ts METHOD_NAMES; test/analysis/labels.test.ts checks that every one of them is here).
 */
export const METHOD_ORDER: readonly string[] = ["sft-only", "sum", "pcgrad", "mgda", "cagrad", "aligned_mtl", "cagrpo"];

/** the methods that handle gradient conflict (everything but the SFT starting point and plain GRPO's sum) */
export const CONFLICT_HANDLING_METHODS: readonly string[] = METHOD_ORDER.filter((m) => m !== "sft-only" && m !== "sum");

/** position in `order`, unknown names last (99), then alphabetically */
const byOrder =
  (order: readonly string[]) =>
  (a: string, b: string): number =>
    (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || (a < b ? -1 : a > b ? 1 : 0);

/** methods in display order (known ones first, then any other name alphabetically) */
export const byMethodOrder = byOrder(METHOD_ORDER);

/** the pipeline's stages in the order they run (the metrics table's `stage` column) */
export const STAGE_ORDER: readonly string[] = ["generate", "sft", "rm", "grpo", "eval"];
/** stages in pipeline order; an unknown stage comes last */
export const byStageOrder = (a: string, b: string): number => (STAGE_ORDER.indexOf(a) + 1 || 99) - (STAGE_ORDER.indexOf(b) + 1 || 99);
