/**
 * Identifier parsing and strict lookups for user-facing code (CLI, validators reporting "unknown id").
 * The KG methods themselves are lenient (an unknown id has no ancestors, is a kind of nothing); these helpers turn
 * malformed or unknown input into one clear BbioError (exit 2).
 */
import { BbioError } from "../util/errors.ts";
import type { Gene, KG, Term } from "./types.ts";

export const GO_ID = /^GO:\d{7}$/;

/** The three namespace roots (the only parentless terms in the subset). */
export const ROOTS = { BP: "GO:0008150", MF: "GO:0003674", CC: "GO:0005575" } as const;

/**
 * Terms too generic to make a question about: "protein binding" carries 12,476 of the 146,440 annotation rows
 * (almost all IPI) and says nothing about a gene's function; the roots say nothing at all.
 */
export const UNINFORMATIVE_TERMS: ReadonlySet<string> = new Set(["GO:0005515", ROOTS.BP, ROOTS.MF, ROOTS.CC]);

export function isGoId(s: string): boolean {
  return GO_ID.test(s);
}

/** "GO:0006821" (also accepts a lower-case "go:" prefix) → canonical id; anything else → BbioError */
export function parseGoId(s: string): string {
  const t = s.trim();
  const id = /^go:/i.test(t) ? `GO:${t.slice(3)}` : t;
  if (!GO_ID.test(id)) throw new BbioError(`malformed GO id '${s}' (expected GO: followed by 7 digits, e.g. GO:0006821)`);
  return id;
}

/** A GO term that must exist in the subset. The subset has no obsolete terms: an id not in it is "unknown". */
export function requireTerm(kg: KG, s: string): Term {
  const id = parseGoId(s);
  const t = kg.term(id);
  if (!t) {
    throw new BbioError(
      `unknown GO term ${id} (not in the knowledge subset: obsolete, or not reached from any experimental human annotation)`,
    );
  }
  return t;
}

/**
 * Gene by Entrez id (all digits), official symbol (case-insensitive) or unambiguous alias.
 * An alias shared by several genes is an error listing the candidates.
 */
export function resolveGene(kg: KG, query: string): Gene {
  const q = query.trim();
  if (/^\d+$/.test(q)) {
    const g = kg.geneByEntrez(Number(q));
    if (g) return g;
    throw new BbioError(`unknown Entrez gene id ${q} (not a protein-coding gene with experimental GO annotations in the subset)`);
  }
  const bySymbol = kg.geneBySymbol(q);
  if (bySymbol) return bySymbol;
  const byAlias = kg.genesByAlias(q);
  if (byAlias.length === 1) return byAlias[0];
  if (byAlias.length > 1) {
    throw new BbioError(
      `'${q}' is an alias of ${byAlias.length} genes: ${byAlias.map((g) => `${g.symbol} (${g.entrez})`).join(", ")}; use the symbol or Entrez id`,
    );
  }
  throw new BbioError(`unknown gene '${q}' (no symbol, alias or Entrez id matches in the subset)`);
}
