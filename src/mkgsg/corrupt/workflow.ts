/**
 * Workflow corruptions: the content kept, one of our clinical-workflow answer rules broken (workflow.ts).
 *   drop_evidence, answer_before_evidence (workflow_evidence_first, workflow_evidence_code) ·
 *   wrong_evidence_code (workflow_evidence_code) · out_of_scope (workflow_in_scope) · hedge (workflow_single_conclusion)
 */
import { UNINFORMATIVE } from "../kgindex.ts";
import { argsOf, firstNot, isJson, jsonObj, otherSymbols, otherTerms, setField, stringify, type Proposer } from "./context.ts";

const EV_LINE = /^\s*evidence\s*:.*$/im;

export const dropEvidence: Proposer = (c) => {
  const o = jsonObj(c.gold);
  if (o) {
    if (!("evidence" in o)) return [];
    const { evidence: _e, ...rest } = o;
    return [stringify(rest)];
  }
  if (!EV_LINE.test(c.gold)) return [];
  return [
    c.gold
      .split("\n")
      .filter((l) => !/^\s*evidence\s*:/i.test(l))
      .join("\n"),
  ];
};

export const answerBeforeEvidence: Proposer = (c) => {
  const o = jsonObj(c.gold);
  if (o) {
    if (!("evidence" in o)) return [];
    const { evidence, ...rest } = o;
    return [stringify({ ...rest, evidence })];
  }
  const ls = c.gold.split("\n");
  const i = ls.findIndex((l) => /^\s*evidence\s*:/i.test(l));
  if (i < 0 || ls.length < 2) return [];
  return [[...ls.slice(0, i), ...ls.slice(i + 1), ls[i]].join("\n")];
};

const CODES = ["IEA", "ISS", "IBA", "ND", "IDA", "IMP", "IPI", "EXP", "TAS", "IGI", "IEP"];
export const wrongEvidenceCode: Proposer = (c) => {
  const a = argsOf(c, "workflow_evidence_code")[0];
  if (!a) return [];
  const codes = (a.codes as string[]) ?? [];
  const wrong = firstNot(c.rng, CODES, (x) => codes.includes(x), 2);
  const o = jsonObj(c.gold);
  const out: string[] = [];
  for (const w of wrong) {
    const stated = [w, `${codes.join(", ")}${codes.length ? ", " : ""}${w}`];
    for (const s of stated) {
      if (o) {
        if (typeof o.evidence === "string") out.push(stringify({ ...o, evidence: s }));
      } else {
        const x = setField(c.gold, "evidence", s);
        if (x) out.push(x);
      }
    }
  }
  return out;
};

export const outOfScope: Proposer = (c) => {
  const a = argsOf(c, "workflow_in_scope")[0];
  if (!a || isJson(c.gold.trim())) return [];
  const terms = (a.terms as string[]) ?? [];
  const genes = (a.genes as string[]) ?? [];
  const xs: string[] = [];
  // a parent just outside the scope (over-reaching up the DAG), and a gene not asked about
  const near = terms
    .flatMap((t) => (c.kg.term(t)?.parents ?? []).map((p) => p.id))
    .filter((t) => !terms.includes(t) && !UNINFORMATIVE.has(t));
  xs.push(...firstNot(c.rng, [...new Set(near)], () => false, 1));
  if (xs.length === 0 && terms[0]) xs.push(...otherTerms(c, terms[0], terms, 1));
  xs.push(...otherSymbols(c, genes, undefined, 1));
  const out: string[] = [];
  for (const x of xs) {
    out.push(`${c.gold}\nSee also: ${x}`);
    const withAnswer = c.gold.replace(/^(\s*answer\s*:.*)$/im, `$1 (see also ${x})`);
    if (withAnswer !== c.gold) out.push(withAnswer);
  }
  return out;
};

export const hedge: Proposer = (c) => {
  if (!argsOf(c, "workflow_single_conclusion").length || isJson(c.gold.trim())) return [];
  const out: string[] = [];
  const yn = /^(\s*answer\s*:\s*)(yes|no)\b(.*)$/im.exec(c.gold);
  if (yn) out.push(c.gold.replace(yn[0], `${yn[1]}${yn[2]}${yn[3]}, or possibly ${/^yes$/i.test(yn[2]) ? "no" : "yes"}`));
  // a second, hedged conclusion line (two Answer lines; and a hedged one where the gold has none)
  out.push(`${c.gold}\nAnswer: ${/^\s*answer\s*:/im.test(c.gold) ? "uncertain" : "yes, or possibly no"}`);
  return out;
};
