/**
 * validate(item, kg) — ontology validation + workflow validation, INDEPENDENT of the generator: it never calls the
 * construction code; it re-derives every fact the item asserts from the KG (through the KG interface and the derived
 * lookups in kgindex.ts) and names what does not hold.
 *
 * Each grounded check in the item carries the facts it asserts in its args (subject, relation, band, term, set, …).
 * The validator recomputes those facts, compares, and also scores the gold with the scorer (gold_mismatch if < 1).
 *
 * Reasons (stage "ontology" unless noted):
 *   malformed_item               structure: unknown family/kind/check, missing fields
 *   unknown_id                   a GO id / gene / option that is not in the KG subset (the subset has no obsolete terms)
 *   non_unique_answer            more than one option/answer is true (incl. ambiguous aliases, duplicate options)
 *   distractor_true_via_ancestor a distractor is true for the subject under true-path propagation
 *   undefined_term               a definition question about a term without a definition
 *   chain_edge_not_in_kg         a chain step that is no edge, or a regulates edge used as is_a/part_of
 *   empty_gold_set               a set question whose recomputed answer set is empty
 *   constraint_unsatisfiable     a format constraint no correct answer can meet (n > available, commas in aliases, …);
 *                                generate.ts files an item rejected for this reason alone under stage "constraint"
 *   gold_mismatch                a stated fact differs from the KG, or the gold does not score 1.0
 *   answerable_without_gene      a gene-world chain whose target has fewer than MIN_ALTERNATIVES other children in
 *                                the term cards (args.alternatives): the target alone would give the answer
 *   workflow_evidence_code_mismatch / workflow_fact_not_in_kg / workflow_gold_violates   (stage "workflow")
 *   workflow_non_experimental_evidence   (stage "workflow"; only with opts.evidence = "experimental")
 */
import type { Gene, KG } from "../kg/types.ts";
import { CAPABILITIES, type Item } from "./types.ts";
import { CONFLICT_KINDS, WORLD_KINDS } from "./config.ts";
import { CHECK_NAMES, parseChain } from "./checks.ts";
import { EXPERIMENTAL, kgIndex, REGULATES } from "./kgindex.ts";
import { score } from "./score.ts";
import { goIds } from "./text.ts";
import { codesOfFacts, runWorkflowCheck } from "./workflow.ts";
import type { CheckArgs, CheckName, CheckSpecOf, GeneFact } from "./checkargs.ts";

/** a gene-world chain's target needs at least this many OTHER children in the term cards (several children in all) */
export const MIN_ALTERNATIVES = 2;

export interface Reason {
  reason: string;
  detail: string;
}
export type Validation = { ok: true } | { ok: false; reasons: Reason[] };
export interface ValidateOptions {
  /** also enforce the evidence policy (curation rule workflow_non_experimental_evidence) */
  evidence?: "experimental" | "all";
}

const LETTERS = ["A", "B", "C", "D"];

export function validate(item: Item, kg: KG, opts: ValidateOptions = {}): Validation {
  const reasons = [...validateOntology(item, kg), ...validateWorkflow(item, kg, opts)];
  return reasons.length ? { ok: false, reasons } : { ok: true };
}

/** recomputes the facts one check's args assert, naming what does not hold */
type ArgValidator<N extends CheckName> = (args: CheckArgs[N], item: Item, kg: KG, out: Reason[]) => void;

export function validateOntology(item: Item, kg: KG): Reason[] {
  const out: Reason[] = [];
  const add = (reason: string, detail: string) => out.push({ reason, detail });

  // ── structure ──
  if (!item || typeof item !== "object") return [{ reason: "malformed_item", detail: "not an object" }];
  if (!CAPABILITIES.includes(item.family)) add("malformed_item", `unknown family ${String(item.family)}`);
  else if (
    ![...WORLD_KINDS[item.family], ...((CONFLICT_KINDS as Record<string, readonly string[]>)[item.family] ?? [])].includes(
      item.kind as never,
    )
  )
    add("malformed_item", `unknown kind ${item.family}/${item.kind}`);
  if (
    typeof item.prompt !== "string" ||
    typeof item.gold !== "string" ||
    !Array.isArray(item.checks) ||
    item.checks.length === 0 ||
    !item.provenance
  )
    add("malformed_item", "prompt, gold, checks and provenance are required");
  else {
    const p = item.provenance;
    if (!Array.isArray(p.genes) || !p.genes.every((g) => typeof g === "number") || !isStrings(p.terms) || !isStrings(p.evidence))
      add("malformed_item", "provenance needs genes (numbers), terms and evidence (strings)");
    // the split comes from the world's roles, which only the generator knows (the world is a function of the config;
    // test/mkgsg/world.test.ts checks that its splits are disjoint)
    if (!["train", "eval", "dev", "control"].includes(item.split)) add("malformed_item", `split ${String(item.split)}`);
    if (item.options !== undefined && !isStrings(item.options)) add("malformed_item", "options must be strings");
    if (![...item.checks].every((c) => c && typeof c === "object" && c.args && typeof c.args === "object"))
      add("malformed_item", "every check needs name, component and args");
  }
  if (out.length) return out;
  for (const c of item.checks) if (!CHECK_NAMES.has(c.name)) add("malformed_item", `unknown check ${c.name}`);
  if (out.length) return out;

  // ── ids ──
  const ids = new Set([...goIds(item.prompt), ...goIds(item.gold), ...item.provenance.terms]);
  for (const id of [...ids].sort()) if (!kg.term(id)) add("unknown_id", `${id} is not a GO term of the KG subset`);
  for (const g of item.provenance.genes) if (!kg.geneByEntrez(g)) add("unknown_id", `Entrez ${g} is not a gene of the KG subset`);
  if (out.length) return out;

  // ── each grounded check's facts, recomputed ──
  for (const c of item.checks) {
    try {
      validateArgs(c, item, kg, out);
    } catch (e) {
      // hand-edited items can carry args of the wrong shape: a named reason, not a crash
      add("malformed_item", `${c.name}: bad args (${(e as Error).message})`);
    }
  }

  // ── the gold must score exactly 1 ──
  const s = score(item, item.gold, kg);
  if (s.score < 1) {
    const failed = s.checks.filter((c) => !c.pass && !c.name.startsWith("workflow_"));
    if (failed.length) add("gold_mismatch", failed.map((c) => `${c.name}: ${c.detail ?? "fails"}`).join("; "));
  }
  return dedupe(out);
}

export function validateWorkflow(item: Item, kg: KG, opts: ValidateOptions = {}): Reason[] {
  const out: Reason[] = [];
  if (!item || !Array.isArray(item.checks) || !item.provenance || !isStrings(item.provenance.evidence)) return out;
  for (const c of item.checks) {
    if (typeof c?.name !== "string" || !c.name.startsWith("workflow_") || !c.args || typeof c.args !== "object") continue;
    try {
      if (c.name === "workflow_evidence_code") {
        const facts = (c.args.facts ?? []) as [number, string][];
        const codes = codesOfFacts(kg, facts);
        if (codes === null) out.push({ reason: "workflow_fact_not_in_kg", detail: "an evidence fact is not a direct annotation" });
        else if (codes.join(",") !== [...((c.args.codes as string[]) ?? [])].sort().join(","))
          out.push({
            reason: "workflow_evidence_code_mismatch",
            detail: `item says ${((c.args.codes as string[]) ?? []).join(",")}, KG records ${codes.join(",")}`,
          });
      }
      const r = runWorkflowCheck(c, item.gold, { kg, item });
      if (r && !r.pass) out.push({ reason: "workflow_gold_violates", detail: `${c.name}: ${r.detail ?? "fails"}` });
    } catch (e) {
      // args of the wrong shape (a hand-edited item): a named reason, not a crash
      out.push({ reason: "malformed_item", detail: `${c.name}: bad args (${(e as Error).message})` });
    }
  }
  if (
    opts.evidence === "experimental" &&
    item.provenance.evidence.length > 0 &&
    !item.provenance.evidence.some((e) => EXPERIMENTAL.has(e as never))
  )
    out.push({ reason: "workflow_non_experimental_evidence", detail: `rests only on ${item.provenance.evidence.join(",")}` });
  return dedupe(out);
}

const isStrings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === "string");

function dedupe(rs: Reason[]): Reason[] {
  const seen = new Set<string>();
  return rs.filter((r) => (seen.has(r.reason + r.detail) ? false : (seen.add(r.reason + r.detail), true)));
}

const gene = (kg: KG, entrez: unknown, out: Reason[]): Gene | null => {
  const g = typeof entrez === "number" ? kg.geneByEntrez(entrez) : undefined;
  if (!g) out.push({ reason: "unknown_id", detail: `gene ${String(entrez)}` });
  return g ?? null;
};
const sameList = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const sortedStr = (xs: readonly unknown[]) => xs.map(String).sort();
const symbolsOf = (kg: KG, es: readonly number[]) => es.map((e) => kg.geneByEntrez(e)!.symbol);

/** genes at a band whose true-path terms include `go`, recomputed from the KG interface (Entrez order) */
function bandSet(kg: KG, band: string, go: string): number[] {
  return (kgIndex(kg).genesAtBand.get(band) ?? []).filter((g) => kg.propagatedTerms(g).has(go));
}
/** direct informative terms shared by two genes */
function sharedTerms(kg: KG, a: number, b: number): string[] {
  const ix = kgIndex(kg);
  const bs = new Set(ix.directTerms(b));
  return ix.directTerms(a).filter((t) => bs.has(t));
}
/** an alias that names exactly one gene and is nobody's official symbol */
function aliasProblem(kg: KG, alias: string, owner: Gene): string | null {
  const owners = kg.genesByAlias(alias);
  if (!owners.some((g) => g.entrez === owner.entrez)) return `${alias} is not an alias of ${owner.symbol}`;
  if (owners.length > 1) return `alias ${alias} is shared by ${owners.map((g) => g.symbol).join(", ")}`;
  const asSymbol = kgIndex(kg).symbols.has(alias) ? alias : null;
  if (asSymbol) return `${alias} is also an official gene symbol`;
  return null;
}

/**
 * A labelled gene fact (json_field, field_equals): with `alias`, the values name the alias's one owner; else the
 * values are the gene's band (fact "band") or chromosomes.
 */
function geneFact(args: { values: string[] } & GeneFact, fact: string | undefined, kg: KG, out: Reason[]): void {
  if (args.alias !== undefined) {
    const owner = kg.genesByAlias(args.alias).find((g) => g.symbol === args.values[0]);
    if (!owner) return void out.push({ reason: "gold_mismatch", detail: `${args.alias} is not an alias of ${args.values[0]}` });
    const p = aliasProblem(kg, args.alias, owner);
    if (p) out.push({ reason: "non_unique_answer", detail: p });
    return;
  }
  const g = gene(kg, args.gene, out);
  if (!g) return;
  const vals = fact === "band" ? g.band : g.chr;
  if (!sameList(sortedStr(args.values), sortedStr(vals)))
    out.push({ reason: "gold_mismatch", detail: `${fact} of ${g.symbol} is ${vals.join("/")}` });
}

/** run a check's ArgValidator, if its name has one */
function validateArgs<N extends CheckName>(c: CheckSpecOf<N>, item: Item, kg: KG, out: Reason[]): void {
  const f: ArgValidator<N> | undefined = ARGS[c.name];
  f?.(c.args, item, kg, out);
}

/** per-check recomputation of the facts in its args */
const ARGS: { [N in CheckName]?: ArgValidator<N> } = {
  answer_letter: (args, item, kg, out) => {
    const opts = item.options ?? [];
    if (opts.length !== 4) return void out.push({ reason: "malformed_item", detail: "an MCQ needs 4 options" });
    if (new Set(opts.map((o) => o.toLowerCase())).size !== 4) out.push({ reason: "non_unique_answer", detail: "duplicate options" });
    opts.forEach((o, i) => {
      if (!item.prompt.includes(`${LETTERS[i]}) ${o}`))
        out.push({ reason: "gold_mismatch", detail: `prompt does not list option ${LETTERS[i]}) ${o}` });
    });
    const gi = LETTERS.indexOf(args.letter);
    if (gi < 0) return void out.push({ reason: "malformed_item", detail: `gold letter ${args.letter}` });
    const ix = kgIndex(kg);
    // truth of each option for (relation, subject), recomputed; 'kind' classifies a true distractor
    let truth: (o: string) => { true: boolean; viaAncestor?: boolean } | null;
    switch (args.relation) {
      case "chromosome":
      case "cytoband": {
        const g = gene(kg, args.subject, out);
        if (!g) return;
        const vals = args.relation === "chromosome" ? g.chr : g.band;
        truth = (o) => ({ true: vals.includes(o) });
        break;
      }
      case "alias_of": {
        const alias = String(args.subject);
        const owners = kg.genesByAlias(alias);
        if (owners.length > 1)
          out.push({ reason: "non_unique_answer", detail: `alias ${alias} is shared by ${owners.map((g) => g.symbol).join(", ")}` });
        if (ix.symbols.has(alias)) out.push({ reason: "non_unique_answer", detail: `${alias} is also an official gene symbol` });
        truth = (o) => {
          const g = kg.geneBySymbol(o);
          if (!g || g.symbol !== o) return null;
          return { true: g.aliases.some((a) => a.toLowerCase() === alias.toLowerCase()) };
        };
        break;
      }
      case "alias": {
        const g = gene(kg, args.subject, out);
        if (!g) return;
        truth = (o) => ({ true: g.aliases.some((a) => a.toLowerCase() === o.toLowerCase()) });
        break;
      }
      case "defined_as": {
        const def = String(args.subject);
        const resolve = (o: string) => (ix.termsByName.get(o) ?? []).filter((id) => kg.term(id)!.ns === args.ns);
        const goldIds = resolve(opts[gi]);
        if (goldIds.length === 1 && kg.term(goldIds[0])!.def === null)
          out.push({ reason: "undefined_term", detail: `${goldIds[0]} (${opts[gi]}) has no definition in the KG` });
        truth = (o) => {
          const r = resolve(o);
          if (r.length === 0) return null;
          if (r.length > 1) out.push({ reason: "non_unique_answer", detail: `option name "${o}" names ${r.join(", ")}` });
          return { true: r.some((id) => kg.term(id)!.def !== null && kg.term(id)!.def === def) };
        };
        break;
      }
      case "annotated": {
        const g = gene(kg, args.subject, out);
        if (!g) return;
        const prop = kg.propagatedTerms(g.entrez);
        const direct = new Set(kg.annotationsOfGene(g.entrez).map((a) => a.go));
        truth = (o) => {
          const r = (ix.termsByName.get(o) ?? []).filter((id) => kg.term(id)!.ns === args.ns);
          if (r.length === 0) return null;
          const t = r.find((id) => prop.has(id));
          return { true: !!t, viaAncestor: !!t && !direct.has(t) };
        };
        break;
      }
      default:
        return void out.push({ reason: "malformed_item", detail: `unknown MCQ relation ${(args as { relation?: unknown }).relation}` });
    }
    opts.forEach((o, i) => {
      const t = truth(o);
      if (t === null) return void out.push({ reason: "unknown_id", detail: `option ${LETTERS[i]}) ${o} is not in the KG` });
      if (i === gi && !t.true) out.push({ reason: "gold_mismatch", detail: `gold option ${LETTERS[i]}) ${o} is false in the KG` });
      if (i !== gi && t.true)
        out.push(
          t.viaAncestor
            ? { reason: "distractor_true_via_ancestor", detail: `distractor ${LETTERS[i]}) ${o} is true under true-path propagation` }
            : { reason: "non_unique_answer", detail: `distractor ${LETTERS[i]}) ${o} is also true` },
        );
    });
  },

  /** a value-answered MCQ: the same recomputation as a letter MCQ, with the gold letter found from the value */
  answer_value: (args, item, kg, out) => {
    const gi = (item.options ?? []).indexOf(args.value);
    if (gi < 0) return void out.push({ reason: "gold_mismatch", detail: `the gold value "${args.value}" is not an option` });
    const stated = args.template ? String(args.template).replace("{value}", args.value) : args.value;
    if (item.gold !== stated) out.push({ reason: "gold_mismatch", detail: `gold "${item.gold}" does not state the value as "${stated}"` });
    ARGS.answer_letter!({ ...args, letter: LETTERS[gi] }, item, kg, out);
  },

  field_equals: (args, _item, kg, out) => geneFact(args, args.fact, kg, out),

  chain_valid: (args, item, kg, out) => {
    const chain = parseChain(item.gold);
    if (chain[0] !== args.start || chain[chain.length - 1] !== args.target)
      out.push({ reason: "gold_mismatch", detail: `gold chain ${chain.join(">")} does not run ${args.start} → ${args.target}` });
    for (let i = 0; i + 1 < chain.length; i++) {
      const [a, b] = [chain[i], chain[i + 1]];
      const rels = (kg.term(a)?.parents ?? []).filter((p) => p.id === b).map((p) => p.rel);
      if (rels.length === 0) out.push({ reason: "chain_edge_not_in_kg", detail: `no edge ${a} → ${b}` });
      else if (!rels.includes("isa") && !rels.includes("part_of"))
        out.push({ reason: "chain_edge_not_in_kg", detail: `${a} ${rels.join("/")} ${b}: a regulates edge is not subsumption` });
    }
    if (args.alternatives !== undefined) {
      const last = chain.length >= 2 ? chain[chain.length - 2] : args.start;
      const alts = [...new Set(args.alternatives)].filter((a) => a !== last);
      for (const a of alts)
        if (!(kg.term(a)?.parents ?? []).some((p) => p.id === args.target && (p.rel === "isa" || p.rel === "part_of")))
          out.push({ reason: "chain_edge_not_in_kg", detail: `alternative ${a} is no is_a/part_of child of ${args.target}` });
      if (alts.length < MIN_ALTERNATIVES)
        out.push({
          reason: "answerable_without_gene",
          detail: `${args.target} has ${alts.length} other children in the term cards (needs ≥ ${MIN_ALTERNATIVES}): the target alone gives the chain`,
        });
    }
    if (args.gene !== undefined) {
      const g = gene(kg, args.gene, out);
      if (g && !kg.annotationsOfGene(g.entrez).some((a) => a.go === args.start))
        out.push({ reason: "gold_mismatch", detail: `${g.symbol} is not annotated to ${args.start}` });
      if (g && !kg.propagatedTerms(g.entrez).has(args.target))
        out.push({ reason: "gold_mismatch", detail: `${g.symbol} is not annotated to ${args.target} under true-path propagation` });
    } else if (!kg.isA(args.start, args.target))
      out.push({ reason: "gold_mismatch", detail: `${args.start} is not a kind/part of ${args.target}` });
  },

  mentions_relation: (args, _item, kg, out) => {
    if (args.child === undefined) return;
    if (kg.isA(args.child, args.parent))
      out.push({ reason: "gold_mismatch", detail: `${args.child} IS a kind/part of ${args.parent} via is_a/part_of` });
    const rels = (kg.term(args.child)?.parents ?? []).filter((p) => p.id === args.parent).map((p) => p.rel);
    if (!rels.some((r) => REGULATES.has(r)))
      out.push({ reason: "chain_edge_not_in_kg", detail: `no regulates edge ${args.child} → ${args.parent}` });
  },

  go_in_set: (args, _item, kg, out) => {
    const [a, b] = args.genes as number[];
    if (!gene(kg, a, out) || !gene(kg, b, out)) return;
    const set = sharedTerms(kg, a, b);
    if (set.length === 0) out.push({ reason: "empty_gold_set", detail: "the genes share no direct term" });
    else if (!sameList(set, sortedStr(args.set))) out.push({ reason: "gold_mismatch", detail: `shared terms are ${set.join(",")}` });
  },

  symbol_set: (args, _item, kg, out) => {
    if (args.band === undefined) return;
    const set = bandSet(kg, args.band, args.term);
    if (set.length === 0) return void out.push({ reason: "empty_gold_set", detail: `no gene at ${args.band} has ${args.term}` });
    const want = sortedStr(symbolsOf(kg, set));
    if (!sameList(want, sortedStr(args.expected))) out.push({ reason: "gold_mismatch", detail: `KG set is ${want.join(", ")}` });
  },

  answer_symbol: (args, _item, kg, out) => {
    const set = bandSet(kg, args.band, args.term);
    if (set.length === 0) out.push({ reason: "empty_gold_set", detail: `no gene at ${args.band} has ${args.term}` });
    else if (set.length > 1)
      out.push({
        reason: "non_unique_answer",
        detail: `${set.length} genes at ${args.band} have ${args.term}: ${symbolsOf(kg, set).join(", ")}`,
      });
    else if (kg.geneByEntrez(set[0])!.symbol !== args.symbol)
      out.push({ reason: "gold_mismatch", detail: `the gene is ${kg.geneByEntrez(set[0])!.symbol}` });
  },

  contains_any: (args, _item, kg, out) => {
    if (args.gene !== undefined) {
      const g = gene(kg, args.gene, out);
      if (!g) return;
      const valid = new Set([...g.band, ...g.chr.map((c) => `chromosome ${c}`)]);
      const bad = (args.values as string[]).filter((v) => !valid.has(v));
      if (bad.length) out.push({ reason: "gold_mismatch", detail: `${g.symbol}: ${bad.join(", ")} not in the KG` });
    }
    if (args.term !== undefined && !sameList(args.values, [kg.term(args.term)?.name]))
      out.push({ reason: "gold_mismatch", detail: `name of ${args.term}` });
    if (args.annotated_to !== undefined) {
      const g = gene(kg, args.annotated_to, out);
      if (g && !kg.annotationsOfGene(g.entrez).some((a) => a.go === args.term))
        out.push({ reason: "gold_mismatch", detail: `${g.symbol} is not annotated to ${args.term}` });
    }
    if (args.parents_of !== undefined) {
      const subsumers = new Set(
        (kg.term(args.parents_of)?.parents ?? []).filter((p) => p.rel === "isa" || p.rel === "part_of").map((p) => kg.term(p.id)?.name),
      );
      for (const v of args.values as string[])
        if (!subsumers.has(v))
          out.push({ reason: "chain_edge_not_in_kg", detail: `"${v}" is not an is_a/part_of parent of ${args.parents_of}` });
    }
  },

  contains_all: (args, _item, kg, out) => {
    const g = gene(kg, args.gene, out);
    if (!g) return;
    if (args.subset) {
      const missing = (args.items as string[]).filter((a) => !g.aliases.includes(a));
      if (missing.length) out.push({ reason: "gold_mismatch", detail: `not aliases of ${g.symbol}: ${missing.join(" ")}` });
    } else if (!sameList(sortedStr(args.items), sortedStr(g.aliases)))
      out.push({ reason: "gold_mismatch", detail: `aliases of ${g.symbol} are ${g.aliases.join(" ")}` });
    const bad = g.aliases.filter((a) => /[,\s]/.test(a));
    if (bad.length)
      out.push({
        reason: "constraint_unsatisfiable",
        detail: `aliases with commas/spaces cannot be listed without commas: ${bad.join(" | ")}`,
      });
  },

  json_field: (args, _item, kg, out) => geneFact(args, args.key, kg, out),

  items_in_set: (args, item, kg, out) => {
    const g = gene(kg, args.gene, out);
    if (!g) return;
    const set = kgIndex(kg).directTerms(g.entrez, args.ns);
    if (set.length === 0) out.push({ reason: "empty_gold_set", detail: `${g.symbol} has no ${args.ns} annotation` });
    if (!sameList(set, sortedStr(args.set))) out.push({ reason: "gold_mismatch", detail: `${args.ns} terms of ${g.symbol} differ` });
    const n = item.checks.find((c) => c.name === "json_array")?.args.n as number | undefined;
    if (n !== undefined && (n < 1 || n > set.length))
      out.push({ reason: "constraint_unsatisfiable", detail: `asks for ${n} ids, ${g.symbol} has ${set.length}` });
  },

  table_rows: (args, _item, kg, out) => {
    if (args.facts_of !== undefined) {
      // every row (namespace, GO id) is a direct annotation of the gene in that namespace
      const g = gene(kg, args.facts_of, out);
      if (!g) return;
      for (const [ns, id] of args.rows as string[][])
        if (!kg.annotationsOfGene(g.entrez).some((a) => a.go === id && a.ns === ns))
          out.push({ reason: "gold_mismatch", detail: `${g.symbol} has no ${ns} annotation ${id}` });
      return;
    }
    let want: string[][];
    if (args.gene !== undefined) {
      const g = gene(kg, args.gene, out);
      if (!g) return;
      const ix = kgIndex(kg);
      want = ix.directTerms(g.entrez, args.ns).map((t) => [t, ix.evidenceOf(g.entrez, t).join(", ")]);
    } else {
      const [a, b] = args.genes as number[];
      if (!gene(kg, a, out) || !gene(kg, b, out)) return;
      want = sharedTerms(kg, a, b).map((t) => [t, kg.term(t)!.ns]);
    }
    if (want.length === 0) return void out.push({ reason: "empty_gold_set", detail: "no rows in the KG" });
    const key = (rs: string[][]) =>
      rs
        .map((r) => (args.cols as number[]).map((c) => r[c]).join("|"))
        .sort()
        .join(";");
    if (key(want) !== key(args.rows)) out.push({ reason: "gold_mismatch", detail: `KG rows: ${key(want)}` });
  },

  max_words: (args, _item, _kg, out) => {
    if (!(args.n >= 1)) out.push({ reason: "constraint_unsatisfiable", detail: `max_words ${args.n}` });
  },
};
