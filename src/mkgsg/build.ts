/**
 * Shared construction steps for the item kinds (kinds/*.ts): the Source2Synth "step-by-step grounded construction".
 *
 * Construction is deliberately NAIVE, like an LLM generator in Source2Synth: distractors are drawn from siblings
 * over any parent relation without checking them against true-path propagation, chains are walked over any parent
 * edge (regulates included), aliases are used without checking they are unique, constraint parameters are drawn from
 * a range without checking they can be met. Curation (validate.ts, workflow.ts) then rejects what the KG says is
 * wrong — which is what makes the −ontology-validation ablation meaningful and fills the reject log with real cases.
 */
import type { KG, Namespace, Split } from "../kg/types.ts";
import { splitOfTerm } from "../kg/split.ts";
import { hashOf } from "../util/hash.ts";
import { pick, randInt, shuffled, type Rng } from "../util/rng.ts";
import type { DataConfig } from "./config.ts";
import { UNINFORMATIVE, type KGIndex } from "./kgindex.ts";
import type { CheckSpec, Capability, Item, ItemSplit } from "./types.ts";

export interface BuildCtx {
  kg: KG;
  ix: KGIndex;
  rng: Rng;
  cfg: DataConfig;
  /** workflow constraints on (Evidence-first answers + workflow checks) */
  wf: boolean;
}

/** an item before id/split/seed are assigned */
export interface Draft {
  prompt: string;
  gold: string;
  checks: CheckSpec[];
  provenance: Item["provenance"];
  options?: string[];
}

export type Builder = (ctx: BuildCtx) => Draft | null;

export const LETTERS = ["A", "B", "C", "D"] as const;

/**
 * An item's split: the split of its subject genes (provenance.genes), or of its first provenance term when it has no
 * gene (src/kg/split.ts splitOfTerm). Items whose genes span both splits get "eval"
 * here and are rejected by the validator (mixed_split), so no eval item shares a subject gene with a train item.
 */
export function splitOfItem(kg: KG, prov: Item["provenance"]): Split {
  if (prov.genes.length === 0) return splitOfTerm(prov.terms[0] ?? "");
  return prov.genes.some((g) => kg.splitOf(g) === "eval") ? "eval" : "train";
}

/** deterministic id: family-kind-hash(prompt, gold, options); the split is the caller's (KG gene split or world role) */
export function itemOf(family: Capability, kind: string, d: Draft, seed: number, split: ItemSplit): Item {
  const h = hashOf({ p: d.prompt, g: d.gold, o: d.options ?? null }, 10);
  const item: Item = {
    id: `${family}-${kind}-${h}`,
    family,
    kind,
    split,
    prompt: d.prompt,
    gold: d.gold,
    checks: d.checks,
    provenance: d.provenance,
    seed,
  };
  if (d.options) item.options = d.options;
  return item;
}

/** a whole-KG item: its split from its subject genes (splitOfItem) */
export function finalize(kg: KG, family: Capability, kind: string, d: Draft, seed: number): Item {
  return itemOf(family, kind, d, seed, splitOfItem(kg, d.provenance));
}

export const label = (kg: KG, id: string) => `${id} (${kg.term(id)?.name ?? "?"})`;

/** gold placed at a random letter among shuffled distractors */
export function placeOptions(rng: Rng, correct: string, distractors: readonly string[]): { options: string[]; letter: string } {
  const ds = distractors.slice(0, 3);
  const pos = randInt(rng, 4);
  const options = [...ds.slice(0, pos), correct, ...ds.slice(pos)];
  return { options, letter: LETTERS[pos] };
}

export function mcqPrompt(question: string, options: readonly string[]): string {
  return `${question}\n${options.map((o, i) => `${LETTERS[i]}) ${o}`).join("\n")}\nAnswer with one letter.`;
}

/** a random gene that has informative annotations (optionally in a namespace, optionally passing a filter) */
export function pickGene(ctx: BuildCtx, ns?: Namespace) {
  const g = pick(ctx.rng, ctx.ix.annotatedGenes);
  if (ns && ctx.ix.directTerms(g.entrez, ns).length === 0) return null;
  return g;
}

/** a random informative direct term of the gene (any evidence: the evidence policy is a curation rule) */
export function pickDirectTerm(ctx: BuildCtx, entrez: number, ns?: Namespace): string | null {
  const ts = ctx.ix.directTerms(entrez, ns);
  return ts.length ? pick(ctx.rng, ts) : null;
}

/** naive "hard" distractors: other children of the term's parents over ANY relation, same namespace; topped up at random */
export function siblingTerms(ctx: BuildCtx, id: string, n: number): string[] {
  const t = ctx.kg.term(id);
  if (!t) return [];
  const sib = new Set<string>();
  for (const p of t.parents)
    for (const c of ctx.ix.childrenAnyRel.get(p.id) ?? []) if (c !== id && ctx.kg.term(c)!.ns === t.ns && !UNINFORMATIVE.has(c)) sib.add(c);
  const out = shuffled(ctx.rng, [...sib].sort());
  const pool = ctx.ix.termsByNs.get(t.ns) ?? [];
  for (let i = 0; out.length < n && i < 50; i++) {
    const c = pick(ctx.rng, pool);
    if (c !== id && !out.includes(c) && !UNINFORMATIVE.has(c)) out.push(c);
  }
  return out.slice(0, n);
}

/** naive chain: walk up `steps` random parent edges of ANY relation, never into a namespace root */
export function walkUp(ctx: BuildCtx, start: string, steps: number): string[] | null {
  const chain = [start];
  let cur = start;
  for (let i = 0; i < steps; i++) {
    const ps = (ctx.kg.term(cur)?.parents ?? []).filter((p) => !UNINFORMATIVE.has(p.id));
    if (ps.length === 0) break;
    cur = pick(ctx.rng, ps).id;
    if (chain.includes(cur)) break;
    chain.push(cur);
  }
  return chain.length >= 2 ? chain : null;
}

/** the terms on any is_a/part_of path start → target (both included): the scope of a chain question */
export function pathScope(kg: KG, start: string, target: string): string[] {
  return [start, ...kg.ancestors(start)].filter((t) => kg.isA(t, target)).sort();
}

/** genes at a band whose propagated terms include `go` (Entrez order) */
export function genesAtBandWith(ctx: { kg: KG; ix: KGIndex }, band: string, go: string): number[] {
  return (ctx.ix.genesAtBand.get(band) ?? []).filter((g) => ctx.kg.propagatedTerms(g).has(go));
}

/**
 * Two-gene hop: gene a, one of its direct terms t, another gene b annotated to t, and every direct term a and b share
 * (shared_term, int_table_shared). null when a seed lacks the material.
 */
export function genePairSharingTerm(ctx: BuildCtx) {
  const a = pickGene(ctx);
  if (!a) return null;
  const t = pickDirectTerm(ctx, a.entrez);
  if (!t) return null;
  const others = uniqSorted(ctx.kg.annotationsOfTerm(t).map((x) => x.entrez)).filter((e) => e !== a.entrez);
  if (others.length === 0) return null;
  const b = ctx.kg.geneByEntrez(pick(ctx.rng, others))!;
  const bs = new Set(ctx.ix.directTerms(b.entrez));
  return { a, t, b, shared: ctx.ix.directTerms(a.entrez).filter((x) => bs.has(x)) };
}

/** Band hop: a gene with a cytoband, one of its direct terms t, and the genes at that band under t (band_term_set,
 *  sorted_list_band). null when a seed lacks the material. */
export function bandTermGenes(ctx: BuildCtx) {
  const g = pickGene(ctx);
  if (!g || g.band.length === 0) return null;
  const band = g.band[0];
  const t = pickDirectTerm(ctx, g.entrez);
  if (!t) return null;
  return { g, band, t, set: genesAtBandWith(ctx, band, t) };
}

/** the direct annotations (gene, term) that put each gene under `go`: the facts a set answer rests on */
export function supportingFacts(kg: KG, ix: KGIndex, genes: readonly number[], go: string): [number, string][] {
  const facts: [number, string][] = [];
  for (const g of genes) for (const t of ix.directTerms(g)) if (kg.isA(t, go)) facts.push([g, t]);
  return facts;
}

export function evidenceOfFacts(ix: KGIndex, facts: readonly (readonly [number, string])[]): string[] {
  const s = new Set<string>();
  for (const [g, t] of facts) for (const e of ix.evidenceOf(g, t)) s.add(e);
  return [...s].sort();
}

/** workflow layout: "Evidence: <codes>" first, then the body lines (ablation off: body only) */
export function wfGold(ctx: BuildCtx, codes: readonly string[] | null, body: string): string {
  return ctx.wf && codes ? `Evidence: ${codes.join(", ")}\n${body}` : body;
}

/** the workflow answer rules for an item (empty when the ablation turns them off) */
export function wfChecks(
  ctx: BuildCtx,
  o: { facts?: readonly (readonly [number, string])[]; terms: readonly string[]; genes: readonly string[] },
): CheckSpec[] {
  if (!ctx.wf) return [];
  const out: CheckSpec[] = [];
  if (o.facts) {
    out.push({ name: "workflow_evidence_first", component: "workflow", args: {} });
    out.push({ name: "workflow_evidence_code", component: "workflow", args: { codes: evidenceOfFacts(ctx.ix, o.facts), facts: o.facts } });
  }
  out.push({ name: "workflow_in_scope", component: "workflow", args: { terms: [...o.terms], genes: [...o.genes] } });
  out.push({ name: "workflow_single_conclusion", component: "workflow", args: {} });
  return out;
}

export const uniqSorted = <T extends string | number>(xs: Iterable<T>): T[] =>
  [...new Set(xs)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
