/**
 * corrupt(item, kind, rng, kg) — a plausible WRONG answer of a named type, made from the item's gold (the "rejected"
 * side of a reward-model preference pair; docs/method.md §3.4, §4.2: the RM is trained on validated gold vs. perturbed samples).
 *
 * A corruption edits the gold the way a near-miss answer would be wrong — one wrong fact, one broken hop, one violated
 * constraint — and keeps everything else. Types (CORRUPTIONS), by the checks they attack:
 *
 *   knowledge   wrong_option          MCQ: another option letter                                (answer_letter)
 *               wrong_fact            one stated fact swapped for a plausible wrong one: another
 *                                     chromosome / band on the same chromosome / gene at the same
 *                                     band / sibling term / namespace      (json_field, contains_any, answer_symbol,
 *                                                                           term_ns_column)
 *   reasoning   wrong_yes_no          the Yes/No conclusion flipped                             (yes_no)
 *               broken_chain          a hop skipped, a detour through a non-path parent, a wrong
 *                                     ancestor as target, or the chain reversed                (chain_valid)
 *               wrong_member          a set member swapped for / extended by a near-miss (gene at
 *                                     the same band, term of only one of the genes), or dropped
 *                                     (symbol_set, go_in_set, items_in_set, table_rows, contains_all)
 *               wrong_count           Count off by one / JSON array of the wrong length         (count_equals, json_array n)
 *               wrong_relation        "regulates" restated as is_a / part_of                    (mentions_relation)
 *   format      break_json, wrong_keys, lower_case, upper_case, exceed_words, unsort_list, drop_end_word, wrong_sentence_count,
 *               break_table, add_commas, merge_lines                                            (IFEval-style checks)
 *   workflow    drop_evidence, answer_before_evidence, wrong_evidence_code, out_of_scope, hedge (workflow_* checks)
 *
 * Integration items carry checks of every component, so every component has its corruptions there. One file per
 * component (knowledge.ts, reasoning.ts, format.ts, workflow.ts); context.ts holds what
 * they share (the item's context, typed check args, text edits, near-miss values from the KG).
 *
 * Guarantee: a returned answer scores STRICTLY lower than the gold under score(item, ·, kg). Each type proposes a
 * few candidate edits; candidates that do not lower the score are discarded, and among the rest the one that fails
 * the fewest checks outside the attacked ones wins (the most "near-miss" wrong answer), ties in rng order. null when
 * the type does not apply to the item or no candidate lowers the score. Deterministic given the rng state.
 */
import type { KG } from "../../kg/types.ts";
import { BbioError } from "../../util/errors.ts";
import { shuffled, type Rng } from "../../util/rng.ts";
import { kgIndex } from "../kgindex.ts";
import { score } from "../score.ts";
import type { CheckName } from "../checkargs.ts";
import type { CheckSpec, Item } from "../types.ts";
import { isJson, type Ctx, type Proposer } from "./context.ts";
import { wrongFact, wrongOption } from "./knowledge.ts";
import { brokenChain, wrongCount, wrongMember, wrongRelation, wrongYesNo } from "./reasoning.ts";
import {
  addCommas,
  breakJson,
  breakTable,
  dropEndWord,
  exceedWords,
  lowerCase,
  mergeLines,
  unsortList,
  upperCase,
  wrongKeys,
  wrongSentenceCount,
} from "./format.ts";
import { answerBeforeEvidence, dropEvidence, hedge, outOfScope, wrongEvidenceCode } from "./workflow.ts";

export const CORRUPTIONS = [
  "wrong_option",
  "wrong_fact",
  "wrong_yes_no",
  "broken_chain",
  "wrong_member",
  "wrong_count",
  "wrong_relation",
  "break_json",
  "wrong_keys",
  "lower_case",
  "upper_case",
  "exceed_words",
  "unsort_list",
  "drop_end_word",
  "wrong_sentence_count",
  "break_table",
  "add_commas",
  "merge_lines",
  "drop_evidence",
  "answer_before_evidence",
  "wrong_evidence_code",
  "out_of_scope",
  "hedge",
] as const;
export type Corruption = (typeof CORRUPTIONS)[number];

/** which checks each corruption attacks (an item with none of them cannot get that corruption) */
export const CORRUPTION_TARGETS: Record<Corruption, readonly CheckName[]> = {
  wrong_option: ["answer_letter", "answer_value"],
  wrong_fact: ["json_field", "contains_any", "answer_symbol", "term_ns_column", "field_equals"],
  wrong_yes_no: ["yes_no"],
  broken_chain: ["chain_valid"],
  wrong_member: ["symbol_set", "go_in_set", "items_in_set", "table_rows", "contains_all"],
  wrong_count: ["count_equals", "json_array"],
  wrong_relation: ["mentions_relation"],
  break_json: ["json_array", "json_object"],
  wrong_keys: ["json_object"],
  lower_case: ["all_caps"],
  upper_case: ["all_lower"],
  exceed_words: ["max_words"],
  unsort_list: ["sorted_list"],
  drop_end_word: ["ends_with"],
  wrong_sentence_count: ["n_sentences"],
  break_table: ["markdown_table"],
  add_commas: ["no_commas"],
  merge_lines: ["n_lines", "line_prefixes"],
  drop_evidence: ["workflow_evidence_first", "workflow_evidence_code"],
  answer_before_evidence: ["workflow_evidence_first"],
  wrong_evidence_code: ["workflow_evidence_code"],
  out_of_scope: ["workflow_in_scope"],
  hedge: ["workflow_single_conclusion"],
};

const PROPOSERS: Record<Corruption, Proposer> = {
  wrong_option: wrongOption,
  wrong_fact: wrongFact,
  wrong_yes_no: wrongYesNo,
  broken_chain: brokenChain,
  wrong_member: wrongMember,
  wrong_count: wrongCount,
  wrong_relation: wrongRelation,
  break_json: breakJson,
  wrong_keys: wrongKeys,
  lower_case: lowerCase,
  upper_case: upperCase,
  exceed_words: exceedWords,
  unsort_list: unsortList,
  drop_end_word: dropEndWord,
  wrong_sentence_count: wrongSentenceCount,
  break_table: breakTable,
  add_commas: addCommas,
  merge_lines: mergeLines,
  drop_evidence: dropEvidence,
  answer_before_evidence: answerBeforeEvidence,
  wrong_evidence_code: wrongEvidenceCode,
  out_of_scope: outOfScope,
  hedge,
};

/**
 * The corruption types that may apply to an item (it has a check the type attacks; JSON golds take no line-based
 * workflow edits). Cheap and structural: corrupt() can still return null for one of them (nothing strictly worse).
 */
export function applicableCorruptions(item: Item): Corruption[] {
  const names = new Set(item.checks.map((c) => c.name));
  const json = isJson(item.gold.trim());
  return CORRUPTIONS.filter((k) => {
    if (!CORRUPTION_TARGETS[k].some((n) => names.has(n))) return false;
    if (json && (k === "out_of_scope" || k === "hedge")) return false;
    if (k === "wrong_count" && !names.has("count_equals") && !item.checks.some((c) => c.name === "json_array" && c.args.n !== undefined))
      return false;
    if (k === "drop_evidence" || k === "answer_before_evidence")
      return json ? /"evidence"\s*:/.test(item.gold) : /^\s*evidence\s*:/im.test(item.gold);
    return true;
  });
}

/** The item components (knowledge / reasoning / format / workflow) a corruption attacks in this item. */
export function corruptionComponents(item: Item, kind: Corruption): CheckSpec["component"][] {
  const t = new Set<string>(CORRUPTION_TARGETS[kind]);
  return [...new Set(item.checks.filter((c) => t.has(c.name)).map((c) => c.component))];
}

export function corrupt(item: Item, kind: Corruption, rng: Rng, kg: KG): string | null {
  const proposer = PROPOSERS[kind];
  if (!proposer) throw new BbioError(`unknown corruption "${String(kind)}" (choose one of: ${CORRUPTIONS.join(", ")})`);
  if (!applicableCorruptions(item).includes(kind)) return null;
  const c: Ctx = { item, kg, ix: kgIndex(kg), rng, gold: item.gold, checks: item.checks };
  const base = score(item, item.gold, kg);
  const passedBefore = new Set(base.checks.map((r, i) => (r.pass ? i : -1)).filter((i) => i >= 0));
  const targets = new Set<string>(CORRUPTION_TARGETS[kind]);
  const seen = new Set<string>([item.gold]);
  const cands = shuffled(rng, proposer(c)).filter((s) => s.trim() !== "" && !seen.has(s) && (seen.add(s), true));
  let best: string | null = null,
    bestCollateral = Infinity;
  for (const s of cands) {
    const r = score(item, s, kg);
    if (!(r.score < base.score)) continue;
    // collateral damage: checks outside the attacked ones that the gold passed and this answer fails
    const collateral = r.checks.filter((x, i) => !x.pass && passedBefore.has(i) && !targets.has(x.name)).length;
    if (collateral < bestCollateral) [best, bestCollateral] = [s, collateral];
    if (collateral === 0) break;
  }
  return best;
}
