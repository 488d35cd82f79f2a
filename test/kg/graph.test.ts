// The closure logic on a hand-made ontology (independent of the committed data).
import { describe, expect, it } from "vitest";
import { MemoryKG } from "../../src/kg/kg.ts";
import type { Term } from "../../src/kg/types.ts";

const T = (id: number, parents: [number, Term["parents"][number]["rel"]][] = []): Term => ({
  id: `GO:${String(id).padStart(7, "0")}`,
  name: `t${id}`,
  ns: "BP",
  def: null,
  parents: parents.map(([p, rel]) => ({ id: `GO:${String(p).padStart(7, "0")}`, rel })),
});
const id = (n: number) => `GO:${String(n).padStart(7, "0")}`;

//      1 (root)
//     / \
//    2   3          5 --regulates--> 2, 5 --isa--> 6 --isa--> 1
//    |   |  part_of
//    4 --+ (4 isa 2, 4 part_of 3)
const kg = new MemoryKG({
  genes: [
    {
      entrez: 10,
      symbol: "GA",
      name: "a",
      chr: ["1"],
      band: [],
      start: null,
      end: null,
      strand: null,
      aliases: ["X"],
      uniprot: [],
      omim: [],
      pfam: [],
      n_pubmed: 0,
    },
    {
      entrez: 11,
      symbol: "GB",
      name: "b",
      chr: ["2"],
      band: [],
      start: null,
      end: null,
      strand: null,
      aliases: ["x"],
      uniprot: [],
      omim: [],
      pfam: [],
      n_pubmed: 0,
    },
  ],
  terms: [
    T(1),
    T(2, [[1, "isa"]]),
    T(3, [[1, "isa"]]),
    T(4, [
      [2, "isa"],
      [3, "part_of"],
    ]),
    T(5, [
      [2, "regulates"],
      [6, "isa"],
    ]),
    T(6, [[1, "isa"]]),
  ],
  annotations: [
    { entrez: 10, go: id(4), evidence: "IDA", ns: "BP" },
    { entrez: 11, go: id(5), evidence: "IMP", ns: "BP" },
  ],
  meta: { sources: {}, dataHash: "test" },
});

describe("GoGraph closure (isa + part_of only)", () => {
  it("ancestors/descendants follow isa and part_of", () => {
    expect(kg.ancestors(id(4))).toEqual([id(1), id(2), id(3)]);
    expect(kg.descendants(id(1))).toEqual([id(2), id(3), id(4), id(5), id(6)]);
    expect(kg.descendants(id(3))).toEqual([id(4)]);
  });

  it("regulates is not followed", () => {
    expect(kg.isA(id(5), id(2))).toBe(false);
    expect(kg.ancestors(id(5))).toEqual([id(1), id(6)]);
    expect(kg.descendants(id(2))).toEqual([id(4)]);
    expect(kg.genesWithPropagatedTerm(id(2))).toEqual([10]);
  });

  it("pathUp is a shortest chain of subsumption edges, deterministic", () => {
    expect(kg.pathUp(id(4), id(1))).toEqual([id(4), id(2), id(1)]); // via 2 (lower id) rather than 3
    expect(kg.pathUp(id(4), id(3))).toEqual([id(4), id(3)]);
    expect(kg.pathUp(id(5), id(2))).toBeNull();
    expect(kg.graph.depth(id(4))).toBe(2);
    expect(kg.children(id(1))).toEqual([id(2), id(3), id(6)]);
    expect(kg.siblings(id(2))).toEqual([id(3), id(6)]);
    expect(kg.siblings(id(4))).toEqual([]); // 4's parents 2 and 3 have no other children
    expect(kg.siblings(id(5))).toEqual([]); // the regulates edge to 2 does not make 4 a sibling
  });

  it("propagation and case-insensitive shared aliases", () => {
    expect([...kg.propagatedTerms(10)].sort()).toEqual([id(1), id(2), id(3), id(4)]);
    expect([...kg.propagatedTerms(11)].sort()).toEqual([id(1), id(5), id(6)]);
    expect(kg.genesByAlias("x").map((g) => g.symbol)).toEqual(["GA", "GB"]);
    expect(kg.directTerms(10)).toEqual([id(4)]);
  });
});
