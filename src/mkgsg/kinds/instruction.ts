/**
 * Instruction following ("I"): IFEval-style verifiable format constraints (Zhou et al. 2023, arXiv 2311.07911) over
 * grounded content. Each item has `format` checks (partial credit even when the content is wrong) and `knowledge`
 * checks on the content.
 *
 *   json_array_terms         exactly n GO ids of a gene's annotations, as a JSON array          (json_array + items_in_set)
 *   json_object_gene         {"chromosome","band"} of a gene                                      (json_object + json_field)
 *   all_caps_band            a gene's band in ALL CAPS within n words                              (all_caps, max_words)
 *   sorted_list_band         genes at a band with a term, alphabetical, comma list, ends "DONE"   (sorted_list, ends_with)
 *   n_sentences_term         a term and one of its is_a/part_of parents in exactly 2 sentences    (n_sentences)
 *   markdown_table_evidence  a gene's annotations in one namespace with evidence codes             (markdown_table)
 *   no_commas_aliases        a gene's aliases without commas                                      (no_commas)
 *
 * Constraint parameters are drawn from a range without checking them (n may exceed what exists): curation rejects
 * those as constraint_unsatisfiable.
 */
import type { Namespace } from "../../kg/types.ts";
import { pick, randInt, shuffled } from "../../util/rng.ts";
import { type Builder, bandTermGenes, evidenceOfFacts, label, pickGene, supportingFacts, uniqSorted } from "../build.ts";
import { UNINFORMATIVE } from "../kgindex.ts";
import { countWords } from "../text.ts";

const NS_PLURAL: Record<Namespace, string> = { BP: "biological processes", MF: "molecular functions", CC: "cellular components" };
const NSS = ["BP", "MF", "CC"] as const;

const jsonArrayTerms: Builder = (ctx) => {
  const ns = pick(ctx.rng, NSS);
  const g = pickGene(ctx, ns);
  if (!g) return null;
  const set = ctx.ix.directTerms(g.entrez, ns);
  const n = 1 + randInt(ctx.rng, 3);
  const chosen = shuffled(ctx.rng, set).slice(0, n).sort();
  return {
    prompt: `List exactly ${n} GO ids of ${NS_PLURAL[ns]} of the human gene ${g.symbol}. Output only a JSON array.`,
    gold: JSON.stringify(chosen),
    checks: [
      { name: "json_array", component: "format", args: { n } },
      { name: "items_in_set", component: "knowledge", args: { set, gene: g.entrez, ns } },
    ],
    provenance: {
      genes: [g.entrez],
      terms: chosen,
      evidence: evidenceOfFacts(
        ctx.ix,
        chosen.map((t) => [g.entrez, t] as const),
      ),
    },
  };
};

const jsonObjectGene: Builder = (ctx) => {
  const g = pickGene(ctx);
  if (!g || g.band.length === 0 || g.chr.length === 0) return null;
  return {
    prompt: `Give a JSON object with keys "chromosome" and "band" for the human gene ${g.symbol}.`,
    gold: JSON.stringify({ chromosome: g.chr[0], band: g.band[0] }),
    checks: [
      { name: "json_object", component: "format", args: { keys: ["chromosome", "band"] } },
      { name: "json_field", component: "knowledge", args: { key: "chromosome", values: g.chr, gene: g.entrez } },
      { name: "json_field", component: "knowledge", args: { key: "band", values: g.band, gene: g.entrez } },
    ],
    provenance: { genes: [g.entrez], terms: [], evidence: [] },
  };
};

const allCapsBand: Builder = (ctx) => {
  const g = pickGene(ctx);
  if (!g || g.band.length === 0) return null;
  const band = g.band[0].toUpperCase();
  const gold = randInt(ctx.rng, 2) ? `${g.symbol.toUpperCase()} BAND ${band}` : band;
  const n = countWords(gold) + 1 + randInt(ctx.rng, 3);
  return {
    prompt: `In all capital letters and in less than ${n} words, state the cytogenetic band of the human gene ${g.symbol}.`,
    gold,
    checks: [
      { name: "all_caps", component: "format", args: {} },
      { name: "max_words", component: "format", args: { n } },
      { name: "contains_any", component: "knowledge", args: { values: g.band, gene: g.entrez } },
    ],
    provenance: { genes: [g.entrez], terms: [], evidence: [] },
  };
};

const sortedListBand: Builder = (ctx) => {
  const hop = bandTermGenes(ctx);
  if (!hop || hop.set.length < 2 || hop.set.length > ctx.cfg.max_set) return null;
  const { band, t, set } = hop;
  const symbols = set.map((e) => ctx.kg.geneByEntrez(e)!.symbol).sort((a, b) => (a.toUpperCase() < b.toUpperCase() ? -1 : 1));
  return {
    prompt: `Name the genes at band ${band} annotated to ${label(ctx.kg, t)} as a comma-separated list in alphabetical order, then end with the word DONE.`,
    gold: `${symbols.join(", ")} DONE`,
    checks: [
      { name: "sorted_list", component: "format", args: { strip_last: "DONE" } },
      { name: "ends_with", component: "format", args: { word: "DONE" } },
      { name: "symbol_set", component: "knowledge", args: { expected: symbols, strip_last: "DONE", band, term: t } },
    ],
    provenance: { genes: set, terms: [t], evidence: evidenceOfFacts(ctx.ix, supportingFacts(ctx.kg, ctx.ix, set, t)) },
  };
};

const nSentencesTerm: Builder = (ctx) => {
  const ns = pick(ctx.rng, NSS);
  const id = pick(ctx.rng, ctx.ix.termsByNs.get(ns) ?? []);
  const t = ctx.kg.term(id);
  if (!t || UNINFORMATIVE.has(id) || t.parents.length === 0) return null;
  // naive: any parent edge, regulates included (curation rejects "a kind of" over a regulates edge)
  const p = pick(ctx.rng, t.parents);
  const subsumers = uniqSorted(t.parents.filter((x) => x.rel === "isa" || x.rel === "part_of").map((x) => x.id));
  const values = uniqSorted([...subsumers, p.id]).map((x) => ctx.kg.term(x)!.name);
  return {
    prompt: `In exactly 2 sentences, name ${id} and one term it is a kind or part of.`,
    gold: `${id} is ${t.name}. It is a kind or part of ${ctx.kg.term(p.id)!.name}.`,
    checks: [
      { name: "n_sentences", component: "format", args: { n: 2 } },
      { name: "contains_any", component: "knowledge", args: { values: [t.name], sentence: 0, term: id } },
      { name: "contains_any", component: "knowledge", args: { values, sentence: 1, parents_of: id } },
    ],
    provenance: { genes: [], terms: [id, p.id], evidence: [] },
  };
};

const markdownTableEvidence: Builder = (ctx) => {
  const ns = pick(ctx.rng, NSS);
  const g = pickGene(ctx, ns);
  if (!g) return null;
  const terms = ctx.ix.directTerms(g.entrez, ns);
  if (terms.length === 0 || terms.length > 3) return null;
  const rows = terms.map((t) => [t, ctx.ix.evidenceOf(g.entrez, t).join(", ")]);
  const table = ["| Term | Evidence |", "| --- | --- |", ...rows.map((r) => `| ${r[0]} | ${r[1]} |`)].join("\n");
  return {
    prompt: `Give a markdown table with columns Term | Evidence listing the GO ${NS_PLURAL[ns]} of the human gene ${g.symbol} (GO ids).`,
    gold: table,
    checks: [
      { name: "markdown_table", component: "format", args: { header: ["Term", "Evidence"] } },
      { name: "table_rows", component: "knowledge", args: { rows, cols: [0, 1], gene: g.entrez, ns } },
    ],
    provenance: {
      genes: [g.entrez],
      terms,
      evidence: evidenceOfFacts(
        ctx.ix,
        terms.map((t) => [g.entrez, t] as const),
      ),
    },
  };
};

const noCommasAliases: Builder = (ctx) => {
  const g = pickGene(ctx);
  if (!g || g.aliases.length < 2 || g.aliases.length > 4) return null;
  return {
    prompt: `Without using any commas, list all aliases of the human gene ${g.symbol} separated by spaces.`,
    gold: g.aliases.join(" "),
    checks: [
      { name: "no_commas", component: "format", args: {} },
      { name: "contains_all", component: "knowledge", args: { items: g.aliases, gene: g.entrez } },
    ],
    provenance: { genes: [g.entrez], terms: [], evidence: [] },
  };
};

export const instructionKinds: Record<string, Builder> = {
  json_array_terms: jsonArrayTerms,
  json_object_gene: jsonObjectGene,
  all_caps_band: allCapsBand,
  sorted_list_band: sortedListBand,
  n_sentences_term: nSentencesTerm,
  markdown_table_evidence: markdownTableEvidence,
  no_commas_aliases: noCommasAliases,
};
