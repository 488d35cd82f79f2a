/**
 * Derived lookups over any KG (the interface in src/kg/types.ts), built once per KG instance and shared by the
 * generator, the validator and the scorer. These are plain KG queries (no generation logic), so the validator using
 * them stays independent of how items were constructed.
 */
import type { Evidence, Gene, KG, Namespace, Relation } from "../kg/types.ts";

/** Terms too generic to ask about (protein binding + the three roots). Same list as src/kg/ids.ts, kept interface-only. */
export const UNINFORMATIVE: ReadonlySet<string> = new Set(["GO:0005515", "GO:0008150", "GO:0003674", "GO:0005575"]);
export const EXPERIMENTAL: ReadonlySet<Evidence> = new Set<Evidence>(["EXP", "IDA", "IPI", "IMP", "IGI", "IEP"]);
export const REGULATES: ReadonlySet<Relation> = new Set<Relation>(["regulates", "positively_regulates", "negatively_regulates"]);
export const NS_NAME: Record<Namespace, string> = { BP: "biological process", MF: "molecular function", CC: "cellular component" };

export interface KGIndex {
  /** genes with ≥1 informative annotation, Entrez order */
  annotatedGenes: readonly Gene[];
  /** cytogenetic band → genes at it (Entrez order) */
  genesAtBand: ReadonlyMap<string, readonly number[]>;
  /** chromosome → its bands (sorted) */
  bandsOfChr: ReadonlyMap<string, readonly string[]>;
  chromosomes: readonly string[];
  /** children over ALL parent relations (what a naive construction step sees as "siblings") */
  childrenAnyRel: ReadonlyMap<string, readonly string[]>;
  termsByNs: ReadonlyMap<Namespace, readonly string[]>;
  /** edges child -[regulates-type]-> parent */
  regulatesEdges: readonly { child: string; parent: string; rel: Relation }[];
  /** term name → ids (names are unique in GO, but the validator must not assume it) */
  termsByName: ReadonlyMap<string, readonly string[]>;
  /** exact-case official symbols (for scope checks) */
  symbols: ReadonlySet<string>;
  /** direct informative terms of a gene, sorted; optionally restricted to a namespace and to experimental evidence */
  directTerms(entrez: number, ns?: Namespace, experimentalOnly?: boolean): string[];
  /** distinct evidence codes of the (gene, term) direct annotation, sorted */
  evidenceOf(entrez: number, go: string): Evidence[];
  /** the relation of a direct parent edge child → parent (isa/part_of preferred), or null */
  edge(child: string, parent: string): Relation | null;
}

const memo = new WeakMap<KG, KGIndex>();
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function kgIndex(kg: KG): KGIndex {
  let ix = memo.get(kg);
  if (!ix) memo.set(kg, (ix = build(kg)));
  return ix;
}

function build(kg: KG): KGIndex {
  const genesAtBand = new Map<string, number[]>();
  const bandsOfChr = new Map<string, Set<string>>();
  const symbols = new Set<string>();
  const annotatedGenes: Gene[] = [];
  for (const g of kg.genes) {
    symbols.add(g.symbol);
    for (const b of g.band) (genesAtBand.get(b) ?? genesAtBand.set(b, []).get(b)!).push(g.entrez);
    for (const c of g.chr) {
      const s = bandsOfChr.get(c) ?? bandsOfChr.set(c, new Set()).get(c)!;
      for (const b of g.band) if (bandChr(b) === c) s.add(b);
    }
    if (kg.annotationsOfGene(g.entrez).some((a) => !UNINFORMATIVE.has(a.go))) annotatedGenes.push(g);
  }
  annotatedGenes.sort((a, b) => a.entrez - b.entrez);
  for (const xs of genesAtBand.values()) xs.sort((a, b) => a - b);

  const childrenAnyRel = new Map<string, string[]>();
  const termsByNs = new Map<Namespace, string[]>();
  const regulatesEdges: { child: string; parent: string; rel: Relation }[] = [];
  const edges = new Map<string, Relation>();
  const termsByName = new Map<string, string[]>();
  for (const t of kg.terms) {
    (termsByName.get(t.name) ?? termsByName.set(t.name, []).get(t.name)!).push(t.id);
    (termsByNs.get(t.ns) ?? termsByNs.set(t.ns, []).get(t.ns)!).push(t.id);
    for (const p of t.parents) {
      (childrenAnyRel.get(p.id) ?? childrenAnyRel.set(p.id, []).get(p.id)!).push(t.id);
      const key = `${t.id}>${p.id}`;
      const prev = edges.get(key);
      // a pair can carry two relations (is_a and regulates); subsumption wins for `edge()`
      if (!prev || p.rel === "isa" || (p.rel === "part_of" && prev !== "isa")) edges.set(key, p.rel);
      if (REGULATES.has(p.rel)) regulatesEdges.push({ child: t.id, parent: p.id, rel: p.rel });
    }
  }
  for (const xs of childrenAnyRel.values()) xs.sort(cmp);
  for (const xs of termsByNs.values()) xs.sort(cmp);
  regulatesEdges.sort((a, b) => cmp(a.child, b.child) || cmp(a.parent, b.parent));

  const directMemo = new Map<string, string[]>();
  return {
    annotatedGenes,
    genesAtBand,
    bandsOfChr: new Map([...bandsOfChr].map(([c, s]) => [c, [...s].sort(cmp)])),
    chromosomes: [...bandsOfChr.keys()].sort(chrCmp),
    childrenAnyRel,
    termsByNs,
    regulatesEdges,
    termsByName,
    symbols,
    directTerms(entrez, ns, experimentalOnly = false) {
      const key = `${entrez}|${ns ?? ""}|${experimentalOnly ? 1 : 0}`;
      let out = directMemo.get(key);
      if (!out) {
        const s = new Set<string>();
        for (const a of kg.annotationsOfGene(entrez)) {
          if (UNINFORMATIVE.has(a.go) || (ns && a.ns !== ns) || (experimentalOnly && !EXPERIMENTAL.has(a.evidence))) continue;
          s.add(a.go);
        }
        directMemo.set(key, (out = [...s].sort(cmp)));
      }
      return out;
    },
    evidenceOf(entrez, go) {
      const s = new Set<Evidence>();
      for (const a of kg.annotationsOfGene(entrez)) if (a.go === go) s.add(a.evidence);
      return [...s].sort(cmp);
    },
    edge(child, parent) {
      return edges.get(`${child}>${parent}`) ?? null;
    },
  };
}

/** "7q31.2" → "7", "Xp22.33" → "X" */
export function bandChr(band: string): string {
  const m = /^(\d+|X|Y|MT)/.exec(band);
  return m ? m[1] : "";
}

/** 1 < 2 < … < 22 < X < Y < MT */
export function chrCmp(a: string, b: string): number {
  const r = (c: string) => (/^\d+$/.test(c) ? Number(c) : c === "X" ? 23 : c === "Y" ? 24 : 25);
  return r(a) - r(b) || cmp(a, b);
}
