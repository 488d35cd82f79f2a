/**
 * Knowledge (domain expertise, "D"): MMLU-style 4-option MCQs, gold = one letter. One check, `answer_letter`, with the
 * question's relation and subject in its args so the validator can recompute every option's truth from the KG.
 *
 *   mcq_chromosome      gene → chromosome            distractors: other chromosomes
 *   mcq_cytoband        gene → band                  distractors: other bands on the same chromosome (hard)
 *   mcq_alias           alias → official symbol      distractors: genes on the same chromosome
 *   mcq_definition      definition → GO term name    distractors: siblings, same namespace
 *   mcq_gene_process / mcq_gene_function / mcq_gene_location
 *                       gene → BP / MF / CC term     distractors: siblings of the true term, same namespace
 *                       (true-path propagation decides truth: a distractor that is an ancestor of an annotation is
 *                        TRUE, so curation rejects it as distractor_true_via_ancestor)
 */
import type { Gene, Namespace } from "../../kg/types.ts";
import { pick, shuffled } from "../../util/rng.ts";
import { type Builder, type BuildCtx, type Draft, mcqPrompt, pickDirectTerm, pickGene, placeOptions, siblingTerms } from "../build.ts";
import { bandChr, NS_NAME, type KGIndex } from "../kgindex.ts";
import type { McqFact } from "../checkargs.ts";

function mcq(
  question: string,
  correct: string,
  distractors: string[],
  ctx: BuildCtx,
  args: McqFact,
  prov: Draft["provenance"],
): Draft | null {
  if (distractors.length < 3) return null;
  const { options, letter } = placeOptions(ctx.rng, correct, distractors);
  return {
    prompt: mcqPrompt(question, options),
    gold: letter,
    options,
    checks: [{ name: "answer_letter", component: "knowledge", args: { letter, ...args } }],
    provenance: prov,
  };
}

const mcqChromosome: Builder = (ctx) => {
  const g = pickGene(ctx);
  if (!g || g.chr.length === 0) return null;
  const correct = g.chr[0];
  const ds = shuffled(
    ctx.rng,
    ctx.ix.chromosomes.filter((c) => c !== correct),
  ).slice(0, 3);
  return mcq(
    `On which chromosome is the human gene ${g.symbol}?`,
    correct,
    ds,
    ctx,
    { relation: "chromosome", subject: g.entrez },
    { genes: [g.entrez], terms: [], evidence: [] },
  );
};

const mcqCytoband: Builder = (ctx) => {
  const g = pickGene(ctx);
  if (!g || g.band.length === 0) return null;
  const correct = g.band[0];
  const ds = shuffled(
    ctx.rng,
    (ctx.ix.bandsOfChr.get(bandChr(correct)) ?? []).filter((b) => b !== correct),
  ).slice(0, 3);
  return mcq(
    `Which cytogenetic band holds the human gene ${g.symbol}?`,
    correct,
    ds,
    ctx,
    { relation: "cytoband", subject: g.entrez },
    { genes: [g.entrez], terms: [], evidence: [] },
  );
};

/** annotated genes whose first chromosome is `chr` (Entrez order), per index: the alias pool without a full scan per item */
const chrPools = new WeakMap<KGIndex, Map<string, Gene[]>>();
function genesOnChr(ix: KGIndex, chr: string): readonly Gene[] {
  let m = chrPools.get(ix);
  if (!m) {
    chrPools.set(ix, (m = new Map()));
    for (const x of ix.annotatedGenes) if (x.chr.length) (m.get(x.chr[0]) ?? m.set(x.chr[0], []).get(x.chr[0])!).push(x);
  }
  return m.get(chr) ?? [];
}

const mcqAlias: Builder = (ctx) => {
  const g = pickGene(ctx);
  if (!g || g.aliases.length === 0 || g.chr.length === 0) return null;
  const alias = pick(ctx.rng, g.aliases);
  // same-chromosome genes: plausible, but nothing checks here whether they share the alias (curation does)
  const pool = genesOnChr(ctx.ix, g.chr[0]).filter((x) => x.entrez !== g.entrez);
  if (pool.length < 3) return null;
  const ds = shuffled(ctx.rng, pool)
    .slice(0, 3)
    .map((x) => x.symbol);
  return mcq(
    `${alias} is an alias of which human gene?`,
    g.symbol,
    ds,
    ctx,
    { relation: "alias_of", subject: alias },
    { genes: [g.entrez], terms: [], evidence: [] },
  );
};

const mcqDefinition: Builder = (ctx) => {
  const ns = pick(ctx.rng, ["BP", "MF", "CC"] as const);
  const id = pick(ctx.rng, ctx.ix.termsByNs.get(ns) ?? []);
  const t = ctx.kg.term(id);
  if (!t) return null;
  // naive: a term without a definition still gets a question (curation rejects it as undefined_term)
  const def = t.def ?? "(no definition)";
  const ds = siblingTerms(ctx, id, 3).map((x) => ctx.kg.term(x)!.name);
  return mcq(
    `Which GO ${NS_NAME[ns]} is defined as: "${def}"?`,
    t.name,
    ds,
    ctx,
    { relation: "defined_as", subject: def, ns },
    { genes: [], terms: [id], evidence: [] },
  );
};

function mcqGeneTerm(ns: Namespace, question: (sym: string) => string): Builder {
  return (ctx) => {
    const g = pickGene(ctx, ns);
    if (!g) return null;
    const t = pickDirectTerm(ctx, g.entrez, ns);
    if (!t) return null;
    const ds = siblingTerms(ctx, t, 3).map((x) => ctx.kg.term(x)!.name);
    return mcq(
      question(g.symbol),
      ctx.kg.term(t)!.name,
      ds,
      ctx,
      { relation: "annotated", subject: g.entrez, ns },
      {
        genes: [g.entrez],
        terms: [t],
        evidence: ctx.ix.evidenceOf(g.entrez, t),
      },
    );
  };
}

export const knowledgeKinds: Record<string, Builder> = {
  mcq_chromosome: mcqChromosome,
  mcq_cytoband: mcqCytoband,
  mcq_alias: mcqAlias,
  mcq_definition: mcqDefinition,
  mcq_gene_process: mcqGeneTerm("BP", (s) => `Which biological process involves the human gene ${s}?`),
  mcq_gene_function: mcqGeneTerm("MF", (s) => `Which molecular function does the human gene ${s} have?`),
  mcq_gene_location: mcqGeneTerm("CC", (s) => `In which cellular component is the product of the human gene ${s} found?`),
};
