/**
 * loadKG(): read the committed subset (data/kg/*.gz + manifest.json) into a MemoryKG.
 *
 * Synchronous on purpose: ~2.7 MB of gzip parses in a few hundred ms, and a sync loader can be called from anywhere
 * (validators, scorers, data loaders) without threading async through them. Cached per directory for the life of the
 * process, so every stage shares one instance (and its memoised closures).
 *
 * Each file is checked against the sha256 in manifest.json and every row against the schema; referential integrity is
 * checked too (every parent and annotated term resolves, every annotated gene exists). Any problem is one BbioError
 * naming the file and the regeneration command — stages downstream may then trust the KG without re-checking.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { BbioError } from "../util/errors.ts";
import { jsonLines } from "../util/fsx.ts";
import { sha256 } from "../util/hash.ts";
import { GO_ID } from "./ids.ts";
import { MemoryKG } from "./kg.ts";
import type { Annotation, Evidence, Gene, Namespace, Relation, Term } from "./types.ts";

export const DEFAULT_KG_DIR = fileURLToPath(new URL("../../data/kg/", import.meta.url));
export const REGENERATE_KG = "npm run data:kg";
export const KG_FILES = ["genes.jsonl.gz", "annotations.tsv.gz", "go_terms.jsonl.gz"] as const;

const NS = new Set<Namespace>(["BP", "MF", "CC"]);
const EVIDENCE = new Set<Evidence>(["EXP", "IDA", "IPI", "IMP", "IGI", "IEP", "TAS"]);
const RELATIONS = new Set<Relation>(["isa", "part_of", "regulates", "positively_regulates", "negatively_regulates"]);

const cache = new Map<string, MemoryKG>();

/** Where the KG lives: explicit argument, else $BBIO_KG_DIR, else the repo's data/kg/. */
export function kgDir(dir?: string): string {
  return resolve(dir ?? process.env.BBIO_KG_DIR ?? DEFAULT_KG_DIR);
}

/** Load (once per directory per process) the knowledge graph. Throws BbioError on missing/corrupt data. */
export function loadKG(dir?: string): MemoryKG {
  const d = kgDir(dir);
  let kg = cache.get(d);
  if (!kg) cache.set(d, (kg = readKG(d)));
  return kg;
}

/** Forget cached KGs (tests that rewrite a data directory). */
export function clearKGCache(): void {
  cache.clear();
}

function corrupt(file: string, problem: string): BbioError {
  return new BbioError(`${file}: ${problem} — regenerate with: ${REGENERATE_KG}`);
}

function readKG(dir: string): MemoryKG {
  const t0 = performance.now();
  const manifestPath = join(dir, "manifest.json");
  if (!existsSync(manifestPath)) throw corrupt(manifestPath, "file not found");
  let manifest: {
    files?: Record<string, { sha256?: string }>;
    sources?: Record<string, string>;
    packages?: Record<string, string>;
    dataHash?: string;
  };
  try {
    manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  } catch (e) {
    throw corrupt(manifestPath, `not valid JSON (${(e as Error).message})`);
  }
  if (typeof manifest.dataHash !== "string" || !manifest.files) throw corrupt(manifestPath, "missing dataHash/files");

  const text = (name: string): string => {
    const path = join(dir, name);
    if (!existsSync(path)) throw corrupt(path, "file not found");
    const buf = readFileSync(path);
    const want = manifest.files![name]?.sha256;
    if (want && sha256(buf) !== want) throw corrupt(path, "sha256 does not match manifest.json (file changed or truncated)");
    try {
      return gunzipSync(buf).toString("utf8");
    } catch (e) {
      throw corrupt(path, `not a valid gzip file (${(e as Error).message})`);
    }
  };

  const termsPath = join(dir, "go_terms.jsonl.gz");
  const terms = parseJsonLines<Term>(text("go_terms.jsonl.gz"), termsPath, checkTerm);
  const termById = new Map(terms.map((t) => [t.id, t]));
  for (const t of terms) {
    for (const p of t.parents) if (!termById.has(p.id)) throw corrupt(termsPath, `${t.id}: parent ${p.id} is not in the file`);
  }

  const genesPath = join(dir, "genes.jsonl.gz");
  const genes = parseJsonLines<Gene>(text("genes.jsonl.gz"), genesPath, checkGene);
  const entrezSet = new Set(genes.map((g) => g.entrez));

  const annPath = join(dir, "annotations.tsv.gz");
  const annotations = parseAnnotations(text("annotations.tsv.gz"), annPath, termById, entrezSet);

  const kg = new MemoryKG({
    genes,
    terms,
    annotations,
    meta: { sources: { ...(manifest.packages ?? {}), ...(manifest.sources ?? {}) }, dataHash: manifest.dataHash },
  });
  kg.loadMs = performance.now() - t0;
  return kg;
}

/**
 * JSONL → rows. Parsing the whole file as one JSON array is ~2x faster than line by line; only when that fails do we
 * go line by line to report the first bad line number.
 */
// biome-ignore lint/suspicious/noExplicitAny: raw JSON, checked field by field before it is typed
function parseJsonLines<T>(text: string, path: string, check: (row: any) => string | null): T[] {
  const lines = text.split("\n");
  while (lines.length && lines[lines.length - 1] === "") lines.pop();
  let rows: T[];
  try {
    rows = JSON.parse(`[${lines.join(",")}]`);
  } catch {
    const bad = jsonLines(text).find((l) => l.error !== undefined);
    throw corrupt(path, bad ? `line ${bad.line}: ${bad.error}` : "malformed JSON (a blank line between rows)");
  }
  if (rows.length === 0) throw corrupt(path, "no rows");
  for (let i = 0; i < rows.length; i++) {
    const problem = check(rows[i]);
    if (problem) throw corrupt(path, `line ${i + 1}: ${problem}`);
  }
  return rows;
}

// biome-ignore lint/suspicious/noExplicitAny: raw JSON, checked field by field before it is typed
function checkTerm(t: any): string | null {
  if (!t || typeof t !== "object") return "not an object";
  if (typeof t.id !== "string" || !GO_ID.test(t.id)) return `bad id ${JSON.stringify(t.id)}`;
  if (typeof t.name !== "string" || !t.name) return `${t.id}: missing name`;
  if (!NS.has(t.ns)) return `${t.id}: bad namespace ${JSON.stringify(t.ns)}`;
  if (t.def !== null && typeof t.def !== "string") return `${t.id}: bad def`;
  if (!Array.isArray(t.parents)) return `${t.id}: parents is not an array`;
  for (const p of t.parents) {
    if (!p || typeof p.id !== "string" || !GO_ID.test(p.id) || !RELATIONS.has(p.rel)) return `${t.id}: bad parent ${JSON.stringify(p)}`;
  }
  return null;
}

const isStrings = (x: unknown) => Array.isArray(x) && x.every((s) => typeof s === "string");

// biome-ignore lint/suspicious/noExplicitAny: raw JSON, checked field by field before it is typed
function checkGene(g: any): string | null {
  if (!g || typeof g !== "object") return "not an object";
  if (!Number.isInteger(g.entrez) || g.entrez <= 0) return `bad entrez ${JSON.stringify(g.entrez)}`;
  if (typeof g.symbol !== "string" || !g.symbol) return `${g.entrez}: missing symbol`;
  if (typeof g.name !== "string") return `${g.entrez}: missing name`;
  for (const k of ["chr", "band", "aliases", "uniprot", "omim", "pfam"])
    if (!isStrings(g[k])) return `${g.entrez}: ${k} is not a string array`;
  for (const k of ["start", "end"]) if (g[k] !== null && !Number.isInteger(g[k])) return `${g.entrez}: bad ${k}`;
  if (g.strand !== null && g.strand !== "+" && g.strand !== "-") return `${g.entrez}: bad strand`;
  if (!Number.isInteger(g.n_pubmed)) return `${g.entrez}: bad n_pubmed`;
  return null;
}

function parseAnnotations(text: string, path: string, terms: Map<string, Term>, genes: Set<number>): Annotation[] {
  const lines = text.split("\n");
  if (lines[0] !== "entrez\tgo_id\tevidence\tns") throw corrupt(path, "line 1: expected header 'entrez<TAB>go_id<TAB>evidence<TAB>ns'");
  const out: Annotation[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line) continue;
    const f = line.split("\t");
    const entrez = Number(f[0]);
    const term = terms.get(f[1]);
    const where = `line ${i + 1}`;
    if (f.length !== 4) throw corrupt(path, `${where}: expected 4 tab-separated fields, got ${f.length}`);
    if (!genes.has(entrez)) throw corrupt(path, `${where}: gene ${f[0]} is not in genes.jsonl.gz`);
    if (!term) throw corrupt(path, `${where}: term ${f[1]} is not in go_terms.jsonl.gz`);
    if (!EVIDENCE.has(f[2] as Evidence)) throw corrupt(path, `${where}: evidence code ${f[2]} is not one of the kept codes`);
    if (f[3] !== term.ns) throw corrupt(path, `${where}: namespace ${f[3]} disagrees with ${term.id} (${term.ns})`);
    // reuse the term's id string (interning): 146k rows share 10k distinct ids
    out.push({ entrez, go: term.id, evidence: f[2] as Evidence, ns: term.ns });
  }
  if (!out.length) throw corrupt(path, "no rows");
  return out;
}
