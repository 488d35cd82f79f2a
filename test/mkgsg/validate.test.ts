// The validator re-derives every fact from the KG: hand-corrupted copies of real generated items are rejected with
// the right NAMED reason (validate.ts lists them), and it never throws on a malformed item.
import { describe, expect, it } from "vitest";
import { UNINFORMATIVE, kgIndex } from "../../src/mkgsg/kgindex.ts";
import type { Item } from "../../src/mkgsg/types.ts";
import { validate, type Reason } from "../../src/mkgsg/validate.ts";
import { argsAt, clone, goldIndex, itemsOf, kg, setOption } from "./helpers.ts";
import { argsOf } from "../../src/mkgsg/checkargs.ts";

const reasons = (item: Item, opts = {}): string[] => {
  const v = validate(item, kg, opts);
  return v.ok ? [] : v.reasons.map((r: Reason) => r.reason);
};
const ix = kgIndex(kg);
const termId = (name: string, ns: string) => ix.termsByName.get(name)!.find((id) => kg.term(id)!.ns === ns)!;

describe("validate: knowledge (MCQ) corruptions", () => {
  it("distractor_true_via_ancestor: a distractor that is an ancestor of the gene's annotation", () => {
    let done = 0;
    for (const item of itemsOf("mcq_gene_process", 10)) {
      const gi = goldIndex(item);
      const gene = argsAt(item, 0, "answer_letter").subject as number;
      const direct = new Set(ix.directTerms(gene));
      const anc = kg
        .ancestors(termId(item.options![gi], "BP"))
        .find((a) => !direct.has(a) && !UNINFORMATIVE.has(a) && !item.options!.includes(kg.term(a)!.name));
      if (!anc) continue;
      const bad = clone(item);
      setOption(bad, (gi + 1) % 4, kg.term(anc)!.name);
      expect(reasons(item)).toEqual([]);
      const rs = reasons(bad);
      expect(rs).toContain("distractor_true_via_ancestor");
      expect(rs).not.toContain("non_unique_answer");
      done++;
    }
    expect(done).toBeGreaterThan(0);
  });

  it("non_unique_answer: a distractor that is another direct annotation, or a duplicate option", () => {
    let done = 0;
    for (const item of itemsOf("mcq_gene_function", 10)) {
      const gi = goldIndex(item);
      const gene = argsAt(item, 0, "answer_letter").subject as number;
      const other = ix.directTerms(gene, "MF").find((t) => !item.options!.includes(kg.term(t)!.name));
      if (!other) continue;
      const bad = clone(item);
      setOption(bad, (gi + 2) % 4, kg.term(other)!.name);
      expect(reasons(bad)).toContain("non_unique_answer");
      done++;
    }
    expect(done).toBeGreaterThan(0);

    const item = itemsOf("mcq_chromosome", 1)[0];
    const dup = clone(item);
    const gi = goldIndex(dup);
    setOption(dup, (gi + 1) % 4, dup.options![gi]);
    expect(validate(dup, kg)).toMatchObject({
      ok: false,
      reasons: expect.arrayContaining([{ reason: "non_unique_answer", detail: "duplicate options" }]),
    });
  });

  it("undefined_term: a definition question whose answer term has no definition", () => {
    const item = itemsOf("mcq_definition", 1)[0];
    const ns = (argsAt(item, 0, "answer_letter") as { ns: string }).ns;
    const undef = kg.terms.find((t) => t.ns === ns && t.def === null && !item.options!.includes(t.name))!;
    const bad = clone(item);
    setOption(bad, goldIndex(bad), undef.name);
    expect(reasons(bad)).toContain("undefined_term");
  });

  it("gold_mismatch: the gold letter points at a false option", () => {
    const item = clone(itemsOf("mcq_cytoband", 1)[0]);
    const wrong = "ABCD"[(goldIndex(item) + 1) % 4];
    item.gold = wrong;
    argsAt(item, 0, "answer_letter").letter = wrong;
    const rs = reasons(item);
    expect(rs).toContain("gold_mismatch");
    expect(rs).toContain("non_unique_answer"); // the real answer is now a "distractor" that is true
  });
});

describe("validate: reasoning corruptions", () => {
  it("chain_edge_not_in_kg: a chain that skips a hop", () => {
    const items = itemsOf("subsumption_yes", 20);
    const item = items.find((it) => {
      const chain = it.gold.match(/GO:\d{7}/g)!;
      return chain.length >= 3 && !kg.term(chain[0])!.parents.some((p) => p.id === chain[2]);
    })!;
    expect(item).toBeDefined();
    const chain = item.gold.match(/GO:\d{7}/g)!;
    const bad = clone(item);
    bad.gold = bad.gold.replace(`${chain[0]} > ${chain[1]} > ${chain[2]}`, `${chain[0]} > ${chain[2]}`);
    const v = validate(bad, kg);
    expect(v.ok).toBe(false);
    expect(!v.ok && v.reasons.find((r) => r.reason === "chain_edge_not_in_kg")?.detail).toBe(`no edge ${chain[0]} → ${chain[2]}`);
  });

  it("chain_edge_not_in_kg: a regulates edge used as is_a", () => {
    const item = itemsOf("chain_isa", 1)[0];
    const e = ix.regulatesEdges.find((x) => ix.edge(x.child, x.parent) === x.rel)!; // a pair with no is_a/part_of edge
    const bad = clone(item);
    const start = bad.checks.find((c) => c.name === "chain_valid")!.args.start as string;
    // keep the item's own start and target but splice a regulates hop in front of the chain
    bad.gold = bad.gold.replace(`Chain: ${start}`, `Chain: ${e.child} > ${e.parent} > ${start}`);
    bad.provenance.terms.push(e.child, e.parent);
    const v = validate(bad, kg);
    expect(
      !v.ok &&
        v.reasons
          .filter((r) => r.reason === "chain_edge_not_in_kg")
          .map((r) => r.detail)
          .join("\n"),
    ).toMatch(/regulates edge is not subsumption/);
  });

  it("empty_gold_set and gold_mismatch for set questions", () => {
    const item = itemsOf("band_term_set", 1)[0];
    const noBand = clone(item);
    (argsAt(noBand, 0, "symbol_set") as { band: string }).band = "99q99.9";
    expect(reasons(noBand)).toContain("empty_gold_set");

    const extra = clone(item);
    argsAt(extra, 0, "symbol_set").expected.push("CFTR");
    expect(reasons(extra)).toContain("gold_mismatch");
  });

  it("non_unique_answer: a 'which gene' question that more than one gene answers", () => {
    // find a band + term held by ≥ 2 genes and point an int_band_report item at it
    const item = clone(itemsOf("int_band_report", 1)[0]);
    const check = item.checks.find((c) => c.name === "answer_symbol")!;
    let found: { band: string; term: string } | undefined;
    for (const [band, genes] of ix.genesAtBand) {
      if (genes.length < 2) continue;
      const t = ix.directTerms(genes[0]).find((x) => kg.propagatedTerms(genes[1]).has(x));
      if (t) {
        found = { band, term: t };
        break;
      }
    }
    Object.assign(check.args, found!);
    expect(reasons(item)).toContain("non_unique_answer");
  });
});

describe("validate: ids, splits, constraints, structure", () => {
  it("unknown_id: a GO id or a gene that is not in the KG", () => {
    const item = itemsOf("json_object_gene", 1)[0];
    const badTerm = clone(item);
    badTerm.prompt += " (see GO:9999999)";
    expect(validate(badTerm, kg)).toEqual({
      ok: false,
      reasons: [{ reason: "unknown_id", detail: "GO:9999999 is not a GO term of the KG subset" }],
    });
    const badGene = clone(item);
    badGene.provenance.genes = [999999999];
    expect(reasons(badGene)).toEqual(["unknown_id"]);
  });

  it("mixed_split and split_mismatch", () => {
    const item = itemsOf("shared_term", 1)[0];
    const trainGene = kg.genes.find((g) => kg.splitOf(g.entrez) === "train")!.entrez;
    const evalGene = kg.genes.find((g) => kg.splitOf(g.entrez) === "eval")!.entrez;
    const mixed = clone(item);
    mixed.provenance.genes = [trainGene, evalGene];
    expect(reasons(mixed)).toContain("mixed_split");
    const flipped = clone(item);
    flipped.split = item.split === "train" ? "eval" : "train";
    expect(reasons(flipped)).toEqual(["split_mismatch"]);
  });

  it("constraint_unsatisfiable: more ids asked for than the gene has", () => {
    const item = clone(itemsOf("json_array_terms", 1)[0]);
    const set = argsOf(item.checks, "items_in_set")[0].set;
    argsOf(item.checks, "json_array")[0].n = set.length + 1;
    expect(reasons(item)).toContain("constraint_unsatisfiable");
  });

  it("gold_mismatch: a stated fact that differs from the KG", () => {
    const item = clone(itemsOf("json_object_gene", 1)[0]);
    argsAt(item, 1, "json_field").values = ["99"];
    item.gold = JSON.stringify({ ...JSON.parse(item.gold), chromosome: "99" });
    expect(reasons(item)).toContain("gold_mismatch");
  });

  it("malformed_item: unknown kind or check, args of the wrong shape — reported, never thrown", () => {
    const item = itemsOf("shared_term", 1)[0];
    const kind = { ...clone(item), kind: "no_such_kind" };
    expect(reasons(kind)).toEqual(["malformed_item"]);
    const check = clone(item);
    (check.checks[0] as { name: string }).name = "no_such_check"; // an item file may name anything
    expect(reasons(check)).toEqual(["malformed_item"]);
    const args = clone(item);
    (args.checks[0] as { args: unknown }).args = { genes: 5 }; // not an array
    expect(() => validate(args, kg)).not.toThrow();
    expect(reasons(args)).toContain("malformed_item");
    const wfArgs = clone(item);
    (wfArgs.checks.find((c) => c.name === "workflow_evidence_code") as { args: unknown }).args = { facts: 3 };
    expect(() => validate(wfArgs, kg)).not.toThrow();
    expect(reasons(wfArgs)).toContain("malformed_item");
    const prov = clone(item) as unknown as { provenance: unknown };
    prov.provenance = { genes: "x" };
    expect(reasons(prov as Item)).toEqual(["malformed_item"]);
  });
});

describe("validate: workflow rules", () => {
  it("workflow_evidence_code_mismatch, workflow_gold_violates, workflow_non_experimental_evidence", () => {
    const item = itemsOf("chain_isa", 1)[0];
    const code = clone(item);
    code.checks.find((c) => c.name === "workflow_evidence_code")!.args.codes = ["EXP"];
    expect(reasons(code)).toContain("workflow_evidence_code_mismatch");

    const noEvidence = clone(item);
    noEvidence.gold = noEvidence.gold.replace(/^Evidence: .*\n/, "");
    expect(reasons(noEvidence)).toContain("workflow_gold_violates");

    const tas = clone(item);
    tas.provenance.evidence = ["TAS"];
    expect(reasons(tas, { evidence: "experimental" })).toContain("workflow_non_experimental_evidence");
    expect(reasons(tas, { evidence: "all" })).not.toContain("workflow_non_experimental_evidence");
  });
});
