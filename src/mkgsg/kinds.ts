/**
 * Item kinds over the gene world (src/mkgsg/gene_world.ts): every item asks about facts a gene card states. One item per
 * (gene, kind). Question wording differs from card wording, so a right answer is extraction, not sentence copying.
 *
 * knowledge     4-option MCQs whose answer is the option's TEXT (value), not its letter: a tiny model learns a
 *               recalled value far sooner than the value → letter mapping, and lm-evaluation-harness scores MMLU-style
 *               tasks as cloze the same way (eval: log-likelihood of each option's text).
 *   world_chromosome / world_band / world_alias (alias → symbol) / world_process / world_function / world_location
 * reasoning     chains of card facts; the content check alone decides (another item's gold scores ~0):
 *   world_chain_<ns>        the gene's card term in a namespace (gene card) → is_a/part_of edges (term cards) → target
 *   world_alias_chromosome  alias → symbol (one card sentence) → chromosome (another)
 * instruction   IFEval-style: `format` checks are the instructions (every one decidable from the prompt, every count
 *               stated), `knowledge` checks are the content, scored beside them (eval: instruction strict vs content)
 *   world_json_location / world_caps_band / world_two_sentences / world_table_terms / world_alias_done
 * integration   knowledge + reasoning + format at once, scored on every component
 *   world_int_chain_<ns> (alias → symbol, chromosome, the chain in a namespace, JSON with the named keys)
 *   world_int_report     (alias → symbol, its band, in two labelled lines)
 *
 * Distractors come from genes of the same role (train, extraction or control), so no question's options are more or
 * less familiar than its gold: an extraction question never offers a value QA training taught the model to say, and
 * the control measures guessing, not unfamiliar words.
 */
import type { Namespace } from "../kg/types.ts";
import { randInt, rngFor, shuffled, type Rng } from "../util/rng.ts";
import { itemOf, mcqPrompt, placeOptions, pathScope, uniqSorted, wfChecks, wfGold, type BuildCtx, type Draft } from "./build.ts";
import type { WorldKind } from "./config.ts";
import type { McqFact } from "./checkargs.ts";
import { NS_NAME } from "./kgindex.ts";
import { countWords } from "./text.ts";
import type { Capability, Item, ItemSplit } from "./types.ts";
import { otherChildren, type World, type WorldGene } from "./gene_world.ts";

export interface WorldCtx extends BuildCtx {
  world: World;
  /** genes of the same role as the item's gene (train, extraction or control), for distractors */
  peers: readonly WorldGene[];
}
export type WorldBuilder = (g: WorldGene, ctx: WorldCtx) => Draft | null;

const NS_OF = { process: "BP", function: "MF", location: "CC" } as const;

/** three distinct peer values ≠ the gold (and not true for the gene), seeded */
function distractors(rng: Rng, gold: string, pool: Iterable<string>, isTrue: (v: string) => boolean = () => false): string[] {
  const seen = new Set([gold.toLowerCase()]);
  const out: string[] = [];
  for (const v of shuffled(rng, uniqSorted([...pool]))) {
    if (seen.has(v.toLowerCase()) || isTrue(v)) continue;
    seen.add(v.toLowerCase());
    out.push(v);
    if (out.length === 3) break;
  }
  return out;
}

/**
 * A value-answered MCQ. The answer is a fixed prefix that no card uses, then the value ("Answer in words." in the
 * prompt, then "The chromosome is 16."): answering is extraction of a fact read in a card, not recall of a card
 * sentence (every card sentence starts or ends differently; test/mkgsg/world-answers.test.ts). Cloze scoring
 * (eval, SFT probe) reads each option's value after the prompt and the prefix, as lm-evaluation-harness reads a
 * choice after its context; generation is scored on the greedy value after the same prefix.
 */
function valueMcq(
  ctx: WorldCtx,
  question: string,
  template: string,
  gold: string,
  ds: string[],
  args: McqFact,
  g: WorldGene,
  terms: string[] = [],
): Draft | null {
  if (ds.length < 3) return null;
  const { options } = placeOptions(ctx.rng, gold, ds);
  return {
    prompt: mcqPrompt(question, options).replace(/Answer with one letter\.$/, ANSWER_IN_WORDS),
    gold: fillValue(template, gold),
    options,
    checks: [{ name: "answer_value", component: "knowledge", args: { value: gold, template, ...args } }],
    provenance: { genes: [g.entrez], terms, evidence: terms.length ? g.terms[NS_OF_TERM(g, terms[0])].evidence : [] },
  };
}
export const fillValue = (template: string, value: string) => template.replace("{value}", value);
/** the instruction that ends a value-answered MCQ prompt (the letter MCQ's "Answer with one letter." elsewhere) */
export const ANSWER_IN_WORDS = "Answer in words.";
/** the fixed answer prefixes (no card sentence contains "<prefix> <value>"): "The chromosome is {value}." */
export const ANSWER_PREFIX = {
  chromosome: "The chromosome is",
  band: "The band is",
  alias: "The alias is",
  process: "The process is",
  function: "The function is",
  location: "The component is",
} as const;
const answerTemplate = (k: keyof typeof ANSWER_PREFIX) => `${ANSWER_PREFIX[k]} {value}.`;
const NS_OF_TERM = (g: WorldGene, id: string): Namespace => (["BP", "MF", "CC"] as const).find((ns) => g.terms[ns].id === id)!;

const termMcq =
  (kind: keyof typeof NS_OF): WorldBuilder =>
  (g, ctx) => {
    const ns = NS_OF[kind];
    const t = g.terms[ns];
    const prop = ctx.kg.propagatedTerms(g.entrez);
    const trueName = (name: string) => (ctx.ix.termsByName.get(name) ?? []).some((id) => prop.has(id));
    const ds = distractors(
      ctx.rng,
      t.name,
      ctx.peers.map((p) => p.terms[ns].name),
      trueName,
    );
    const q = {
      process: `Which biological process involves the human gene ${g.symbol}?`,
      function: `Which molecular function does the human gene ${g.symbol} have?`,
      location: `In which cellular component is the product of the human gene ${g.symbol} found?`,
    }[kind];
    const template = answerTemplate(kind);
    return valueMcq(ctx, q, template, t.name, ds, { relation: "annotated", subject: g.entrez, ns }, g, [t.id]);
  };

const chain =
  (ns: Namespace): WorldBuilder =>
  (g, ctx) => {
    const t = g.terms[ns];
    const target = t.chain[t.chain.length - 1];
    const facts: [number, string][] = [[g.entrez, t.id]];
    const name = ctx.kg.term(target)!.name;
    const alternatives = otherChildren(ctx.world, target, t.chain[t.chain.length - 2]);
    return {
      prompt: `Through is_a/part_of links, how does the ${NS_NAME[ns]} of ${g.symbol} lead to ${target} ${name}? Give the chain of GO ids from its annotated term.${ctx.wf ? " Reply: Evidence, Chain." : ""}`,
      gold: wfGold(ctx, t.evidence, `Chain: ${t.chain.join(" > ")}`),
      checks: [
        { name: "chain_valid", component: "reasoning", args: { start: t.id, target, gene: g.entrez, alternatives } },
        ...wfChecks(ctx, { facts, terms: uniqSorted([...pathScope(ctx.kg, t.id, target), t.id, target]), genes: [g.symbol] }),
      ],
      provenance: { genes: [g.entrez], terms: t.chain, evidence: t.evidence },
    };
  };

/** alias → symbol (K), chromosome (K), the chain above its card term in `ns` (R), JSON with the named keys (F) */
const intChain =
  (ns: Namespace): WorldBuilder =>
  (g, ctx) => {
    const t = g.terms[ns];
    const target = t.chain[t.chain.length - 1];
    const keys = ctx.wf ? ["evidence", "symbol", "chromosome", "chain"] : ["symbol", "chromosome", "chain"];
    const obj: Record<string, unknown> = ctx.wf ? { evidence: t.evidence.join(", ") } : {};
    Object.assign(obj, { symbol: g.symbol, chromosome: g.chr, chain: t.chain });
    return {
      prompt: `For the gene with alias ${g.alias}, reply with a JSON object with keys ${keys.join(", ")}; chain is the is_a/part_of path of GO ids from its ${NS_NAME[ns]} to ${target}.`,
      gold: JSON.stringify(obj),
      checks: [
        { name: "json_object", component: "format", args: { keys } },
        { name: "json_field", component: "knowledge", args: { key: "symbol", values: [g.symbol], alias: g.alias } },
        { name: "json_field", component: "knowledge", args: { key: "chromosome", values: [g.chr], gene: g.entrez } },
        {
          name: "chain_valid",
          component: "reasoning",
          args: { start: t.id, target, gene: g.entrez, alternatives: otherChildren(ctx.world, target, t.chain[t.chain.length - 2]) },
        },
        ...wfChecks(ctx, {
          facts: [[g.entrez, t.id]],
          terms: uniqSorted([...pathScope(ctx.kg, t.id, target), t.id, target]),
          genes: [g.symbol],
        }),
      ],
      provenance: { genes: [g.entrez], terms: t.chain, evidence: t.evidence },
    };
  };

export const WORLD_BUILDERS: Record<WorldKind, WorldBuilder> = {
  // ── knowledge ──
  world_chromosome: (g, ctx) =>
    valueMcq(
      ctx,
      `On which chromosome is the human gene ${g.symbol}?`,
      answerTemplate("chromosome"),
      g.chr,
      distractors(ctx.rng, g.chr, ctx.ix.chromosomes),
      { relation: "chromosome", subject: g.entrez },
      g,
    ),
  world_band: (g, ctx) =>
    valueMcq(
      ctx,
      `Which cytogenetic band holds the human gene ${g.symbol}?`,
      answerTemplate("band"),
      g.band,
      distractors(
        ctx.rng,
        g.band,
        ctx.peers.map((p) => p.band),
      ),
      { relation: "cytoband", subject: g.entrez },
      g,
    ),
  // forward, like every card fact (gene → its alias): the inverse lookup (alias → gene) is not extractable without
  // reversed training text (Allen-Zhu & Li, PoLM 3.2) and measured at chance on the dev genes; the alias → gene hop
  // stays a reasoning step (world_alias_chromosome, the integration kinds)
  world_alias: (g, ctx) => {
    const own = new Set((ctx.kg.geneBySymbol(g.symbol)?.aliases ?? [g.alias]).map((a) => a.toLowerCase()));
    return valueMcq(
      ctx,
      `What is an alias of the human gene ${g.symbol}?`,
      answerTemplate("alias"),
      g.alias,
      distractors(
        ctx.rng,
        g.alias,
        ctx.peers.map((p) => p.alias),
        (v) => own.has(v.toLowerCase()),
      ),
      { relation: "alias", subject: g.entrez },
      g,
    );
  },
  world_process: termMcq("process"),
  world_function: termMcq("function"),
  world_location: termMcq("location"),

  // ── reasoning ──
  world_chain_process: chain("BP"),
  world_chain_function: chain("MF"),
  world_chain_location: chain("CC"),
  world_alias_chromosome: (g, ctx) => ({
    prompt: `Which gene has the alias ${g.alias}, and on which chromosome is that gene? Reply: Answer, Chromosome.`,
    gold: `Answer: ${g.symbol}\nChromosome: ${g.chr}`,
    checks: [
      { name: "field_equals", component: "reasoning", args: { label: "answer", values: [g.symbol], alias: g.alias } },
      { name: "field_equals", component: "reasoning", args: { label: "chromosome", values: [g.chr], gene: g.entrez, fact: "chromosome" } },
      ...wfChecks(ctx, { terms: [], genes: [g.symbol] }),
    ],
    provenance: { genes: [g.entrez], terms: [], evidence: [] },
  }),

  // ── instruction following ──
  world_json_location: (g) => ({
    prompt: `Give a JSON object with exactly the keys "chromosome" and "band" for the human gene ${g.symbol}.`,
    gold: JSON.stringify({ chromosome: g.chr, band: g.band }),
    checks: [
      { name: "json_object", component: "format", args: { keys: ["chromosome", "band"] } },
      { name: "json_field", component: "knowledge", args: { key: "chromosome", values: [g.chr], gene: g.entrez } },
      { name: "json_field", component: "knowledge", args: { key: "band", values: [g.band], gene: g.entrez } },
    ],
    provenance: { genes: [g.entrez], terms: [], evidence: [] },
  }),
  world_caps_band: (g, ctx) => {
    const gold = `${g.symbol.toUpperCase()} BAND ${g.band.toUpperCase()}`;
    const n = countWords(gold) + 1 + randInt(ctx.rng, 3);
    return {
      prompt: `In all capital letters and in less than ${n} words, state the cytogenetic band of the human gene ${g.symbol}.`,
      gold,
      checks: [
        { name: "all_caps", component: "format", args: {} },
        { name: "max_words", component: "format", args: { n } },
        { name: "contains_any", component: "knowledge", args: { values: [g.band], gene: g.entrez } },
      ],
      provenance: { genes: [g.entrez], terms: [], evidence: [] },
    };
  },
  world_two_sentences: (g) => ({
    prompt: `In exactly 2 sentences, name the biological process and then the cellular component of the human gene ${g.symbol}.`,
    gold: `${g.symbol} takes part in ${g.terms.BP.name}. It is found in ${g.terms.CC.name}.`,
    checks: [
      { name: "n_sentences", component: "format", args: { n: 2 } },
      {
        name: "contains_any",
        component: "knowledge",
        args: { values: [g.terms.BP.name], sentence: 0, term: g.terms.BP.id, annotated_to: g.entrez },
      },
      {
        name: "contains_any",
        component: "knowledge",
        args: { values: [g.terms.CC.name], sentence: 1, term: g.terms.CC.id, annotated_to: g.entrez },
      },
    ],
    provenance: {
      genes: [g.entrez],
      terms: [g.terms.BP.id, g.terms.CC.id],
      evidence: uniqSorted([...g.terms.BP.evidence, ...g.terms.CC.evidence]),
    },
  }),
  world_table_terms: (g) => {
    const rows = (["BP", "MF", "CC"] as const).map((ns) => [ns, g.terms[ns].id]);
    return {
      prompt: `Give a markdown table with columns Namespace | Term and exactly 3 rows (BP, MF, CC), each with a GO id of the human gene ${g.symbol}.`,
      gold: ["| Namespace | Term |", "| --- | --- |", ...rows.map((r) => `| ${r[0]} | ${r[1]} |`)].join("\n"),
      checks: [
        { name: "markdown_table", component: "format", args: { header: ["Namespace", "Term"], rows: 3 } },
        { name: "table_rows", component: "knowledge", args: { rows, cols: [0, 1], facts_of: g.entrez } },
      ],
      provenance: {
        genes: [g.entrez],
        terms: rows.map((r) => r[1]),
        evidence: uniqSorted((["BP", "MF", "CC"] as const).flatMap((ns) => g.terms[ns].evidence)),
      },
    };
  },
  world_alias_done: (g) => ({
    prompt: `State the alias of the human gene ${g.symbol} without using any commas, then end with the word DONE.`,
    gold: `${g.alias} DONE`,
    checks: [
      { name: "no_commas", component: "format", args: {} },
      { name: "ends_with", component: "format", args: { word: "DONE" } },
      { name: "contains_all", component: "knowledge", args: { items: [g.alias], gene: g.entrez, subset: true } },
    ],
    provenance: { genes: [g.entrez], terms: [], evidence: [] },
  }),

  // ── the conflict control: the same prompt, opposite case (config.ts CONFLICT_KINDS). The case is the whole reward
  // (no content check): a content check would reward both capabilities alike and dilute the conflict it must show ──
  world_case_upper: (g) => ({
    prompt: `State the cytogenetic band of the human gene ${g.symbol}.`,
    gold: `${g.symbol} BAND ${g.band}`.toUpperCase(),
    checks: [{ name: "all_caps", component: "format", args: {} }],
    provenance: { genes: [g.entrez], terms: [], evidence: [] },
  }),
  world_case_lower: (g) => ({
    prompt: `State the cytogenetic band of the human gene ${g.symbol}.`,
    gold: `${g.symbol} band ${g.band}`.toLowerCase(),
    checks: [{ name: "all_lower", component: "format", args: {} }],
    provenance: { genes: [g.entrez], terms: [], evidence: [] },
  }),

  // ── integration ──
  world_int_chain_process: intChain("BP"),
  world_int_chain_function: intChain("MF"),
  world_int_chain_location: intChain("CC"),
  world_int_report: (g, ctx) => ({
    prompt: `Which gene has the alias ${g.alias}, and at which cytogenetic band is it? Reply in exactly 2 lines: Gene, Band.`,
    gold: `Gene: ${g.symbol}\nBand: ${g.band}`,
    checks: [
      { name: "n_lines", component: "format", args: { n: 2 } },
      { name: "line_prefixes", component: "format", args: { prefixes: ["Gene", "Band"] } },
      { name: "field_equals", component: "reasoning", args: { label: "gene", values: [g.symbol], alias: g.alias } },
      { name: "field_equals", component: "knowledge", args: { label: "band", values: [g.band], gene: g.entrez, fact: "band" } },
      ...wfChecks(ctx, { terms: [], genes: [g.symbol] }),
    ],
    provenance: { genes: [g.entrez], terms: [], evidence: [] },
  }),
};

const SPLIT_OF_ROLE: Record<WorldGene["role"], ItemSplit> = { train: "train", extraction: "eval", dev: "dev", control: "control" };

/** A world item: the split comes from the gene's role (train | extraction → "eval" | dev | control), not the KG's gene split. */
export function worldItem(family: Capability, kind: WorldKind, g: WorldGene, d: Draft, seed: number): Item {
  return itemOf(family, kind, d, seed, SPLIT_OF_ROLE[g.role]);
}

/** the seeded stream of one (gene, kind) item: independent of how many genes or kinds are enabled */
export const worldRng = (seed: number, kind: string, entrez: number): Rng => rngFor(seed, `world:${kind}:${entrez}`);
