/**
 * The KG the live page scores with: every GO term's id, namespace and parents, no genes, names or definitions. The
 * rule scorer reads the KG in two checks only (chain_valid: is each pair an is_a/part_of edge; term_ns_column: a term's
 * namespace), so this slim KG scores every answer as the full one does (test/live/kg.test.ts) at ~1/10 of the bytes.
 */
import { MemoryKG } from "../kg/kg.ts";
import type { KG, Namespace, Relation } from "../kg/types.ts";

/** [id, ns, [[parent, rel], …]] per term */
export type SlimTerm = [string, Namespace, [string, Relation][]];

export function kgTerms(kg: KG): SlimTerm[] {
  return kg.terms.map((t) => [t.id, t.ns, t.parents.map((p) => [p.id, p.rel] as [string, Relation])]);
}

export function slimKG(terms: readonly SlimTerm[]): KG {
  return new MemoryKG({
    genes: [],
    annotations: [],
    terms: terms.map(([id, ns, parents]) => ({ id, ns, name: "", def: null, parents: parents.map(([p, rel]) => ({ id: p, rel })) })),
    meta: { sources: {}, dataHash: "live-slim" },
  });
}
