// Knowledge as extraction, and no tuning on the test split, over the DEFAULT build's generated items and cards:
// - no knowledge answer sentence appears verbatim in any card (answers use a fixed prefix no card uses);
// - the tokenizer is fitted on what training reads only (train items and cards), never on eval, dev or control text.
import { describe, expect, it } from "vitest";
import { generate } from "../../src/mkgsg/generate.ts";
import { ANSWER_IN_WORDS, ANSWER_PREFIX } from "../../src/mkgsg/kinds.ts";
import { Tokenizer, pieces, trainingCorpus } from "../../src/model/tokenizer.ts";
import { valueSpec } from "../../src/sft/cloze.ts";
import { validate } from "../../src/mkgsg/validate.ts";
import { kg } from "./helpers.ts";
import { loadConfig } from "../../src/config/index.ts";

const def = loadConfig("default");
const out = generate(kg, def.data, def.seed);
const cards = out.cards;
const knowledge = out.items.filter((it) => it.family === "knowledge");

describe("knowledge answers are extraction, not recall of a card sentence (default build)", () => {
  it("has train, extraction (eval), dev and control knowledge items", () => {
    for (const split of ["train", "eval", "dev", "control"] as const)
      expect(knowledge.filter((it) => it.split === split).length, split).toBeGreaterThan(20);
  });

  it("no knowledge answer sentence (nor its prefix + value) appears verbatim in any card", () => {
    const text = cards.map((c) => c.text).join("\n");
    for (const it of knowledge) {
      expect(text.includes(it.gold), it.gold).toBe(false);
      const spec = valueSpec(it)!;
      expect(text.includes(`${spec.prefix} ${spec.value}`), it.gold).toBe(false);
    }
  });

  it("every answer is a fixed prefix, then the value; the prompt ends 'Answer in words.'", () => {
    const prefixes = new Set<string>(Object.values(ANSWER_PREFIX));
    for (const it of knowledge) {
      const spec = valueSpec(it)!;
      expect(prefixes.has(spec.prefix), it.id).toBe(true);
      expect(it.gold).toBe(`${spec.prefix} ${spec.value}.`);
      expect(it.prompt.endsWith(ANSWER_IN_WORDS)).toBe(true);
    }
    // no card contains a prefix: the prefix's words never precede a value in what SFT reads
    for (const p of prefixes) expect(cards.filter((c) => c.text.includes(`${p} `)).map((c) => c.id)).toEqual([]);
  });
});

describe("the tokenizer is fitted on what training reads", () => {
  const corpus = trainingCorpus(out.items, cards);
  const heldOut = out.items.filter((it) => it.split !== "train");

  it("its corpus holds the train items and the cards, and no eval, dev or control prompt or gold", () => {
    const set = new Set(corpus);
    for (const it of out.items.filter((x) => x.split === "train")) expect(set.has(it.prompt)).toBe(true);
    for (const c of cards) expect(set.has(c.text)).toBe(true);
    for (const it of heldOut) {
      expect(set.has(it.prompt), `${it.split} prompt ${it.id}`).toBe(false);
      expect(set.has(it.gold) && !out.items.some((t) => t.split === "train" && t.gold === it.gold), `${it.split} gold ${it.id}`).toBe(
        false,
      );
    }
  });

  it("a word only control text uses (a control gene's symbol) is not in the vocabulary", () => {
    const tok = Tokenizer.fit(corpus, def.model.vocab_size);
    const seen = new Set(corpus.flatMap((t) => pieces(t)));
    const controlOnly = out
      .world!.genes.filter((g) => g.role === "control")
      .map((g) => ` ${g.symbol}`)
      .filter((p) => !seen.has(p));
    expect(controlOnly.length).toBeGreaterThan(5);
    for (const p of controlOnly) expect(tok.vocab.includes(p), p).toBe(false);
  });
});

describe("reasoning needs every hop (default build)", () => {
  const world = out.world;
  const chains = out.items.filter((it) => it.checks.some((c) => c.name === "chain_valid"));
  const heldOut = out.items.filter((it) => it.split !== "train");

  it("no chain item is answerable from its target alone: the term cards give the target several children", () => {
    expect(chains.filter((it) => it.split === "eval").length).toBeGreaterThan(50);
    for (const it of chains) {
      const a = it.checks.find((c) => c.name === "chain_valid")!.args as { start: string; target: string };
      const kids = new Set(world.edges.filter((e) => e.parent === a.target).map((e) => e.child));
      // a solver that reads only the term cards and the prompt's target faces ≥ 3 children (1 right, ≥ 2 wrong)
      expect(kids.size, it.id).toBeGreaterThanOrEqual(3);
      expect(kids.has(a.start), it.id).toBe(true);
      // and every edge it could take is a real is_a/part_of edge of the KG
      for (const k of kids)
        expect(kg.term(k)!.parents.some((p) => p.id === a.target && (p.rel === "isa" || p.rel === "part_of"))).toBe(true);
    }
  });

  it("no reasoning or integration eval (or dev, control) gold equals a training gold", () => {
    for (const family of ["reasoning", "integration"]) {
      const train = new Set(out.items.filter((it) => it.family === family && it.split === "train").map((it) => it.gold));
      const clash = heldOut.filter((it) => it.family === family && train.has(it.gold));
      expect(clash.map((it) => it.id)).toEqual([]);
    }
  });

  it("the validator rejects a chain item whose target has too few other children (answerable without the gene)", () => {
    const it = structuredClone(chains.find((x) => x.split === "eval")!);
    const spec = it.checks.find((c) => c.name === "chain_valid")!;
    (spec.args as { alternatives: string[] }).alternatives = [];
    expect(validate(it, kg)).toMatchObject({ ok: false, reasons: [expect.objectContaining({ reason: "answerable_without_gene" })] });
    (spec.args as { alternatives: string[] }).alternatives = ["GO:0008150", "GO:0003674"];
    const r = validate(it, kg);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reasons.map((x) => x.reason)).toContain("chain_edge_not_in_kg");
  });

  it("a world too small for its splits is one clear error naming the numbers, before any training", () => {
    expect(() => generate(kg, { world: { genes: 12, extraction_fraction: 0.5, dev_genes: 4 } }, 0)).toThrow(
      /train genes\) gives 2 \(W = 12: 6 extraction, 4 dev, 2 train\)/,
    );
  });
});
