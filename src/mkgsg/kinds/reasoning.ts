/**
 * Reasoning ("R"): multi-hop questions over annotations and the is_a/part_of DAG, Source2Synth-MHQA style (hop 1:
 * gene → annotated term; hop 2..k: term → ancestor; merged into one question whose rationale is the chain).
 *
 *   chain_isa              gene → term → … → ancestor: "Yes" + the chain of GO ids (validated edge by edge)
 *   subsumption_yes        term → … → ancestor (no gene): "Yes" + chain
 *   subsumption_regulates  "is regulation of X a kind of X?" → "No" + the regulates edge (GO.db's closure says yes)
 *   shared_term            a GO term directly annotated to two genes (any member of the intersection is right)
 *   band_term_set          set + count: genes at a cytoband annotated (true path) to a term
 *
 * With workflow constraints on, gene-based golds start with "Evidence: <codes>" and carry the workflow checks.
 */
import { pick, randInt } from "../../util/rng.ts";
import {
  type Builder,
  type BuildCtx,
  bandTermGenes,
  evidenceOfFacts,
  genePairSharingTerm,
  label,
  pathScope,
  pickDirectTerm,
  pickGene,
  supportingFacts,
  uniqSorted,
  walkUp,
  wfChecks,
  wfGold,
} from "../build.ts";
import { UNINFORMATIVE } from "../kgindex.ts";

const suffix = (ctx: BuildCtx, parts: string) => (ctx.wf ? ` Reply: ${parts}.` : "");
const relWord = (rel: string) => rel.replace("_", " ");

const chainIsa: Builder = (ctx) => {
  const g = pickGene(ctx);
  if (!g) return null;
  const t = pickDirectTerm(ctx, g.entrez);
  if (!t) return null;
  const chain = walkUp(ctx, t, 1 + randInt(ctx.rng, 3));
  if (!chain) return null;
  const target = chain[chain.length - 1];
  const facts: [number, string][] = [[g.entrez, t]];
  const codes = evidenceOfFacts(ctx.ix, facts);
  return {
    prompt: `${g.symbol} is annotated to ${label(ctx.kg, t)}. Is ${g.symbol} therefore annotated to ${label(ctx.kg, target)}? Give the is_a/part_of chain.${suffix(ctx, "Evidence, Answer, Chain")}`,
    gold: wfGold(ctx, codes, `Answer: Yes\nChain: ${chain.join(" > ")}`),
    checks: [
      { name: "yes_no", component: "reasoning", args: { expected: "yes" } },
      { name: "chain_valid", component: "reasoning", args: { start: t, target, gene: g.entrez } },
      ...wfChecks(ctx, { facts, terms: uniqSorted([...pathScope(ctx.kg, t, target), t, target]), genes: [g.symbol] }),
    ],
    provenance: { genes: [g.entrez], terms: chain, evidence: codes },
  };
};

const subsumptionYes: Builder = (ctx) => {
  const ns = pick(ctx.rng, ["BP", "MF", "CC"] as const);
  const t = pick(ctx.rng, ctx.ix.termsByNs.get(ns) ?? []);
  if (UNINFORMATIVE.has(t)) return null;
  const chain = walkUp(ctx, t, 1 + randInt(ctx.rng, 3));
  if (!chain) return null;
  const target = chain[chain.length - 1];
  return {
    prompt: `Is ${label(ctx.kg, t)} a kind or part of ${label(ctx.kg, target)}? Give the is_a/part_of chain.`,
    gold: `Answer: Yes\nChain: ${chain.join(" > ")}`,
    checks: [
      { name: "yes_no", component: "reasoning", args: { expected: "yes" } },
      { name: "chain_valid", component: "reasoning", args: { start: t, target } },
      ...wfChecks(ctx, { terms: uniqSorted([...pathScope(ctx.kg, t, target), t, target]), genes: [] }),
    ],
    provenance: { genes: [], terms: chain, evidence: [] },
  };
};

const subsumptionRegulates: Builder = (ctx) => {
  if (ctx.ix.regulatesEdges.length === 0) return null;
  const e = pick(ctx.rng, ctx.ix.regulatesEdges);
  return {
    prompt: `Is ${label(ctx.kg, e.child)} a kind of ${label(ctx.kg, e.parent)}?`,
    gold: `Answer: No\nReason: ${e.child} ${relWord(e.rel)} ${e.parent}`,
    checks: [
      { name: "yes_no", component: "reasoning", args: { expected: "no" } },
      { name: "mentions_relation", component: "reasoning", args: { rel: "regulates", child: e.child, parent: e.parent } },
      ...wfChecks(ctx, { terms: [e.child, e.parent].sort(), genes: [] }),
    ],
    provenance: { genes: [], terms: [e.child, e.parent], evidence: [] },
  };
};

const sharedTerm: Builder = (ctx) => {
  const pair = genePairSharingTerm(ctx);
  if (!pair || pair.shared.length > 20) return null;
  const { a, t, b, shared: set } = pair;
  const facts: [number, string][] = set.flatMap(
    (s) =>
      [
        [a.entrez, s],
        [b.entrez, s],
      ] as [number, string][],
  );
  const codes = evidenceOfFacts(ctx.ix, [
    [a.entrez, t],
    [b.entrez, t],
  ]);
  return {
    prompt: `Name a GO term directly annotated to both ${a.symbol} and ${b.symbol}.${suffix(ctx, "Evidence, Answer")}`,
    gold: wfGold(ctx, codes, `Answer: ${t}`),
    checks: [
      { name: "go_in_set", component: "reasoning", args: { set, genes: [a.entrez, b.entrez] } },
      ...wfChecks(ctx, { facts, terms: set, genes: [a.symbol, b.symbol] }),
    ],
    provenance: { genes: [a.entrez, b.entrez], terms: set, evidence: codes },
  };
};

const bandTermSet: Builder = (ctx) => {
  const hop = bandTermGenes(ctx);
  if (!hop || hop.set.length === 0 || hop.set.length > ctx.cfg.max_set) return null;
  const { band, t, set } = hop;
  const symbols = set.map((e) => ctx.kg.geneByEntrez(e)!.symbol).sort();
  const facts = supportingFacts(ctx.kg, ctx.ix, set, t);
  const codes = evidenceOfFacts(ctx.ix, facts);
  return {
    prompt: `Which genes at band ${band} are annotated to ${label(ctx.kg, t)}? List the symbols, then the count.${suffix(ctx, "Evidence, Answer, Count")}`,
    gold: wfGold(ctx, codes, `Answer: ${symbols.join(", ")}\nCount: ${symbols.length}`),
    checks: [
      { name: "symbol_set", component: "reasoning", args: { expected: symbols, band, term: t } },
      { name: "count_equals", component: "reasoning", args: { n: symbols.length } },
      ...wfChecks(ctx, { facts, terms: [t], genes: symbols }),
    ],
    provenance: { genes: set, terms: [t], evidence: codes },
  };
};

export const reasoningKinds: Record<string, Builder> = {
  chain_isa: chainIsa,
  subsumption_yes: subsumptionYes,
  subsumption_regulates: subsumptionRegulates,
  shared_term: sharedTerm,
  band_term_set: bandTermSet,
};
