/**
 * "Clinical workflow constraints" — OUR reconstruction (docs/method.md §3.3): the BalancedBio abstract names them but does
 * not publish them. We instantiate them for a gene/ontology KG as rules an answer must follow and rules a generated
 * item must satisfy before it is kept:
 *
 *   ANSWER RULES (checked by the scorer on every answer; the gold must pass them — reasoning + integration items)
 *   workflow_evidence_first     the evidence is stated before the conclusion: the first line is "Evidence: …" and the
 *                               conclusion follows it (JSON answers: "evidence" is the first key). Findings →
 *                               conclusion, the order of a clinical note.
 *   workflow_evidence_code      the evidence code relied on is stated, and every code stated is one the KG records
 *                               for the facts the item rests on (no invented "IDA" for a TAS-only fact).
 *   workflow_in_scope           the answer mentions no GO term and no gene outside the item's scope (the genes named in
 *                               the question and the terms on its valid paths): do not wander beyond the question.
 *   workflow_single_conclusion  one conclusion, not hedged: at most one "Answer:" line, and not both Yes and No.
 *
 *   CURATION RULES (generator side; a violation is a Reject with stage "workflow")
 *   workflow_non_experimental_evidence  with data.evidence = "experimental", an item resting only on TAS
 *                                        (author statement) annotations is dropped.
 *   workflow_gold_violates      the constructed gold breaks one of the item's own answer rules.
 *   too_long                    prompt + gold exceed data.max_words or data.max_chars (the tiny model's context budget).
 *
 * With data.workflow_constraints = false (the "−workflow constraints" ablation) items carry no answer rules, golds
 * drop the Evidence line, and no workflow rejects happen.
 */
import type { KG } from "../kg/types.ts";
import type { Item } from "./types.ts";
import type { CheckArgs, CheckName, CheckSpecOf } from "./checkargs.ts";
import { kgIndex } from "./kgindex.ts";
import { conclusion, goIds, lines, parseJsonStrict } from "./text.ts";

export interface WorkflowRule {
  name: string;
  stage: "answer" | "curation";
  appliesTo: string;
  description: string;
}

export const WORKFLOW_RULES: readonly WorkflowRule[] = [
  {
    name: "workflow_evidence_first",
    stage: "answer",
    appliesTo: "reasoning + integration items about genes",
    description:
      "Evidence is stated before the conclusion: the first line is 'Evidence: …' and the conclusion follows (JSON: 'evidence' is the first key).",
  },
  {
    name: "workflow_evidence_code",
    stage: "answer",
    appliesTo: "reasoning + integration items about genes",
    description: "The evidence code relied on is stated, and every stated code is one the KG records for the item's facts.",
  },
  {
    name: "workflow_in_scope",
    stage: "answer",
    appliesTo: "reasoning + integration items",
    description: "The answer mentions no GO term or gene outside the item's scope (question genes, terms on valid paths).",
  },
  {
    name: "workflow_single_conclusion",
    stage: "answer",
    appliesTo: "reasoning + integration items",
    description: "One unhedged conclusion: at most one 'Answer:' line and not both Yes and No.",
  },
  {
    name: "workflow_non_experimental_evidence",
    stage: "curation",
    appliesTo: "all items resting on annotations",
    description: "With data.evidence='experimental', items resting only on TAS (traceable author statement) annotations are rejected.",
  },
  {
    name: "workflow_gold_violates",
    stage: "curation",
    appliesTo: "items with answer rules",
    description: "The generated gold must satisfy the item's own answer rules.",
  },
  {
    name: "too_long",
    stage: "curation",
    appliesTo: "all items",
    description: "Prompt + gold must fit data.max_words whitespace words (tiny-model context budget).",
  },
];

/** every evidence code GO uses (a stated code outside the KG's codes for the fact fails workflow_evidence_code) */
const ALL_CODES = new Set([
  "EXP",
  "IDA",
  "IPI",
  "IMP",
  "IGI",
  "IEP",
  "HTP",
  "HDA",
  "HMP",
  "HGI",
  "HEP",
  "IBA",
  "IBD",
  "IKR",
  "IRD",
  "ISS",
  "ISO",
  "ISA",
  "ISM",
  "IGC",
  "RCA",
  "TAS",
  "NAS",
  "IC",
  "ND",
  "IEA",
]);
/** words of our answer templates that are also official gene symbols somewhere (never count as out-of-scope genes) */
const RESERVED = new Set(["YES", "NO", "DONE", "ANSWER", "EVIDENCE", "CHAIN", "COUNT", "REASON", "TERM", "GENE", ...ALL_CODES]);

function jsonObj(a: string): Record<string, unknown> | null {
  const j = parseJsonStrict(a);
  return j.ok && j.value && typeof j.value === "object" && !Array.isArray(j.value) ? (j.value as Record<string, unknown>) : null;
}

function statedEvidence(answer: string): string | null {
  const o = jsonObj(answer);
  if (o) return typeof o.evidence === "string" ? o.evidence : null;
  const ev = lines(answer).find((l) => /^evidence\s*:/i.test(l));
  return ev ? ev.replace(/^evidence\s*:/i, "") : null;
}

type Outcome = { pass: boolean; detail?: string };
type WorkflowCheckName = Extract<CheckName, `workflow_${string}`>;

export const workflowChecks: { [N in WorkflowCheckName]: (a: string, args: CheckArgs[N], ctx: { kg: KG; item: Item }) => Outcome } = {
  workflow_evidence_first: (a) => {
    const o = jsonObj(a);
    if (o) {
      const first = Object.keys(o)[0];
      return { pass: first === "evidence", detail: `first key ${first ?? "none"}` };
    }
    // text: the first line is the evidence, and something (the conclusion) follows it
    const ls = lines(a);
    const e = ls.findIndex((l) => /^evidence\s*:/i.test(l));
    const c = ls.findIndex((l) => /^answer\s*:/i.test(l));
    const pass = e === 0 && ls.length > 1 && (c < 0 || c > e);
    return {
      pass,
      detail: e < 0 ? "no Evidence line" : e > 0 || c < e ? "conclusion before evidence" : ls.length < 2 ? "no conclusion" : undefined,
    };
  },
  workflow_evidence_code: (a, { codes }) => {
    const s = statedEvidence(a);
    if (s === null) return { pass: false, detail: "no evidence stated" };
    const stated = (s.toUpperCase().match(/\b[A-Z]{2,3}\b/g) ?? []).filter((c) => ALL_CODES.has(c));
    const bad = stated.filter((c) => !(codes as string[]).includes(c));
    const pass = stated.length > 0 && bad.length === 0;
    return {
      pass,
      detail: stated.length === 0 ? "no evidence code" : bad.length ? `not in KG for this fact: ${bad.join(",")}` : stated.join(","),
    };
  },
  workflow_in_scope: (a, { terms, genes }, { kg }) => {
    if (!a.trim()) return { pass: false, detail: "empty answer" };
    const outTerms = goIds(a).filter((t) => !(terms as string[]).includes(t));
    const symbols = kgIndex(kg).symbols;
    const allowed = new Set((genes as string[]).map((g) => g.toUpperCase()));
    const outGenes = a
      .split(/[\s,;:"'()[\]{}|]+/)
      .map((w) => w.replace(/\.+$/, ""))
      .filter((w) => w && symbols.has(w) && !allowed.has(w.toUpperCase()) && !RESERVED.has(w.toUpperCase()));
    const pass = outTerms.length === 0 && outGenes.length === 0;
    return { pass, detail: pass ? undefined : `out of scope: ${[...outTerms, ...outGenes].join(", ")}` };
  },
  workflow_single_conclusion: (a) => {
    const n = lines(a).filter((l) => /^answer\s*:/i.test(l)).length;
    const c = conclusion(a);
    const hedged = /\byes\b/i.test(c) && /\bno\b/i.test(c);
    return { pass: n <= 1 && !hedged, detail: n > 1 ? `${n} Answer lines` : hedged ? "both yes and no" : undefined };
  },
};

/**
 * The evidence codes the KG records for a list of facts (gene, GO term) — direct annotations only, any evidence.
 * Returns null if a fact is not a direct annotation at all.
 */
export function codesOfFacts(kg: KG, facts: readonly (readonly [number, string])[]): string[] | null {
  const out = new Set<string>();
  for (const [g, go] of facts) {
    const rows = kg.annotationsOfGene(g).filter((a) => a.go === go);
    if (rows.length === 0) return null;
    for (const a of rows) out.add(a.evidence);
  }
  return [...out].sort();
}

/** run a workflow answer rule on an answer (null: the check is no workflow rule) */
export function runWorkflowCheck<N extends CheckName>(c: CheckSpecOf<N>, answer: string, ctx: { kg: KG; item: Item }): Outcome | null {
  if (!Object.hasOwn(workflowChecks, c.name)) return null;
  const f = workflowChecks[c.name as N & WorkflowCheckName] as (a: string, args: CheckArgs[N], ctx: { kg: KG; item: Item }) => Outcome;
  return f(answer, c.args, ctx);
}
