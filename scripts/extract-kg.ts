/**
 * Regenerate the committed knowledge-graph subset under data/kg/ from the Debian packages
 * r-bioc-go.db (Gene Ontology 2022-07-01) and r-bioc-org.hs.eg.db (NCBI Gene 2022-09-12).
 *
 *   npm run data:kg                         # apt-get download both .debs into a temp dir, extract, write data/kg/
 *   npm run data:kg -- --from /tmp/debs     # use .deb files (or an already dpkg-extracted tree) in that folder
 *   npm run data:kg -- --out /tmp/kg        # write somewhere else (tests use this for the byte-identity check)
 *
 * No R: the .debs carry plain SQLite files, read with the `sqlite3` CLI (`apt-get install sqlite3`).
 * Selection (measured on a trial extraction: 16,373 genes, 146,440 annotation rows, 17,840 GO terms, 2.7 MB gzipped;
 * see also docs/method.md §2.1):
 *   - genes: human protein-coding genes with >=1 *direct* GO annotation whose evidence is experimental
 *     (EXP IDA IPI IMP IGI IEP) or TAS;
 *   - annotations: exactly those direct annotations (entrez, go_id, evidence, ns), distinct rows;
 *   - terms: every annotated term plus its ancestor closure over ALL parent relation types, so every parents[].id
 *     in go_terms resolves inside the file (subsumption over isa/part_of only is computed by src/kg, not here).
 * KEGG/EC tables are dropped (KEGG licence; the tables are from 2011). OMIM: bare MIM numbers only.
 *
 * Output is deterministic: rows sorted, fixed key order, gzip level 9 via node:zlib (mtime 0 in the header),
 * manifest without timestamps — running twice gives byte-identical files. Identity of the *data* (dataHash) is taken
 * over the uncompressed contents so it does not depend on the zlib build.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync, constants as zc } from "node:zlib";
import { Command } from "commander";
import { sha256 } from "../src/util/hash.ts";
import { writeFileAtomic } from "../src/util/fsx.ts";
import type { Annotation, Evidence, Gene, Namespace, Relation, Term } from "../src/kg/types.ts";

const PACKAGES = ["r-bioc-go.db", "r-bioc-org.hs.eg.db"] as const;
const EVIDENCE: readonly Evidence[] = ["EXP", "IDA", "IPI", "IMP", "IGI", "IEP", "TAS"];
const NAMESPACES: readonly Namespace[] = ["BP", "MF", "CC"];
const REL: Record<string, Relation> = {
  isa: "isa",
  "part of": "part_of",
  regulates: "regulates",
  "positively regulates": "positively_regulates",
  "negatively regulates": "negatively_regulates",
};
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");

// ---------------------------------------------------------------------------------------------------------------
// sqlite3 CLI helpers

function sqliteJson<T>(db: string, sql: string): T[] {
  // -json prints nothing (not "[]") for an empty result
  // SQL goes through stdin: the gene-id lists below are longer than one argv string may be (128 KiB)
  const out = execFileSync("sqlite3", ["-readonly", "-json", db], { input: sql, maxBuffer: 1 << 30, encoding: "utf8" });
  return out.trim() ? (JSON.parse(out) as T[]) : [];
}

function need(cmd: string, hint: string): void {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
  } catch {
    throw new Error(`'${cmd}' not found on PATH; ${hint}`);
  }
}

function findFile(root: string, name: string): string | undefined {
  for (const entry of readdirSync(root)) {
    const p = join(root, entry);
    const st = statSync(p);
    if (st.isDirectory()) {
      const hit = findFile(p, name);
      if (hit) return hit;
    } else if (entry === name) return p;
  }
  return undefined;
}

/** Locate (downloading/extracting as needed) the two SQLite files and the package versions. */
function obtainSources(from: string | undefined): { goDb: string; hsDb: string; versions: Record<string, string>; cleanup: () => void } {
  need("sqlite3", "install it with: apt-get install sqlite3");
  need("dpkg-deb", "this script needs Debian's dpkg to unpack the .deb files");
  const work = mkdtempSync(join(tmpdir(), "bbio-kg-"));
  const cleanup = () => rmSync(work, { recursive: true, force: true });
  const debDir = from ? resolve(from) : work;
  if (!from) {
    need("apt-get", "this script needs Debian/Ubuntu apt, or pass --from <dir with the .deb files>");
    chmodSync(work, 0o777); // apt's _apt sandbox user must be able to write here
    process.stderr.write(`downloading ${PACKAGES.join(", ")} with apt-get …\n`);
    execFileSync("apt-get", ["download", ...PACKAGES], { cwd: work, stdio: ["ignore", "ignore", "inherit"] });
  }
  if (!existsSync(debDir)) throw new Error(`--from ${from}: no such directory`);
  const versions: Record<string, string> = {};
  const debs = readdirSync(debDir).filter((f) => f.endsWith(".deb"));
  const root = join(work, "x");
  for (const pkg of PACKAGES) {
    const deb = debs
      .filter((f) => f.startsWith(`${pkg}_`))
      .sort()
      .pop();
    if (!deb) continue; // maybe an extracted tree was given instead
    versions[pkg] = execFileSync("dpkg-deb", ["-f", join(debDir, deb), "Version"], { encoding: "utf8" }).trim();
    execFileSync("dpkg-deb", ["-x", join(debDir, deb), root]);
  }
  const searchRoot = existsSync(root) ? root : debDir;
  const goDb = findFile(searchRoot, "GO.sqlite");
  const hsDb = findFile(searchRoot, "org.Hs.eg.sqlite");
  if (!goDb || !hsDb) throw new Error(`GO.sqlite / org.Hs.eg.sqlite not found under ${searchRoot}`);
  for (const pkg of PACKAGES) versions[pkg] ??= "unknown (extracted tree given)";
  return { goDb, hsDb, versions, cleanup };
}

// ---------------------------------------------------------------------------------------------------------------
// extraction

function metadata(db: string): Record<string, string> {
  const rows = sqliteJson<{ name: string; value: string }>(db, "SELECT name, value FROM metadata");
  return Object.fromEntries(rows.map((r) => [r.name, r.value]));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const uniqSorted = (xs: Iterable<string>) => [...new Set(xs)].sort(cmp);

function extractAnnotations(hsDb: string): Annotation[] {
  const ev = EVIDENCE.map((e) => `'${e}'`).join(",");
  const parts = NAMESPACES.map(
    (ns) => `SELECT _id, go_id, evidence, '${ns}' AS ns FROM go_${ns.toLowerCase()} WHERE evidence IN (${ev})`,
  ).join(" UNION ");
  const sql = `SELECT DISTINCT g.gene_id AS entrez, a.go_id AS go, a.evidence AS evidence, a.ns AS ns
    FROM (${parts}) a JOIN genes g ON g._id = a._id JOIN genetype t ON t._id = a._id
    WHERE t.gene_type = 'protein-coding'`;
  return sqliteJson<{ entrez: string; go: string; evidence: Evidence; ns: Namespace }>(hsDb, sql).map((r) => ({
    entrez: Number(r.entrez),
    go: r.go,
    evidence: r.evidence,
    ns: r.ns,
  }));
}

function extractTerms(goDb: string, annotated: Set<string>): { terms: Term[]; dropped: string[] } {
  const all = sqliteJson<{ id: string; name: string; ns: string; def: string | null }>(
    goDb,
    "SELECT go_id AS id, term AS name, ontology AS ns, definition AS def FROM go_term WHERE ontology IN ('BP','MF','CC')",
  );
  const byId = new Map(all.map((t) => [t.id, t]));
  const parents = new Map<string, { id: string; rel: Relation }[]>();
  for (const ns of NAMESPACES) {
    const rows = sqliteJson<{ child: string; parent: string; rel: string }>(
      goDb,
      `SELECT c.go_id AS child, p.go_id AS parent, e.relationship_type AS rel
       FROM go_${ns.toLowerCase()}_parents e JOIN go_term c ON c._id = e._id JOIN go_term p ON p._id = e._parent_id`,
    );
    for (const r of rows) {
      if (r.parent === "all") continue; // GO.db links the three roots to a synthetic "all" term
      const rel = REL[r.rel];
      if (!rel) throw new Error(`unknown relationship_type '${r.rel}' (${r.child} -> ${r.parent})`);
      if (!byId.has(r.parent)) throw new Error(`parent ${r.parent} of ${r.child} is not a GO term`);
      const list = parents.get(r.child) ?? [];
      list.push({ id: r.parent, rel });
      parents.set(r.child, list);
    }
  }
  // closure over every relation type, so every referenced parent resolves in the subset
  const keep = new Set<string>();
  const dropped: string[] = [];
  const stack = [...annotated].filter((id) => (byId.has(id) ? true : (dropped.push(id), false)));
  while (stack.length) {
    const id = stack.pop()!;
    if (keep.has(id)) continue;
    keep.add(id);
    for (const p of parents.get(id) ?? []) stack.push(p.id);
  }
  const terms = [...keep].sort(cmp).map((id): Term => {
    const t = byId.get(id)!;
    const ps = (parents.get(id) ?? [])
      .slice()
      .sort((a, b) => cmp(a.id, b.id) || cmp(a.rel, b.rel))
      .filter((p, i, xs) => i === 0 || p.id !== xs[i - 1].id || p.rel !== xs[i - 1].rel);
    return { id, name: t.name, ns: t.ns as Namespace, def: t.def?.trim() ? t.def : null, parents: ps };
  });
  return { terms, dropped: dropped.sort(cmp) };
}

function extractGenes(hsDb: string, entrezIds: Set<number>): Gene[] {
  const list = [...entrezIds].join(",");
  const q = <T>(sql: string) => sqliteJson<T & { entrez: string }>(hsDb, sql.replace("$IDS", list));
  // one small query per table, all keyed by entrez; grouped in JS
  const base = q<{ symbol: string; name: string }>(
    `SELECT g.gene_id AS entrez, i.symbol AS symbol, i.gene_name AS name FROM genes g JOIN gene_info i ON i._id = g._id WHERE g.gene_id IN ($IDS)`,
  );
  const multi = (table: string, col: string) => {
    const m = new Map<number, string[]>();
    for (const r of q<{ v: string | null }>(
      `SELECT g.gene_id AS entrez, t.${col} AS v FROM genes g JOIN ${table} t ON t._id = g._id WHERE g.gene_id IN ($IDS)`,
    )) {
      if (r.v == null || r.v === "") continue;
      const e = Number(r.entrez);
      (m.get(e) ?? m.set(e, []).get(e)!).push(String(r.v));
    }
    return m;
  };
  const chr = multi("chromosomes", "chromosome");
  const band = multi("cytogenetic_locations", "cytogenetic_location");
  const alias = multi("alias", "alias_symbol");
  const uniprot = multi("uniprot", "uniprot_id");
  const omim = multi("omim", "omim_id");
  const pfam = multi("pfam", "pfam_id");
  const pubmed = new Map(
    q<{ n: number }>(
      `SELECT g.gene_id AS entrez, COUNT(DISTINCT p.pubmed_id) AS n FROM genes g JOIN pubmed p ON p._id = g._id WHERE g.gene_id IN ($IDS) GROUP BY g.gene_id`,
    ).map((r) => [Number(r.entrez), Number(r.n)]),
  );
  const locs = new Map<number, { seq: string; start: number; end: number }[]>();
  for (const r of q<{ seq: string; s: number; e: number }>(
    `SELECT g.gene_id AS entrez, c.seqname AS seq, c.start_location AS s, c.end_location AS e FROM genes g JOIN chromosome_locations c ON c._id = g._id WHERE g.gene_id IN ($IDS)`,
  )) {
    const e = Number(r.entrez);
    (locs.get(e) ?? locs.set(e, []).get(e)!).push({ seq: r.seq, start: Number(r.s), end: Number(r.e) });
  }

  return base
    .map((b): Gene => {
      const entrez = Number(b.entrez);
      const chrs = uniqSorted(chr.get(entrez) ?? []);
      const { start, end, strand } = location(chrs, locs.get(entrez) ?? []);
      return {
        entrez,
        symbol: b.symbol,
        name: b.name,
        chr: chrs,
        band: uniqSorted(band.get(entrez) ?? []),
        start,
        end,
        strand,
        // org.Hs.eg.db's alias table also lists the official symbol itself; drop it
        aliases: uniqSorted((alias.get(entrez) ?? []).filter((a) => a !== b.symbol)),
        uniprot: uniqSorted(uniprot.get(entrez) ?? []),
        omim: uniqSorted(omim.get(entrez) ?? []),
        pfam: uniqSorted(pfam.get(entrez) ?? []),
        n_pubmed: pubmed.get(entrez) ?? 0,
      };
    })
    .sort((a, b) => a.entrez - b.entrez);
}

/**
 * hg38 coordinates (UCSC via org.Hs.eg.db; a negative position means the minus strand). A gene can have several rows
 * (alternative haplotypes "6_GL000251v2_alt", fix patches, several transcripts): keep rows on the primary chromosome
 * (the first of the gene's chromosomes, e.g. X for X/Y PAR genes) and report the span min(start)..max(end).
 */
function location(chrs: string[], rows: { seq: string; start: number; end: number }[]) {
  const primary = chrs[0];
  const onPrimary = rows.filter((r) => (r.seq === "M" ? "MT" : r.seq) === primary);
  if (!onPrimary.length) return { start: null, end: null, strand: null } as const;
  const signs = new Set(onPrimary.map((r) => Math.sign(r.start)));
  const strand = signs.size === 1 ? (signs.has(-1) ? "-" : "+") : null;
  const start = Math.min(...onPrimary.map((r) => Math.abs(r.start)));
  const end = Math.max(...onPrimary.map((r) => Math.abs(r.end)));
  return { start, end, strand } as { start: number; end: number; strand: "+" | "-" | null };
}

// ---------------------------------------------------------------------------------------------------------------
// output

function gz(text: string): Buffer {
  // node's gzip header carries mtime 0 and no file name, so output depends only on the input (and the zlib build)
  return gzipSync(Buffer.from(text, "utf8"), { level: 9, memLevel: 9, strategy: zc.Z_DEFAULT_STRATEGY });
}

export function extract(opts: { from?: string; out: string }): Record<string, unknown> {
  const { goDb, hsDb, versions, cleanup } = obtainSources(opts.from);
  try {
    const goMeta = metadata(goDb);
    const hsMeta = metadata(hsDb);
    process.stderr.write("reading annotations …\n");
    let annotations = extractAnnotations(hsDb);
    const { terms, dropped } = extractTerms(goDb, new Set(annotations.map((a) => a.go)));
    if (dropped.length) {
      // annotation to a term absent from GO.db (obsolete between releases): cannot be reasoned over, so drop it
      const d = new Set(dropped);
      annotations = annotations.filter((a) => !d.has(a.go));
    }
    annotations.sort((a, b) => a.entrez - b.entrez || cmp(a.go, b.go) || cmp(a.evidence, b.evidence));
    process.stderr.write("reading genes …\n");
    const genes = extractGenes(hsDb, new Set(annotations.map((a) => a.entrez)));

    const files: Record<string, string> = {
      "genes.jsonl.gz": genes.map((g) => JSON.stringify(g)).join("\n") + "\n",
      "annotations.tsv.gz":
        "entrez\tgo_id\tevidence\tns\n" + annotations.map((a) => `${a.entrez}\t${a.go}\t${a.evidence}\t${a.ns}`).join("\n") + "\n",
      "go_terms.jsonl.gz": terms.map((t) => JSON.stringify(t)).join("\n") + "\n",
    };
    const out = resolve(opts.out);
    const fileInfo: Record<string, { rows: number; bytes: number; sha256: string; raw_bytes: number; raw_sha256: string }> = {};
    for (const [name, text] of Object.entries(files)) {
      const data = gz(text);
      writeFileAtomic(join(out, name), data);
      const rows = text.split("\n").length - 1 - (name.endsWith(".tsv.gz") ? 1 : 0);
      fileInfo[name] = { rows, bytes: data.length, sha256: sha256(data), raw_bytes: Buffer.byteLength(text), raw_sha256: sha256(text) };
    }
    const count = <T>(xs: readonly T[], key: (x: T) => string) => {
      const m: Record<string, number> = {};
      for (const x of xs) m[key(x)] = (m[key(x)] ?? 0) + 1;
      return Object.fromEntries(Object.entries(m).sort(([a], [b]) => cmp(a, b)));
    };
    const manifest = {
      description:
        "Compact subset of Gene Ontology + NCBI Gene for the BalancedBio workbench: human protein-coding genes with experimental (EXP IDA IPI IMP IGI IEP) or TAS direct GO annotations, those annotations, and the GO terms they reach over all parent relations.",
      regenerate: "npm run data:kg",
      generator: "scripts/extract-kg.ts",
      packages: versions,
      sources: {
        GO: `${goMeta.GOSOURCENAME} ${goMeta.GOSOURCEDATE} (${goMeta.GOSOURCEURL})`,
        GO_date: goMeta.GOSOURCEDATE,
        NCBI_Gene: `${hsMeta.EGSOURCENAME} ${hsMeta.EGSOURCEDATE} (${hsMeta.EGSOURCEURL})`,
        NCBI_Gene_date: hsMeta.EGSOURCEDATE,
        GO_annotations_date: hsMeta.GOSOURCEDATE,
        UCSC_hg38_locations_date: hsMeta.GPSOURCEDATE,
        UniProt_Pfam_date: hsMeta.UPSOURCEDATE,
        taxon: hsMeta.TAXID,
      },
      evidence: EVIDENCE,
      counts: {
        genes: genes.length,
        annotations: annotations.length,
        terms: terms.length,
        terms_by_ns: count(terms, (t) => t.ns),
        annotations_by_evidence: count(annotations, (a) => a.evidence),
        edges_by_relation: count(
          terms.flatMap((t) => t.parents),
          (p) => p.rel,
        ),
        dropped_annotation_terms_not_in_GO: dropped,
      },
      files: fileInfo,
      // identity of the data itself (uncompressed), independent of the zlib build
      dataHash: sha256(
        Object.keys(fileInfo)
          .sort(cmp)
          .map((k) => `${k}:${fileInfo[k].raw_sha256}`)
          .join("\n"),
      ).slice(0, 16),
    };
    writeFileAtomic(join(out, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
    return manifest;
  } finally {
    cleanup();
  }
}

// run as a script (not when imported by a test)
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const program = new Command()
    .name("extract-kg")
    .description("regenerate data/kg/ from the Debian packages r-bioc-go.db and r-bioc-org.hs.eg.db")
    .option("--from <dir>", "folder with the two .deb files (or a dpkg-extracted tree) instead of apt-get download")
    .option("--out <dir>", "output folder", join(REPO, "data", "kg"))
    .parse();
  const o = program.opts<{ from?: string; out: string }>();
  const t0 = performance.now();
  try {
    const m = extract(o) as { counts: Record<string, unknown>; files: Record<string, { bytes: number }>; dataHash: string };
    const total = Object.values(m.files).reduce((s, f) => s + f.bytes, 0);
    console.log(JSON.stringify(m.counts));
    console.log(
      `wrote ${resolve(o.out)}: ${(total / 1e6).toFixed(2)} MB gzip, dataHash ${m.dataHash} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    process.exit(2);
  }
}
