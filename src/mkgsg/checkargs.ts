/**
 * The args of every check, by check name: the contract between the builders (kinds.ts, build.ts) that write them, the
 * scorer (checks.ts, workflow.ts) and the validator (validate.ts) that read them, and the corruptor (corrupt/) that
 * aims at them. A CheckSpec is a union discriminated by `name`, so a builder that writes an arg the check does not
 * read, or leaves out one it needs, fails tsc.
 *
 * Args are also the grounded facts the validator recomputes: e.g. answer_letter carries the question's relation and
 * subject, field_equals the gene whose fact the label states. Items read back from JSON are trusted to this shape
 * (the validator and the scorer turn a wrong shape into a named reason, never a crash).
 */
import type { Namespace } from "../kg/types.ts";

/** the question behind an MCQ (answer_letter / answer_value): the validator recomputes each option's truth from it */
export type McqFact =
  | { relation: "chromosome" | "cytoband"; subject: number }
  | { relation: "alias_of"; subject: string }
  | { relation: "alias"; subject: number }
  | { relation: "defined_as"; subject: string; ns: Namespace }
  | { relation: "annotated"; subject: number; ns: Namespace };

/** a labelled gene fact: the values name an alias's one owner, or they are a gene's chromosome(s) / band(s) */
export type GeneFact = { alias: string; gene?: never } | { gene: number; alias?: never };

/** a check that reads no args (an arg given to it is a builder's mistake) */
export type NoArgs = Partial<Record<string, never>>;

export interface CheckArgs {
  // ── knowledge / reasoning content ──
  answer_letter: { letter: string } & McqFact;
  answer_value: { value: string; template?: string } & McqFact;
  field_equals: { label: string; values: string[] } & (
    | { alias: string; gene?: never; fact?: never }
    | { gene: number; fact: "band" | "chromosome"; alias?: never }
  );
  yes_no: { expected: "yes" | "no" };
  /**
   * `gene`: the chain starts at this gene's annotated term. `alternatives` (gene world): the target's OTHER children
   * in the term cards — wrong last hops a model that skips the gene hop could take; the validator wants ≥ 2, each a
   * real is_a/part_of child of the target (docs/method.md §3)
   */
  chain_valid: { start: string; target: string; gene?: number; alternatives?: string[] };
  /** `child`, `parent`: the regulates edge the answer names (the validator checks it is one, and no is_a/part_of path) */
  mentions_relation: { rel: string } & ({ child: string; parent: string } | { child?: never; parent?: never });
  go_in_set: { set: string[]; genes: [number, number] };
  /** `band`, `term`: the set is the genes at that band annotated (true-path) to that term */
  symbol_set: { expected: string[]; strip_last?: string } & ({ band: string; term: string } | { band?: never; term?: never });
  answer_symbol: { symbol: string; band: string; term: string };
  count_equals: { n: number };
  /** `sentence`: only that sentence (0-based) is searched; the rest name the fact the values state, for the validator */
  contains_any: { values: string[]; sentence?: number; gene?: number; term?: string; annotated_to?: number; parents_of?: string };
  /** `subset`: the items are some of the gene's aliases, not all of them */
  contains_all: { items: string[]; gene: number; subset?: boolean };
  json_field: { key: string; values: string[] } & GeneFact;
  items_in_set: { set: string[]; key?: string; gene: number; ns: Namespace };
  /** rows are the gene's direct annotations (`facts_of`), its terms in one namespace (`gene`, `ns`), or two genes' shared terms */
  table_rows: { rows: string[][]; cols: number[] } & (
    | { facts_of: number; gene?: never; ns?: never; genes?: never }
    | { gene: number; ns: Namespace; facts_of?: never; genes?: never }
    | { genes: [number, number]; facts_of?: never; gene?: never; ns?: never }
  );
  term_ns_column: { term_col: number; ns_col: number };
  // ── format (IFEval-style) ──
  json_array: { n?: number };
  json_object: { keys: string[]; ordered?: boolean };
  all_caps: NoArgs;
  all_lower: NoArgs;
  /** IFEval "less than n words" */
  max_words: { n: number };
  n_sentences: { n: number };
  ends_with: { word: string };
  sorted_list: { strip_last?: string };
  /** `rows`: only when the prompt states the count (no check counts what the prompt does not state) */
  markdown_table: { header: string[]; rows?: number };
  no_commas: NoArgs;
  n_lines: { n: number };
  line_prefixes: { prefixes: string[] };
  // ── workflow (workflow.ts) ──
  workflow_evidence_first: NoArgs;
  /** the codes the KG records for the facts (gene, GO term) the item rests on */
  workflow_evidence_code: { codes: string[]; facts: readonly (readonly [number, string])[] };
  workflow_in_scope: { terms: string[]; genes: string[] };
  workflow_single_conclusion: NoArgs;
}

export type CheckName = keyof CheckArgs;
export type Component = "knowledge" | "reasoning" | "format" | "workflow";

/** one check of one name */
export interface CheckSpecOf<N extends CheckName> {
  name: N;
  /** component this check belongs to, for per-component partial credit (integration items) */
  component: Component;
  args: CheckArgs[N];
}

/** One verifiable check the rule-based scorer runs: {name, component, args} with the args that name reads. */
export type CheckSpec = { [N in CheckName]: CheckSpecOf<N> }[CheckName];

/** the args of every check of one name among some checks (in their order) */
export function argsOf<N extends CheckName>(checks: readonly CheckSpec[], name: N): CheckArgs[N][] {
  return checks.filter((c): c is Extract<CheckSpec, { name: N }> => c.name === name).map((c) => c.args as CheckArgs[N]);
}
