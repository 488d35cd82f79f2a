// Invariants of the committed KG subset (data/kg/), through the public API.
import { describe, expect, it } from "vitest";
import { loadKG, clearKGCache, requireTerm, resolveGene, parseGoId, splitOfEntrez, SUBSUMPTION } from "../../src/kg/index.ts";

clearKGCache();
const t0 = performance.now();
const kg = loadKG();
const loadMs = performance.now() - t0;

describe("committed KG subset", () => {
  it("loads fast (bound is generous: the test machine is shared) and is cached", () => {
    expect(loadMs).toBeLessThan(2500);
    expect(loadKG()).toBe(kg);
  });

  it("has the sizes recorded in manifest.json and data.md", () => {
    expect(kg.genes.length).toBe(16373);
    expect(kg.terms.length).toBe(17840);
    expect(kg.annotations.length).toBe(146440);
    expect(kg.meta.dataHash).toMatch(/^[0-9a-f]{16}$/);
    expect(kg.meta.sources.GO_date).toBe("2022-07-01");
  });

  it("every parent id resolves, and only the three namespace roots are parentless", () => {
    const parentless: string[] = [];
    const dangling: string[] = [];
    for (const t of kg.terms) {
      for (const p of t.parents) if (!kg.term(p.id)) dangling.push(`${t.id} -> ${p.id}`);
      if (t.parents.length === 0) parentless.push(t.id);
    }
    expect(dangling).toEqual([]);
    expect(parentless.sort()).toEqual(["GO:0003674", "GO:0005575", "GO:0008150"]);
  });

  it("every annotation points at a known gene and a term of the stated namespace", () => {
    const bad = kg.annotations.filter((a) => !kg.geneByEntrez(a.entrez) || kg.term(a.go)?.ns !== a.ns);
    expect(bad).toEqual([]);
    // every gene in the subset has at least one annotation (that is the selection rule)
    expect(kg.genes.filter((g) => kg.annotationsOfGene(g.entrez).length === 0)).toEqual([]);
  });

  it("closure excludes regulates: 'regulation of chloride transport' is not a kind of chloride transport", () => {
    const reg = kg.term("GO:2001225")!;
    expect(reg.name).toBe("regulation of chloride transport");
    // the edge exists, typed as regulates …
    expect(reg.parents).toContainEqual({ id: "GO:0006821", rel: "regulates" });
    // … and is not subsumption
    expect(kg.isA("GO:2001225", "GO:0006821")).toBe(false);
    expect(kg.ancestors("GO:2001225")).not.toContain("GO:0006821");
    expect(kg.descendants("GO:0006821")).not.toContain("GO:2001225");
    expect(kg.isA("GO:2001225", "GO:0044070")).toBe(true);
    expect(kg.pathUp("GO:2001225", "GO:0006821")).toBeNull();
  });

  it("no ancestor in any closure is reached only through a regulates edge", () => {
    // brute-force check on a sample of terms: the closure equals a BFS over isa/part_of edges read from the raw rows
    const sample = kg.terms.filter((_, i) => i % 97 === 0);
    for (const t of sample) {
      const seen = new Set<string>();
      const stack = [t.id];
      while (stack.length) {
        for (const p of kg.term(stack.pop()!)!.parents) {
          if (SUBSUMPTION.has(p.rel) && !seen.has(p.id)) seen.add(p.id), stack.push(p.id);
        }
      }
      expect([...kg.ancestors(t.id)]).toEqual([...seen].sort());
    }
  });

  it("GO:1902476 chloride transmembrane transport ⊑ GO:0006820 anion transport via the data.md chain", () => {
    expect(kg.isA("GO:1902476", "GO:0006820")).toBe(true);
    expect(kg.pathUp("GO:1902476", "GO:0006820")).toEqual(["GO:1902476", "GO:0006821", "GO:0015698", "GO:0006820"]);
    expect(kg.isA("GO:1902476", "GO:1902476")).toBe(true); // reflexive
    expect(kg.isA("GO:0006820", "GO:1902476")).toBe(false); // not symmetric
    expect(kg.descendants("GO:0006820")).toContain("GO:1902476");
  });

  it("part_of counts as subsumption", () => {
    const withPartOf = kg.terms.find((t) => t.parents.some((p) => p.rel === "part_of"))!;
    const p = withPartOf.parents.find((x) => x.rel === "part_of")!;
    expect(kg.isA(withPartOf.id, p.id)).toBe(true);
  });

  it("genes: CFTR on chr 7, alias ABCC7 → CFTR, lookups by symbol/alias/entrez agree", () => {
    const cftr = kg.geneBySymbol("CFTR")!;
    expect(cftr.entrez).toBe(1080);
    expect(cftr.chr).toEqual(["7"]);
    expect(cftr.band).toEqual(["7q31.2"]);
    expect(kg.geneBySymbol("cftr")).toBe(cftr);
    expect(kg.genesByAlias("ABCC7")).toEqual([cftr]);
    expect(kg.genesByAlias("CFTR")).toEqual([]); // the official symbol is not listed as its own alias
    expect(resolveGene(kg, "abcc7")).toBe(cftr);
    expect(resolveGene(kg, "1080")).toBe(cftr);
    const ann = kg.annotationsOfGene(1080);
    expect(ann.some((a) => a.go === "GO:1902476" && a.evidence === "IDA")).toBe(true);
    expect(kg.annotationsOfTerm("GO:1902476").some((a) => a.entrez === 1080)).toBe(true);
  });

  it("shared aliases return every gene and resolveGene refuses to guess", () => {
    const counts = new Map<string, number>();
    for (const g of kg.genes) for (const a of g.aliases) counts.set(a.toLowerCase(), (counts.get(a.toLowerCase()) ?? 0) + 1);
    const [alias, n] = [...counts].find(([a, c]) => c > 1 && !kg.geneBySymbol(a))!;
    expect(kg.genesByAlias(alias).length).toBe(n);
    expect(() => resolveGene(kg, alias)).toThrow(/alias of \d+ genes/);
  });

  it("true-path propagation: direct terms plus their is_a/part_of ancestors, nothing via regulates", () => {
    const prop = kg.propagatedTerms(1080);
    expect(prop.has("GO:1902476")).toBe(true);
    expect(prop.has("GO:0006820")).toBe(true); // anion transport, an ancestor
    expect(prop.has("GO:0008150")).toBe(true); // BP root
    for (const id of prop) {
      expect(kg.annotationsOfGene(1080).some((a) => a.go === id || kg.isA(a.go, id))).toBe(true);
    }
    expect(kg.genesWithPropagatedTerm("GO:0006820")).toContain(1080);
    // INS has hormone activity (data.md R2); its closure is sorted and includes the direct annotations
    const withHormone = kg.genesWithPropagatedTerm("GO:0005179");
    expect(withHormone).toContain(kg.geneBySymbol("INS")!.entrez);
    expect([...withHormone]).toEqual([...withHormone].sort((a, b) => a - b));
  });

  it("split is deterministic, disjoint, gene-level and ~10% eval", () => {
    const evalGenes = kg.genesInSplit("eval");
    const trainGenes = kg.genesInSplit("train");
    expect(evalGenes.length + trainGenes.length).toBe(kg.genes.length);
    const ev = new Set(evalGenes.map((g) => g.entrez));
    expect(trainGenes.some((g) => ev.has(g.entrez))).toBe(false);
    const frac = evalGenes.length / kg.genes.length;
    expect(frac).toBeGreaterThan(0.08);
    expect(frac).toBeLessThan(0.12);
    for (const g of kg.genes.slice(0, 500)) expect(kg.splitOf(g.entrez)).toBe(splitOfEntrez(g.entrez));
    // pinned values: a change of the split function would silently reshuffle every dataset
    expect(
      kg.genes
        .slice(0, 40)
        .filter((g) => kg.splitOf(g.entrez) === "eval")
        .map((g) => g.entrez),
    ).toEqual([16, 24, 29, 39, 47]);
  });

  it("strict lookups: malformed and unknown GO ids are clear errors", () => {
    expect(parseGoId("go:0006821")).toBe("GO:0006821");
    expect(() => parseGoId("GO:123")).toThrow(/malformed GO id/);
    expect(() => requireTerm(kg, "GO:9999999")).toThrow(/unknown GO term GO:9999999/);
    expect(requireTerm(kg, "GO:0006821").name).toBe("chloride transport");
    // lenient API on unknown ids
    expect(kg.ancestors("GO:9999999")).toEqual([]);
    expect(kg.isA("GO:9999999", "GO:0008150")).toBe(false);
    expect(() => resolveGene(kg, "NOT_A_GENE_XYZ")).toThrow(/unknown gene/);
  });
});

describe("distractor helpers", () => {
  it("siblings of chloride transport are same-namespace, unrelated by subsumption", () => {
    const sib = kg.siblings("GO:0006821");
    expect(sib.length).toBeGreaterThan(3);
    for (const s of sib) {
      expect(kg.term(s)!.ns).toBe("BP");
      expect(kg.isA(s, "GO:0006821") || kg.isA("GO:0006821", s)).toBe(false);
    }
    expect(sib).toContain("GO:0008272"); // sulfate transport: also an is_a child of inorganic anion transport
  });
});
