/**
 * The knowledge-graph contract (Gene Ontology 2022-07-01 + NCBI Gene 2022-09-12, committed subset under data/kg/).
 * src/kg implements it; every later stage reads the KG only through this interface.
 */
export type Namespace = "BP" | "MF" | "CC";
/** Parent-edge types as GO.db names them. Only "isa" and "part_of" are subsumption. */
export type Relation = "isa" | "part_of" | "regulates" | "positively_regulates" | "negatively_regulates";
/** Evidence codes kept in the subset: experimental (EXP IDA IPI IMP IGI IEP) plus TAS. */
export type Evidence = "EXP" | "IDA" | "IPI" | "IMP" | "IGI" | "IEP" | "TAS";
export type Split = "train" | "eval";

export interface Gene {
  entrez: number;
  symbol: string;
  name: string;
  chr: string[];
  band: string[];
  start: number | null;
  end: number | null;
  strand: "+" | "-" | null;
  aliases: string[];
  uniprot: string[];
  omim: string[];
  pfam: string[];
  n_pubmed: number;
}

export interface Term {
  id: string; // "GO:0006821"
  name: string;
  ns: Namespace;
  def: string | null; // ~17% of terms have no definition
  parents: { id: string; rel: Relation }[];
}

export interface Annotation {
  entrez: number;
  go: string;
  evidence: Evidence;
  ns: Namespace;
}

export interface KG {
  readonly genes: readonly Gene[];
  readonly terms: readonly Term[];
  /** provenance of the committed subset (sources, versions, file hashes) */
  readonly meta: { sources: Record<string, string>; dataHash: string };

  geneByEntrez(entrez: number): Gene | undefined;
  /** official symbol, case-insensitive */
  geneBySymbol(symbol: string): Gene | undefined;
  /** genes that list this alias (an alias can be shared by several genes) */
  genesByAlias(alias: string): Gene[];
  term(id: string): Term | undefined;

  /** direct annotations of a gene (all evidence rows) */
  annotationsOfGene(entrez: number): readonly Annotation[];
  /** direct annotations to a term */
  annotationsOfTerm(go: string): readonly Annotation[];

  /** strict ancestors over isa + part_of only (not regulates); sorted by id */
  ancestors(id: string): readonly string[];
  /** strict descendants over isa + part_of only */
  descendants(id: string): readonly string[];
  /** child ⊑ ancestor via isa/part_of (reflexive: isA(x, x) is true) */
  isA(child: string, ancestor: string): boolean;
  /** one shortest isa/part_of path child → … → ancestor (inclusive), or null */
  pathUp(child: string, ancestor: string): string[] | null;

  /** true-path propagation: direct terms of the gene ∪ all their isa/part_of ancestors */
  propagatedTerms(entrez: number): ReadonlySet<string>;
  /** genes whose propagated terms include `go` */
  genesWithPropagatedTerm(go: string): readonly number[];

  /** deterministic gene-level split: hash(entrez) decides; no eval item may share a subject gene with a train item */
  splitOf(entrez: number): Split;
}
