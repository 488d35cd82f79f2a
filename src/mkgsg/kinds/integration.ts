/**
 * Integration ("Int"): one item needing knowledge + multi-hop reasoning + a format at once, scored per component
 * (score.ts: mean of the component means), so partial credit shows which capability failed.
 *
 *   int_json_chain     alias → symbol (K), chromosome (K), is_a chain (R), JSON object with the named keys (F)
 *   int_band_report    band ∩ term → the one gene (R), its chromosome (K), "Evidence:/Answer:" lines (F)
 *   int_table_shared   terms shared by two genes (R) with their namespaces (K), as a markdown table (F)
 * All three carry the workflow answer rules (evidence first, evidence code, scope, one conclusion).
 */
import { pick, randInt } from "../../util/rng.ts";
import {
  type Builder,
  evidenceOfFacts,
  genePairSharingTerm,
  label,
  pathScope,
  pickDirectTerm,
  pickGene,
  uniqSorted,
  walkUp,
  wfChecks,
  wfGold,
} from "../build.ts";

const intJsonChain: Builder = (ctx) => {
  const g = pickGene(ctx);
  if (!g || g.aliases.length === 0 || g.chr.length === 0) return null;
  const alias = pick(ctx.rng, g.aliases);
  const t = pickDirectTerm(ctx, g.entrez);
  if (!t) return null;
  const chain = walkUp(ctx, t, 1 + randInt(ctx.rng, 2));
  if (!chain) return null;
  const target = chain[chain.length - 1];
  const facts: [number, string][] = [[g.entrez, t]];
  const codes = evidenceOfFacts(ctx.ix, facts);
  const keys = ctx.wf ? ["evidence", "symbol", "chromosome", "chain"] : ["symbol", "chromosome", "chain"];
  const obj: Record<string, unknown> = ctx.wf ? { evidence: codes.join(", ") } : {};
  Object.assign(obj, { symbol: g.symbol, chromosome: g.chr[0], chain });
  return {
    prompt: `The gene with alias ${alias} is annotated to ${label(ctx.kg, t)}. Reply with a JSON object with keys ${keys.join(", ")}; chain is the is_a/part_of path of GO ids from ${t} to ${target}.`,
    gold: JSON.stringify(obj),
    checks: [
      { name: "json_object", component: "format", args: { keys } },
      { name: "json_field", component: "knowledge", args: { key: "symbol", values: [g.symbol], alias } },
      { name: "json_field", component: "knowledge", args: { key: "chromosome", values: g.chr, gene: g.entrez } },
      { name: "chain_valid", component: "reasoning", args: { start: t, target, gene: g.entrez } },
      ...wfChecks(ctx, { facts, terms: uniqSorted([...pathScope(ctx.kg, t, target), t, target]), genes: [g.symbol] }),
    ],
    provenance: { genes: [g.entrez], terms: chain, evidence: codes },
  };
};

const intBandReport: Builder = (ctx) => {
  const g = pickGene(ctx);
  if (!g || g.band.length === 0 || g.chr.length === 0) return null;
  const band = g.band[0];
  const t = pickDirectTerm(ctx, g.entrez);
  if (!t) return null;
  // naive: the question presumes one gene; nothing checks that here (curation: non_unique_answer)
  const facts: [number, string][] = [[g.entrez, t]];
  const codes = evidenceOfFacts(ctx.ix, facts);
  const prefixes = ctx.wf ? ["Evidence", "Answer"] : ["Answer"];
  return {
    prompt: `Which gene at band ${band} is annotated to ${label(ctx.kg, t)}, and on which chromosome is it? Reply in ${prefixes.length} line${prefixes.length > 1 ? "s" : ""}: ${prefixes.join(", ")}.`,
    gold: wfGold(ctx, codes, `Answer: ${g.symbol} on chromosome ${g.chr[0]}`),
    checks: [
      { name: "n_lines", component: "format", args: { n: prefixes.length } },
      { name: "line_prefixes", component: "format", args: { prefixes } },
      { name: "answer_symbol", component: "reasoning", args: { symbol: g.symbol, band, term: t } },
      { name: "contains_any", component: "knowledge", args: { values: g.chr.map((c) => `chromosome ${c}`), gene: g.entrez } },
      ...wfChecks(ctx, { facts, terms: [t], genes: [g.symbol] }),
    ],
    provenance: { genes: [g.entrez], terms: [t], evidence: codes },
  };
};

const intTableShared: Builder = (ctx) => {
  const pair = genePairSharingTerm(ctx);
  if (!pair || pair.shared.length === 0 || pair.shared.length > 3) return null;
  const { a, b, shared: set } = pair;
  const rows = set.map((s) => [s, ctx.kg.term(s)!.ns]);
  const facts: [number, string][] = set.flatMap(
    (s) =>
      [
        [a.entrez, s],
        [b.entrez, s],
      ] as [number, string][],
  );
  const codes = evidenceOfFacts(ctx.ix, facts);
  const table = ["| Term | Namespace |", "| --- | --- |", ...rows.map((r) => `| ${r[0]} | ${r[1]} |`)].join("\n");
  return {
    prompt: `Give a markdown table with columns Term | Namespace (BP, MF or CC) of the GO terms directly annotated to both ${a.symbol} and ${b.symbol}.${ctx.wf ? " Start with an Evidence line." : ""}`,
    gold: wfGold(ctx, codes, table),
    checks: [
      { name: "markdown_table", component: "format", args: { header: ["Term", "Namespace"] } },
      { name: "table_rows", component: "reasoning", args: { rows, cols: [0], genes: [a.entrez, b.entrez] } },
      { name: "term_ns_column", component: "knowledge", args: { term_col: 0, ns_col: 1 } },
      ...wfChecks(ctx, { facts, terms: set, genes: [a.symbol, b.symbol] }),
    ],
    provenance: { genes: [a.entrez, b.entrez], terms: set, evidence: codes },
  };
};

export const integrationKinds: Record<string, Builder> = {
  int_json_chain: intJsonChain,
  int_band_report: intBandReport,
  int_table_shared: intTableShared,
};
