// Determinism of the generator and the items/answers file format (src/mkgsg/io.ts).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generate } from "../../src/mkgsg/generate.ts";
import { itemsToJsonl, parseItems, readAnswers, readItems } from "../../src/mkgsg/io.ts";
import { CAPABILITIES } from "../../src/mkgsg/types.ts";
import { readItems as trainReadItems } from "../../src/sft/items.ts";
import { BbioError } from "../../src/util/errors.ts";
import { kg, SMALL } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "bbio-mkgsg-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

/** a small world (12 card genes, 4 control genes) */
const world = { ...SMALL, genes: 12, control_genes: 4 };

describe("generate is deterministic", () => {
  const a = generate(kg, { world }, 42);

  it("same KG + config + seed → identical items, rejects and funnel (byte-identical JSONL)", () => {
    const b = generate(kg, { world }, 42);
    expect(itemsToJsonl(b.items)).toBe(itemsToJsonl(a.items));
    expect(b.rejects).toEqual(a.rejects);
    expect(b.funnel).toEqual(a.funnel);
  });

  it("a different seed gives different items; every family has items in every split", () => {
    const c = generate(kg, { world }, 43);
    expect(itemsToJsonl(c.items)).not.toBe(itemsToJsonl(a.items));
    for (const r of [a, c])
      for (const f of CAPABILITIES)
        for (const split of ["train", "eval", "control"])
          expect(
            r.items.some((i) => i.family === f && i.split === split),
            `${f} ${split}`,
          ).toBe(true);
    expect(new Set(a.items.map((i) => i.id)).size).toBe(a.items.length);
    expect(a.items.every((i) => i.seed === 42)).toBe(true);
  });

  it("the order of data.kinds does not matter; a kind subset draws the same per-kind stream", () => {
    const x = generate(kg, { world, kinds: ["world_alias", "world_chain_process"] }, 5);
    const y = generate(kg, { world, kinds: ["world_chain_process", "world_alias"] }, 5);
    expect(itemsToJsonl(y.items)).toBe(itemsToJsonl(x.items));
    const alone = generate(kg, { world, kinds: ["world_alias"] }, 5);
    expect(alone.items.length).toBeGreaterThan(0);
    expect(alone.items).toEqual(x.items.filter((i) => i.kind === "world_alias"));
  });

  it("refuses a bad config or seed with a clear error", () => {
    expect(() => generate(kg, { world: { genes: 0 } }, 1)).toThrow(/world\.genes: data\.world\.genes must be positive/);
    expect(() => generate(kg, { kinds: ["nope" as never] }, 1)).toThrow(/kinds/);
    expect(() => generate(kg, {}, -1)).toThrow(/seed/);
  });
});

describe("items JSONL", () => {
  const items = generate(kg, { world }, 3).items;

  it("round-trips byte for byte; train's readItems is the same reader", () => {
    const text = itemsToJsonl(items);
    expect(text.endsWith("\n")).toBe(true);
    expect(text.split("\n")).toHaveLength(items.length + 1);
    const p = file("items.jsonl", text);
    const back = readItems(p);
    expect(back).toEqual(items);
    expect(itemsToJsonl(back)).toBe(text);
    expect(trainReadItems).toBe(readItems);
    expect(itemsToJsonl([])).toBe("");
  });

  it("blank lines are skipped and line numbers stay the file's", () => {
    const lines = itemsToJsonl(items.slice(0, 2)).split("\n");
    const p = file("blank.jsonl", `\n${lines[0]}\n\n${lines[1]}\n{not json\n`);
    expect(() => readItems(p)).toThrow(`${p}:5: malformed JSON`);
    expect(readItems(file("blank-ok.jsonl", `\n${lines[0]}\n\n${lines[1]}\n\n`))).toHaveLength(2);
  });

  it("schema failures name the line and the field; every bad line is listed", () => {
    const [x, y, z] = items;
    const text = [
      JSON.stringify(x),
      JSON.stringify({ ...y, gold: 5 }),
      JSON.stringify({ ...z, family: "cooking" }),
      JSON.stringify({ ...z, provenance: { genes: ["CFTR"], terms: [], evidence: [] } }),
      "[1,2]",
    ].join("\n");
    const p = file("schema.jsonl", text);
    let err: unknown;
    try {
      readItems(p);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BbioError);
    const msg = (err as BbioError).message;
    expect((err as BbioError).exitCode).toBe(2);
    expect(msg).toContain(`${p}:2: not an MKGSG item: gold:`);
    expect(msg).toContain(`${p}:3: not an MKGSG item: family:`);
    expect(msg).toContain(`${p}:4: not an MKGSG item: provenance.genes.0:`);
    expect(msg).toContain(`${p}:5: not an MKGSG item`);
    expect(msg).not.toContain(`${p}:1:`);
  });

  it("duplicate ids, empty files and missing files are errors", () => {
    const line = JSON.stringify(items[0]);
    expect(() => readItems(file("dup.jsonl", `${line}\n${line}\n`))).toThrow(/:2: duplicate item id .* \(first at line 1\)/);
    expect(() => readItems(file("empty.jsonl", "\n\n"))).toThrow(/no items/);
    expect(() => readItems(join(dir, "missing.jsonl"))).toThrow(/file not found/);
    expect(() => readItems(dir)).toThrow(/is a directory/);
  });

  it("parseItems collects problems instead of throwing", () => {
    const r = parseItems(`${JSON.stringify(items[0])}\n{"id":"x"}\nnope\n`);
    expect(r.rows.map((x) => x.line)).toEqual([1]);
    expect(r.problems.map((p) => [p.line, p.kind, p.id])).toEqual([
      [2, "malformed_item", "x"],
      [3, "malformed_json", undefined],
    ]);
  });
});

describe("answers JSONL", () => {
  it("reads {id, answer} lines (extra keys allowed) with their line numbers", () => {
    const p = file("answers.jsonl", `{"id":"a","answer":"B"}\n\n{"id":"b","answer":"","model":"tiny"}\n`);
    expect(readAnswers(p)).toEqual([
      { id: "a", answer: "B", line: 1 },
      { id: "b", answer: "", line: 3 },
    ]);
  });

  it("malformed lines and duplicate ids are reported with line numbers", () => {
    const p = file("bad-answers.jsonl", `{"id":"a","answer":"B"}\n{"id":"b"}\n{oops\n{"id":"a","answer":"C"}\n`);
    let msg = "";
    try {
      readAnswers(p);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toContain(`${p}:2: not an answer line`);
    expect(msg).toContain(`${p}:3: malformed JSON`);
    expect(msg).toContain(`${p}:4: second answer for a (first at line 1)`);
  });
});

describe("reject stages", () => {
  it("an item rejected only as constraint_unsatisfiable is filed under stage 'constraint', not 'ontology'", () => {
    const world = generate(kg, { world: { ...SMALL, genes: 24 } }, 5);
    const unsat = world.rejects.filter((r) => r.reason === "constraint_unsatisfiable" && !r.detail.includes("also:"));
    expect(unsat.length).toBeGreaterThan(0);
    expect(unsat.every((r) => r.stage === "constraint")).toBe(true);
    const rows = Object.values(world.funnel).flatMap((f) => Object.values(f));
    expect(rows.reduce((s, r) => s + r.rejected_constraint, 0)).toBe(world.rejects.filter((r) => r.stage === "constraint").length);
    const ontology = world.rejects.filter((r) => r.stage === "ontology");
    expect(ontology.every((r) => r.reason !== "constraint_unsatisfiable" || r.detail.includes("also:"))).toBe(true);
  });
});
