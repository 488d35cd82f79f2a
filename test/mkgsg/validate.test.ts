// The validator re-derives every fact from the KG: hand-corrupted copies of real generated items are rejected with
// the right NAMED reason (validate.ts lists them), and it never throws on a malformed item.
import { describe, expect, it } from "vitest";
import { kgIndex } from "../../src/mkgsg/kgindex.ts";
import type { Item } from "../../src/mkgsg/types.ts";
import { validate, type Reason } from "../../src/mkgsg/validate.ts";
import { argsAt, clone, itemsOf, kg, setOption } from "./helpers.ts";
import { argsOf } from "../../src/mkgsg/checkargs.ts";

const reasons = (item: Item, opts = {}): string[] => {
  const v = validate(item, kg, opts);
  return v.ok ? [] : v.reasons.map((r: Reason) => r.reason);
};
const ix = kgIndex(kg);

describe("validate: knowledge (value MCQ) corruptions", () => {
  /** the item's answer value (its first check) */
  const answerValue = (item: Item) => argsAt(item, 0, "answer_value").value;

  it("non_unique_answer: a duplicate option", () => {
    const item = itemsOf("world_chromosome", 1)[0];
    const dup = clone(item);
    const gi = dup.options!.indexOf(answerValue(dup));
    setOption(dup, (gi + 1) % 4, dup.options![gi]);
    expect(validate(dup, kg)).toMatchObject({
      ok: false,
      reasons: expect.arrayContaining([{ reason: "non_unique_answer", detail: "duplicate options" }]),
    });
  });

  it("gold_mismatch: the stated value is another option's", () => {
    const item = clone(itemsOf("world_band", 1)[0]);
    const args = argsAt(item, 0, "answer_value");
    const wrong = item.options!.find((o) => o !== args.value)!;
    item.gold = item.gold.replace(args.value, wrong);
    args.value = wrong;
    expect(reasons(item)).toContain("gold_mismatch");
  });
});

describe("validate: reasoning corruptions", () => {
  it("chain_edge_not_in_kg: a regulates edge spliced into a chain", () => {
    const item = itemsOf("world_chain_process", 1)[0];
    const e = ix.regulatesEdges.find((x) => ix.edge(x.child, x.parent) === x.rel)!; // a pair with no is_a/part_of edge
    const bad = clone(item);
    const start = bad.checks.find((c) => c.name === "chain_valid")!.args.start as string;
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
});

describe("validate: ids, facts, structure", () => {
  it("unknown_id: a GO id or a gene that is not in the KG", () => {
    const item = itemsOf("world_json_location", 1)[0];
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

  it("gold_mismatch: a stated fact that differs from the KG", () => {
    const item = clone(itemsOf("world_json_location", 1)[0]);
    const field = argsOf(item.checks, "json_field").find((a) => a.key === "chromosome")!;
    field.values = ["99"];
    item.gold = JSON.stringify({ ...JSON.parse(item.gold), chromosome: "99" });
    expect(reasons(item)).toContain("gold_mismatch");
  });

  it("malformed_item: unknown kind, check or split, args of the wrong shape — reported, never thrown", () => {
    const item = itemsOf("world_chain_process", 1)[0];
    const kind = { ...clone(item), kind: "no_such_kind" };
    expect(reasons(kind)).toEqual(["malformed_item"]);
    const split = { ...clone(item), split: "test" } as unknown as Item;
    expect(reasons(split)).toEqual(["malformed_item"]);
    const check = clone(item);
    (check.checks[0] as { name: string }).name = "no_such_check"; // an item file may name anything
    expect(reasons(check)).toEqual(["malformed_item"]);
    const args = clone(itemsOf("world_chromosome", 1)[0]);
    args.checks[0].args = { ...args.checks[0].args, relation: 5 as never }; // not a relation name
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
    const item = itemsOf("world_chain_process", 1)[0];
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
