/**
 * The MKGSG item contract shared by generation, validation, scoring, SFT, rewards and evaluation.
 * `gold` is the canonical answer text a perfect model would write; `score(item, gold).score === 1` for every item.
 */
import type { Split } from "../kg/types.ts";
import type { CheckSpec } from "./checkargs.ts";

export type { CheckArgs, CheckName, CheckSpec, CheckSpecOf, Component } from "./checkargs.ts";

export { CAPABILITIES, type Capability } from "../util/capabilities.ts";
import type { Capability } from "../util/capabilities.ts";

/**
 * An item's split: "train" (QA trained), "eval" (held out: with the gene world, the extraction split — card read, QA
 * never seen; only ever evaluated), "dev" (gene world only: development genes, card read, QA never seen — what budgets
 * and formats are chosen on, so the extraction split is never tuned on), "control" (gene world only: genes with
 * neither card nor QA, the guessing baseline).
 */
export type ItemSplit = Split | "dev" | "control";

export interface Item {
  id: string;
  family: Capability;
  kind: string; // e.g. "mcq_chromosome", "chain_isa", "json_array_terms"
  split: ItemSplit;
  prompt: string;
  gold: string;
  checks: CheckSpec[];
  provenance: { genes: number[]; terms: string[]; evidence: string[] };
  seed: number;
  /** MCQ items: the four option texts in letter order (knowledge accuracy by option log-likelihood needs them) */
  options?: string[];
}

export interface CheckResult {
  name: string;
  component: CheckSpec["component"];
  pass: boolean;
  detail?: string;
}

export interface ScoreResult {
  score: number; // in [0, 1]
  checks: CheckResult[];
  /** mean pass rate per component present in the item's checks */
  components: Partial<Record<CheckSpec["component"], number>>;
}

export { REJECT_STAGES, type RejectStage } from "../util/reject_stages.ts";
import type { RejectStage } from "../util/reject_stages.ts";

export interface Reject {
  id: string;
  family: Capability;
  kind: string;
  stage: RejectStage;
  reason: string; // a named reason, e.g. "distractor_true_via_ancestor"
  detail: string;
}
