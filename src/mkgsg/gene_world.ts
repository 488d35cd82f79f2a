/**
 * The gene world: a small, closed set of genes whose facts the model READS (gene cards) before it is asked about them.
 *
 * Why: with a gene-level split alone, held-out questions ask about genes the model never saw, so held-out knowledge
 * can only be guessed. Allen-Zhu & Li (*Physics of Language Models 3.1*, arXiv 2309.14316) show the fix: pretrain on
 * biographies of every individual, train QA on half of them, and ask about the other half ("extraction"). Extraction
 * works when the biographies are augmented (paraphrased, sentence order permuted); the capacity law of part 3.3
 * (arXiv 2404.05405) says a fact needs on the order of 100 exposures. Here a "biography" is a gene card.
 *
 *   buildWorld(kg, cfg, seed)   → { genes: WorldGene[] (roles train | extraction | control), edges: TermEdge[] }
 *   geneCard(gene, k, seed)     → the k-th paraphrased, reordered card of a gene (k < cfg.variants)
 *   termCard(edge, k, seed)     → a sentence stating one is_a/part_of edge the reasoning chains walk
 *   worldCards(world, cfg, seed) → every card SFT reads (control genes have none)
 *
 * Genes are drawn (seeded) from the KG's protein-coding genes with one chromosome, one band, an alias that names
 * exactly one gene, and an experimentally supported, informative GO term in each namespace whose is_a/part_of chain
 * climbs `chain_hops` edges without reaching a root. Every fact a card states is a KG fact (tested against the KG).
 */
import type { Evidence, Gene, KG, Namespace } from "../kg/types.ts";
import { BbioError } from "../util/errors.ts";
import { fnv1a, pick, rngFor, shuffled, type Rng } from "../util/rng.ts";
import type { WorldConfig } from "./config.ts";
import { EXPERIMENTAL, kgIndex, UNINFORMATIVE, type KGIndex } from "./kgindex.ts";

export const NAMESPACES: readonly Namespace[] = ["BP", "MF", "CC"];
export type WorldRole = "train" | "extraction" | "dev" | "control";

/** one GO annotation a card states: the term, its name, the experimental evidence codes, the chain above it */
export interface WorldTerm {
  id: string;
  name: string;
  ns: Namespace;
  evidence: Evidence[];
  /** [id, parent, grandparent, …]: is_a/part_of edges, chain_hops long */
  chain: string[];
}

export interface WorldGene {
  entrez: number;
  symbol: string;
  chr: string;
  band: string;
  alias: string;
  terms: Record<Namespace, WorldTerm>;
  role: WorldRole;
}

export interface TermEdge {
  child: string;
  parent: string;
  rel: "isa" | "part_of";
}

export interface World {
  genes: WorldGene[];
  /** every edge on some world gene's chain, plus distractor children of each chain term (sorted, unique): the term cards */
  edges: TermEdge[];
}

/** a document SFT reads with loss on every token (cards have no prompt) */
export interface Card {
  id: string;
  /** the gene the card describes; null for a term card */
  entrez: number | null;
  variant: number;
  text: string;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
/** words the card templates and answers split on: a value containing them would not round-trip through parsing */
const PLAIN = /^[A-Za-z0-9][A-Za-z0-9\-_/]*$/;
const plainName = (s: string) => !/[,.;:()"]/.test(s) && s.length <= 60;

/** the is_a/part_of children of a term a term card can name (informative, plain name) */
function cardChildren(kg: KG, ix: KGIndex, p: string): string[] {
  return (ix.childrenAnyRel.get(p) ?? []).filter(
    (c) =>
      !UNINFORMATIVE.has(c) &&
      plainName(kg.term(c)!.name) &&
      kg.term(c)!.parents.some((x) => x.id === p && (x.rel === "isa" || x.rel === "part_of")),
  );
}

/**
 * an is_a/part_of chain of `hops` edges above `id`, never through a root or an uninformative term, each step to a
 * term with at least CHAIN_CHILDREN nameable children (so the term cards can give it distractor children; seeded)
 */
function chainUp(kg: KG, ix: KGIndex, rng: Rng, id: string, hops: number): string[] | null {
  const chain = [id];
  for (let h = 0; h < hops; h++) {
    const ps = (kg.term(chain[chain.length - 1])?.parents ?? [])
      .filter((p) => (p.rel === "isa" || p.rel === "part_of") && !UNINFORMATIVE.has(p.id) && (kg.term(p.id)?.parents.length ?? 0) > 0)
      .filter((p) => !chain.includes(p.id) && plainName(kg.term(p.id)!.name) && cardChildren(kg, ix, p.id).length >= CHAIN_CHILDREN)
      .map((p) => p.id)
      .sort(cmp);
    if (ps.length === 0) return null;
    chain.push(pick(rng, [...new Set(ps)]));
  }
  return chain;
}

/** the card term of a gene in one namespace: experimental evidence, informative, nameable, with a chain; or null */
function termFor(kg: KG, ix: KGIndex, rng: Rng, g: Gene, ns: Namespace, hops: number, prefer?: ReadonlySet<string>): WorldTerm | null {
  let ids = ix
    .directTerms(g.entrez, ns, true)
    .filter((t) => plainName(kg.term(t)!.name) && (ix.termsByName.get(kg.term(t)!.name) ?? []).length === 1);
  if (prefer) {
    const shared = ids.filter((t) => prefer.has(t));
    if (shared.length) ids = shared;
  }
  for (const id of shuffled(rng, ids)) {
    const chain = chainUp(kg, ix, rng, id, hops);
    if (!chain) continue;
    const evidence = ix.evidenceOf(g.entrez, id).filter((e) => EXPERIMENTAL.has(e));
    return { id, name: kg.term(id)!.name, ns, evidence, chain };
  }
  return null;
}

function worldGene(kg: KG, ix: KGIndex, rng: Rng, g: Gene, hops: number, role: WorldRole, prefer?: ReadonlySet<string>): WorldGene | null {
  if (g.chr.length !== 1 || g.band.length !== 1 || !g.band[0].startsWith(g.chr[0]) || !PLAIN.test(g.symbol)) return null;
  const aliases = g.aliases.filter(
    (a) => PLAIN.test(a) && !ix.symbols.has(a) && kg.genesByAlias(a).length === 1 && a.toUpperCase() !== g.symbol.toUpperCase(),
  );
  if (aliases.length === 0) return null;
  const terms = {} as Record<Namespace, WorldTerm>;
  for (const ns of NAMESPACES) {
    const t = termFor(kg, ix, rng, g, ns, hops, prefer);
    if (!t) return null;
    terms[ns] = t;
  }
  return { entrez: g.entrez, symbol: g.symbol, chr: g.chr[0], band: g.band[0], alias: pick(rng, [...aliases].sort(cmp)), terms, role };
}

/** extraction genes of a world: a share of the W card genes, at least one */
const extractionGenes = (cfg: WorldConfig) => Math.max(1, Math.round(cfg.genes * cfg.extraction_fraction));

/** genes a world draws: the W card genes and the control genes (one generation step each, per family) */
export const worldGeneCount = (cfg: WorldConfig) => cfg.genes + (cfg.control_genes || extractionGenes(cfg));

/**
 * Draw the world. Card genes come first (train then extraction, by the seeded order); control genes are drawn after
 * them, preferring terms some card gene also has, so a control question's options are as familiar as the card genes'
 * ones and the control stays a fair guessing baseline rather than one depressed by unseen words.
 */
export function buildWorld(kg: KG, cfg: WorldConfig, seed: number): World {
  const ix = kgIndex(kg);
  const rng = rngFor(seed, "world");
  const W = cfg.genes;
  const nExtraction = extractionGenes(cfg);
  const nDev = cfg.dev_genes;
  const nControl = cfg.control_genes || nExtraction;
  // a 4-option MCQ draws its 3 distractors from genes of the same role: every role needs at least 4 genes
  for (const [key, n] of [
    ["data.world.genes × extraction_fraction (extraction genes)", nExtraction],
    ["data.world.genes × (1 − extraction_fraction) − dev_genes (train genes)", W - nExtraction - nDev],
    ["data.world.control_genes", nControl],
    ...(nDev > 0 ? ([["data.world.dev_genes", nDev]] as const) : []),
  ] as const)
    if (n < 4)
      throw new BbioError(
        `the gene world needs at least 4 genes in every role; ${key} gives ${n} (W = ${W}: ${nExtraction} extraction, ${nDev} dev, ${W - nExtraction - nDev} train)`,
        2,
        "raise data.world.genes (≥ 8), lower data.world.dev_genes (0 or ≥ 4), or raise data.world.control_genes (≥ 4, or 0 = as many as extraction genes)",
      );
  const order = shuffled(rng, ix.annotatedGenes);
  const genes: WorldGene[] = [];
  const used = new Set<number>();
  const symbols = new Set<string>();
  let i = 0;
  const take = (role: WorldRole, n: number, prefer?: ReadonlySet<string>) => {
    let got = 0;
    for (; i < order.length && got < n; i++) {
      const g = order[i];
      if (used.has(g.entrez) || symbols.has(g.symbol.toUpperCase())) continue;
      const w = worldGene(kg, ix, rngFor(seed, `world:gene:${g.entrez}`), g, cfg.chain_hops, role, prefer);
      if (!w) continue;
      genes.push(w);
      used.add(g.entrez);
      symbols.add(g.symbol.toUpperCase());
      got++;
    }
    return got;
  };
  // extraction genes are spread evenly over the seeded order (Bresenham), so neither role gets one end of it
  if (take("train", W) < W) throw worldTooLarge("data.world.genes", W, genes.length);
  const cardGenes = genes.splice(0);
  cardGenes.forEach((g, k) => {
    if (Math.floor(((k + 1) * nExtraction) / W) > Math.floor((k * nExtraction) / W)) g.role = "extraction";
  });
  // development genes: spread the same way over the genes left as train (card read, QA never trained)
  const rest = cardGenes.filter((g) => g.role === "train");
  rest.forEach((g, k) => {
    if (Math.floor(((k + 1) * nDev) / rest.length) > Math.floor((k * nDev) / rest.length)) g.role = "dev";
  });
  const cardTerms = new Set(cardGenes.flatMap((g) => NAMESPACES.map((ns) => g.terms[ns].id)));
  if (take("control", nControl, cardTerms) < nControl) throw worldTooLarge("data.world.control_genes", nControl, genes.length);
  const all = [...cardGenes, ...genes];
  const edges = new Map<string, TermEdge>();
  // every gene's chain edges, control genes' too: a term card states an edge, never which gene's term it starts from,
  // so the control's chain items face the same term cards as extraction's and measure guessing the gene hop
  for (const g of all)
    for (const ns of NAMESPACES) {
      const c = g.terms[ns].chain;
      for (let k = 0; k + 1 < c.length; k++) {
        const rel = kg.term(c[k])!.parents.some((p) => p.id === c[k + 1] && p.rel === "isa") ? "isa" : "part_of";
        edges.set(`${c[k]}>${c[k + 1]}`, { child: c[k], parent: c[k + 1], rel });
      }
    }
  // distractor chains through real edges: every term a chain climbs to gets at least CHAIN_CHILDREN children in the
  // term cards (other card genes' terms, else seeded real is_a/part_of children from the KG), so a chain item cannot
  // be answered from its target alone — the model must know which term the gene's card names
  const parents = [...new Set([...edges.values()].map((e) => e.parent))].sort(cmp);
  for (const p of parents) {
    const have = new Set([...edges.values()].filter((e) => e.parent === p).map((e) => e.child));
    if (have.size >= CHAIN_CHILDREN) continue;
    const kids = cardChildren(kg, ix, p).filter((c) => !have.has(c));
    for (const c of shuffled(rngFor(seed, `world:distractor:${p}`), kids.sort(cmp))) {
      if (have.size >= CHAIN_CHILDREN) break;
      const rel = kg.term(c)!.parents.some((x) => x.id === p && x.rel === "isa") ? "isa" : "part_of";
      edges.set(`${c}>${p}`, { child: c, parent: p, rel });
      have.add(c);
    }
  }
  return { genes: all, edges: [...edges.values()].sort((a, b) => cmp(a.child, b.child) || cmp(a.parent, b.parent)) };
}

/** children each chain term should have in the term cards (the right one and distractors) */
export const CHAIN_CHILDREN = 3;

/** the children of `target` the term cards state, other than `child` (a chain's wrong last hops) */
export function otherChildren(world: World, target: string, child: string): string[] {
  return world.edges.filter((e) => e.parent === target && e.child !== child).map((e) => e.child);
}

function worldTooLarge(key: string, want: number, got: number): BbioError {
  return new BbioError(
    `${key} = ${want}: the KG has only ${got} more genes with the material a gene card needs (one chromosome and band, a unique alias, an experimental GO term with a chain in each namespace)`,
    2,
    `lower ${key}`,
  );
}

// ── cards ────────────────────────────────────────────────────────────────────────────────────────────────────────
// Several templates per fact (the paraphrases); a variant picks one per fact and permutes the sentence order.
// Question templates (world kinds) are worded differently, so answering is extraction, not copying a sentence.

type FactTemplates = ((g: WorldGene) => string)[];
const ev = (t: WorldTerm) => t.evidence.join(" and ");
const FACTS: Record<string, FactTemplates> = {
  chromosome: [
    (g) => `${g.symbol} is located on chromosome ${g.chr}.`,
    (g) => `The gene ${g.symbol} lies on chromosome ${g.chr}.`,
    (g) => `Chromosome ${g.chr} carries the gene ${g.symbol}.`,
    (g) => `${g.symbol} sits on human chromosome ${g.chr}.`,
  ],
  band: [
    (g) => `${g.symbol} maps to cytogenetic band ${g.band}.`,
    (g) => `The cytogenetic band of ${g.symbol} is ${g.band}.`,
    (g) => `${g.symbol} is found at band ${g.band}.`,
    (g) => `Band ${g.band} holds ${g.symbol}.`,
  ],
  alias: [
    (g) => `${g.alias} is an alias of ${g.symbol}.`,
    (g) => `${g.symbol} is also known as ${g.alias}.`,
    (g) => `Another name for ${g.symbol} is ${g.alias}.`,
    (g) => `${g.alias} is another name for the gene ${g.symbol}.`,
  ],
  BP: [
    (g) => `${g.symbol} takes part in ${g.terms.BP.name} ${g.terms.BP.id} with evidence ${ev(g.terms.BP)}.`,
    (g) => `The process ${g.terms.BP.name} ${g.terms.BP.id} involves ${g.symbol} by ${ev(g.terms.BP)}.`,
    (g) => `${g.symbol} is involved in ${g.terms.BP.name} ${g.terms.BP.id} per ${ev(g.terms.BP)}.`,
    (g) => `By ${ev(g.terms.BP)} ${g.symbol} acts in ${g.terms.BP.name} ${g.terms.BP.id}.`,
  ],
  MF: [
    (g) => `${g.symbol} has the function ${g.terms.MF.name} ${g.terms.MF.id} with evidence ${ev(g.terms.MF)}.`,
    (g) => `The function ${g.terms.MF.name} ${g.terms.MF.id} belongs to ${g.symbol} by ${ev(g.terms.MF)}.`,
    (g) => `${g.symbol} shows ${g.terms.MF.name} ${g.terms.MF.id} per ${ev(g.terms.MF)}.`,
    (g) => `By ${ev(g.terms.MF)} ${g.symbol} has ${g.terms.MF.name} ${g.terms.MF.id}.`,
  ],
  CC: [
    (g) => `${g.symbol} is found in ${g.terms.CC.name} ${g.terms.CC.id} with evidence ${ev(g.terms.CC)}.`,
    (g) => `The component ${g.terms.CC.name} ${g.terms.CC.id} contains ${g.symbol} by ${ev(g.terms.CC)}.`,
    (g) => `${g.symbol} localizes to ${g.terms.CC.name} ${g.terms.CC.id} per ${ev(g.terms.CC)}.`,
    (g) => `By ${ev(g.terms.CC)} ${g.symbol} is located in ${g.terms.CC.name} ${g.terms.CC.id}.`,
  ],
};
export const CARD_FACTS = Object.keys(FACTS);

/** Variant 0 states the facts in a fixed order with the first template; variants ≥ 1 are seeded paraphrases. */
export function geneCard(g: WorldGene, k: number, seed: number): string {
  if (k === 0) return CARD_FACTS.map((f) => FACTS[f][0](g)).join(" ");
  const rng = rngFor(seed, `card:${g.entrez}:${k}`);
  return shuffled(rng, CARD_FACTS)
    .map((f) => pick(rng, FACTS[f])(g))
    .join(" ");
}

const EDGE_TEMPLATES: ((e: TermEdge, c: string, p: string) => string)[] = [
  (e, c, p) => `${e.child} ${c} is ${e.rel === "isa" ? "a kind" : "a part"} of ${e.parent} ${p}.`,
  (e, c, p) => `${e.parent} ${p} has ${e.child} ${c} as ${e.rel === "isa" ? "a kind" : "a part"}.`,
];

export function termCard(kg: KG, e: TermEdge, k: number): string {
  return EDGE_TEMPLATES[k % EDGE_TEMPLATES.length](e, kg.term(e.child)!.name, kg.term(e.parent)!.name);
}

/**
 * Every card SFT reads: K variants per card gene (train + extraction + dev), and each term edge in one template
 * (seeded): the distractor children of every chain term multiply the edges, and one sentence per edge keeps the gene
 * cards' share of the card stream (card reads per gene).
 */
export function worldCards(kg: KG, world: World, cfg: WorldConfig, seed: number): Card[] {
  const out: Card[] = [];
  for (const g of world.genes) {
    if (g.role === "control") continue;
    for (let k = 0; k < cfg.variants; k++)
      out.push({ id: `card-${g.entrez}-${k}`, entrez: g.entrez, variant: k, text: geneCard(g, k, seed) });
  }
  for (const e of world.edges) {
    const k = fnv1a(`${seed}:edge:${e.child}>${e.parent}`) % EDGE_TEMPLATES.length;
    out.push({ id: `edge-${e.child}-${e.parent}-${k}`, entrez: null, variant: k, text: termCard(kg, e, k) });
  }
  return out;
}

/** The facts a card of `g` states, as KG claims (the test checks each against the KG). */
export function cardFacts(g: WorldGene): { chr: string; band: string; alias: string; annotations: [Namespace, string, Evidence[]][] } {
  return { chr: g.chr, band: g.band, alias: g.alias, annotations: NAMESPACES.map((ns) => [ns, g.terms[ns].id, g.terms[ns].evidence]) };
}
