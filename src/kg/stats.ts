/** Summary counts of a loaded KG (for `bbio kg stats` and the data pages). */
import type { MemoryKG } from "./kg.ts";

export interface KGStats {
  genes: number;
  terms: number;
  termsByNs: Record<string, number>;
  termsWithoutDef: number;
  annotations: number;
  annotationsByEvidence: Record<string, number>;
  annotationsByNs: Record<string, number>;
  edgesByRelation: Record<string, number>;
  split: Record<string, number>;
  dataHash: string;
  sources: Record<string, string>;
  loadMs: number;
}

function tally<T>(xs: Iterable<T>, key: (x: T) => string): Record<string, number> {
  const m: Record<string, number> = {};
  for (const x of xs) m[key(x)] = (m[key(x)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(m).sort(([a], [b]) => (a < b ? -1 : 1)));
}

export function kgStats(kg: MemoryKG): KGStats {
  return {
    genes: kg.genes.length,
    terms: kg.terms.length,
    termsByNs: tally(kg.terms, (t) => t.ns),
    termsWithoutDef: kg.terms.filter((t) => t.def === null).length,
    annotations: kg.annotations.length,
    annotationsByEvidence: tally(kg.annotations, (a) => a.evidence),
    annotationsByNs: tally(kg.annotations, (a) => a.ns),
    edgesByRelation: tally(
      kg.terms.flatMap((t) => t.parents),
      (p) => p.rel,
    ),
    split: tally(kg.genes, (g) => kg.splitOf(g.entrez)),
    dataHash: kg.meta.dataHash,
    sources: kg.meta.sources,
    loadMs: Math.round(kg.loadMs),
  };
}
