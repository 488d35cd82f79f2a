/**
 * `bbio kg …` — inspect the knowledge graph. Cheap to import: the loader is imported inside each action.
 * The data directory is data/kg/ unless $BBIO_KG_DIR says otherwise.
 */
import type { Command } from "commander";

const loader = async () => {
  const [{ loadKG }, ids, { kgStats }] = await Promise.all([import("./load.ts"), import("./ids.ts"), import("./stats.ts")]);
  return { kg: loadKG(), ...ids, kgStats };
};

const out = (s: string) => process.stdout.write(s + "\n");

export function register(program: Command): void {
  const kg = program.command("kg").description("inspect the knowledge graph (Gene Ontology 2022-07-01 + NCBI Gene 2022-09-12)");

  kg.command("stats")
    .description("counts: genes, terms per namespace, annotations per evidence code, edges per relation, split sizes, load time")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }) => {
      const { kg, kgStats } = await loader();
      const s = kgStats(kg);
      if (opts.json) {
        out(JSON.stringify(s, null, 2));
        return;
      }
      const fmt = (r: Record<string, number>) =>
        Object.entries(r)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ");
      out(`genes        ${s.genes}  (split: ${fmt(s.split)})`);
      out(`GO terms     ${s.terms}  (${fmt(s.termsByNs)}; ${s.termsWithoutDef} without definition)`);
      out(`annotations  ${s.annotations}  (${fmt(s.annotationsByEvidence)})`);
      out(`             by namespace: ${fmt(s.annotationsByNs)}`);
      out(`parent edges ${fmt(s.edgesByRelation)}  (subsumption = isa + part_of only)`);
      out(`sources      GO ${s.sources.GO_date ?? "?"}, NCBI Gene ${s.sources.NCBI_Gene_date ?? "?"}; dataHash ${s.dataHash}`);
      out(`load time    ${s.loadMs} ms`);
    });

  kg.command("gene")
    .description("a gene record (by symbol, alias or Entrez id) and its direct GO annotations grouped by namespace")
    .argument("<gene>", "official symbol (e.g. CFTR), unambiguous alias (ABCC7) or Entrez id (1080)")
    .option("--json", "print JSON")
    .action(async (query: string, opts: { json?: boolean }) => {
      const { kg, resolveGene } = await loader();
      const g = resolveGene(kg, query);
      // one row per (term, namespace) with all its evidence codes
      const byTerm = new Map<string, { go: string; name: string; ns: string; evidence: string[] }>();
      for (const a of kg.annotationsOfGene(g.entrez)) {
        const row = byTerm.get(a.go) ?? { go: a.go, name: kg.term(a.go)?.name ?? "?", ns: a.ns, evidence: [] };
        row.evidence.push(a.evidence);
        byTerm.set(a.go, row);
      }
      const rows = [...byTerm.values()].sort((a, b) => a.ns.localeCompare(b.ns) || a.go.localeCompare(b.go));
      if (opts.json) {
        out(JSON.stringify({ gene: g, split: kg.splitOf(g.entrez), annotations: rows }, null, 2));
        return;
      }
      const loc = g.start != null ? ` ${g.start}-${g.end} (${g.strand ?? "?"})` : "";
      out(`${g.symbol}  Entrez ${g.entrez}  ${g.name}`);
      out(`  location   chr ${g.chr.join("/") || "?"}  band ${g.band.join("/") || "?"}${loc} (hg38)`);
      if (g.aliases.length) out(`  aliases    ${g.aliases.join(", ")}`);
      if (g.uniprot.length) out(`  UniProt    ${g.uniprot.join(", ")}`);
      if (g.omim.length) out(`  OMIM       ${g.omim.join(", ")}`);
      if (g.pfam.length) out(`  Pfam       ${g.pfam.join(", ")}`);
      out(`  PubMed     ${g.n_pubmed} linked articles;  split ${kg.splitOf(g.entrez)}`);
      const nsName: Record<string, string> = { BP: "biological process", MF: "molecular function", CC: "cellular component" };
      for (const ns of ["BP", "MF", "CC"]) {
        const xs = rows.filter((r) => r.ns === ns);
        if (!xs.length) continue;
        out(`  ${ns} ${nsName[ns]} (${xs.length})`);
        for (const r of xs) out(`    ${r.go}  ${r.name}  [${r.evidence.join(", ")}]`);
      }
    });

  kg.command("ancestors")
    .description("is_a / part_of ancestors of a GO term, with names (regulates edges are not followed)")
    .argument("<go-id>", "e.g. GO:1902476")
    .option("--json", "print JSON")
    .action(async (id: string, opts: { json?: boolean }) => {
      const { kg, requireTerm } = await loader();
      const t = requireTerm(kg, id);
      const anc = kg.ancestors(t.id).map((a) => ({ id: a, name: kg.term(a)!.name, ns: kg.term(a)!.ns, depth: kg.graph.depth(a) }));
      if (opts.json) {
        out(JSON.stringify({ term: { id: t.id, name: t.name, ns: t.ns }, ancestors: anc }, null, 2));
        return;
      }
      out(`${t.id}  ${t.name}  (${t.ns}; ${anc.length} ancestors over is_a/part_of)`);
      // most general first, so the list reads top-down
      for (const a of anc.slice().sort((x, y) => x.depth - y.depth || x.id.localeCompare(y.id))) out(`  ${a.id}  ${a.name}`);
    });

  kg.command("is-a")
    .description("is <child> a kind/part of <ancestor> (is_a/part_of closure)? prints true or false, exit 0 either way")
    .argument("<child>", "GO id")
    .argument("<ancestor>", "GO id")
    .option("--path", "also print one shortest is_a/part_of chain when true")
    .action(async (child: string, ancestor: string, opts: { path?: boolean }) => {
      const { kg, requireTerm } = await loader();
      const c = requireTerm(kg, child);
      const a = requireTerm(kg, ancestor);
      const yes = kg.isA(c.id, a.id);
      out(String(yes));
      if (yes && opts.path) for (const id of kg.pathUp(c.id, a.id)!) out(`  ${id}  ${kg.term(id)!.name}`);
    });
}
