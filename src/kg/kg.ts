/**
 * The in-memory KG: indexes over genes, terms and annotations, plus the is_a/part_of closure (graph.ts).
 *
 * `new MemoryKG({genes, terms, annotations, meta})` builds one from plain arrays — loadKG() (load.ts) uses it for the
 * committed subset, and tests of later stages can use it for a hand-made five-term ontology.
 * Lookups of unknown ids are lenient (undefined / [] / false / null); use ids.ts for strict, user-facing lookups.
 */
import { GoGraph } from "./graph.ts";
import { splitOfEntrez } from "./split.ts";
import type { Annotation, Gene, KG, Namespace, Split, Term } from "./types.ts";

export interface KGData {
  genes: Gene[];
  terms: Term[];
  annotations: Annotation[];
  meta: { sources: Record<string, string>; dataHash: string };
}

const EMPTY: readonly never[] = Object.freeze([]);

export class MemoryKG implements KG {
  readonly genes: readonly Gene[];
  readonly terms: readonly Term[];
  readonly annotations: readonly Annotation[];
  readonly meta: { sources: Record<string, string>; dataHash: string };
  /** the is_a/part_of DAG (children, parents, depth … beyond the KG interface) */
  readonly graph: GoGraph;
  /** milliseconds loadKG() took to read + index the files (0 when built from arrays) */
  loadMs = 0;

  private readonly byEntrez = new Map<number, Gene>();
  private readonly bySymbol = new Map<string, Gene>(); // exact symbol
  private readonly bySymbolLower = new Map<string, Gene>(); // lower-cased symbol, first gene (lowest Entrez) wins
  private readonly byAlias = new Map<string, Gene[]>(); // lower-cased alias
  private readonly byTerm = new Map<string, Term>();
  private readonly annByGene = new Map<number, Annotation[]>();
  private readonly annByTerm = new Map<string, Annotation[]>();
  private readonly propMemo = new Map<number, ReadonlySet<string>>();
  private readonly genesWithMemo = new Map<string, readonly number[]>();

  constructor(data: KGData) {
    this.genes = data.genes;
    this.terms = data.terms;
    this.annotations = data.annotations;
    this.meta = data.meta;
    for (const g of data.genes) {
      this.byEntrez.set(g.entrez, g);
      this.bySymbol.set(g.symbol, g);
      const s = g.symbol.toLowerCase();
      if (!this.bySymbolLower.has(s)) this.bySymbolLower.set(s, g);
      for (const a of g.aliases) {
        const k = a.toLowerCase();
        const list = this.byAlias.get(k);
        if (!list) this.byAlias.set(k, [g]);
        else if (!list.includes(g)) list.push(g);
      }
    }
    for (const t of data.terms) this.byTerm.set(t.id, t);
    for (const a of data.annotations) {
      (this.annByGene.get(a.entrez) ?? this.annByGene.set(a.entrez, []).get(a.entrez)!).push(a);
      (this.annByTerm.get(a.go) ?? this.annByTerm.set(a.go, []).get(a.go)!).push(a);
    }
    this.graph = new GoGraph(data.terms);
  }

  geneByEntrez(entrez: number): Gene | undefined {
    return this.byEntrez.get(entrez);
  }

  geneBySymbol(symbol: string): Gene | undefined {
    // exact match first, so a case clash between two official symbols still finds each of them
    return this.bySymbol.get(symbol) ?? this.bySymbolLower.get(symbol.toLowerCase());
  }

  /** case-insensitive; sorted by Entrez id; the official symbol itself is not an alias */
  genesByAlias(alias: string): Gene[] {
    return (this.byAlias.get(alias.toLowerCase()) ?? []).slice();
  }

  term(id: string): Term | undefined {
    return this.byTerm.get(id);
  }

  annotationsOfGene(entrez: number): readonly Annotation[] {
    return this.annByGene.get(entrez) ?? EMPTY;
  }

  annotationsOfTerm(go: string): readonly Annotation[] {
    return this.annByTerm.get(go) ?? EMPTY;
  }

  /** distinct GO ids directly annotated to the gene (any kept evidence), sorted; optionally one namespace */
  directTerms(entrez: number, ns?: Namespace): string[] {
    const ids = new Set<string>();
    for (const a of this.annotationsOfGene(entrez)) if (!ns || a.ns === ns) ids.add(a.go);
    return [...ids].sort();
  }

  ancestors(id: string): readonly string[] {
    return this.graph.ancestors(id);
  }

  descendants(id: string): readonly string[] {
    return this.graph.descendants(id);
  }

  isA(child: string, ancestor: string): boolean {
    return this.graph.isA(child, ancestor);
  }

  pathUp(child: string, ancestor: string): string[] | null {
    return this.graph.pathUp(child, ancestor);
  }

  /** direct isa/part_of children, sorted */
  children(id: string): readonly string[] {
    return this.graph.children(id);
  }

  /**
   * Siblings for hard distractors: other children of the term's isa/part_of parents, same namespace, that are
   * neither ancestors nor descendants of it (so "X is a sibling of Y" never means "X ⊑ Y" or "Y ⊑ X"). Sorted.
   */
  siblings(id: string): string[] {
    const t = this.byTerm.get(id);
    if (!t) return [];
    const out = new Set<string>();
    for (const p of this.graph.parents(id)) {
      for (const c of this.graph.children(p)) {
        if (c !== id && this.byTerm.get(c)!.ns === t.ns && !this.graph.isA(c, id) && !this.graph.isA(id, c)) out.add(c);
      }
    }
    return [...out].sort();
  }

  /** true-path rule: a gene annotated to a term is implicitly annotated to all its is_a/part_of ancestors */
  propagatedTerms(entrez: number): ReadonlySet<string> {
    let s = this.propMemo.get(entrez);
    if (!s) {
      const acc = new Set<string>();
      for (const a of this.annotationsOfGene(entrez)) {
        if (acc.has(a.go)) continue;
        acc.add(a.go);
        for (const x of this.graph.ancestors(a.go)) acc.add(x);
      }
      this.propMemo.set(entrez, (s = acc));
    }
    return s;
  }

  /** genes annotated to `go` or to any of its is_a/part_of descendants; sorted by Entrez id */
  genesWithPropagatedTerm(go: string): readonly number[] {
    let out = this.genesWithMemo.get(go);
    if (!out) {
      const acc = new Set<number>();
      if (this.byTerm.has(go)) {
        for (const t of [go, ...this.graph.descendants(go)]) for (const a of this.annotationsOfTerm(t)) acc.add(a.entrez);
      }
      this.genesWithMemo.set(go, (out = [...acc].sort((a, b) => a - b)));
    }
    return out;
  }

  splitOf(entrez: number): Split {
    return splitOfEntrez(entrez);
  }

  /** the genes of one split, in Entrez order */
  genesInSplit(split: Split): Gene[] {
    return this.genes.filter((g) => splitOfEntrez(g.entrez) === split);
  }
}
