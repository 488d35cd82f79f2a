// The gene world: cards state exactly their gene's KG facts, the three splits are disjoint the right way, world items
// validate and score their gold 1.0, and the world's bad inputs fail with one clear error naming the config key.
import { describe, expect, it } from "vitest";
import { WORLD_KINDS } from "../../src/mkgsg/config.ts";
import { generate } from "../../src/mkgsg/generate.ts";
import { score } from "../../src/mkgsg/score.ts";
import { goIds } from "../../src/mkgsg/text.ts";
import type { Item } from "../../src/mkgsg/types.ts";
import { validate } from "../../src/mkgsg/validate.ts";
import { buildWorld, cardFacts, geneCard, NAMESPACES, worldCards } from "../../src/mkgsg/gene_world.ts";
import { kg } from "./helpers.ts";

const cfg = { genes: 12, extraction_fraction: 0.5, control_genes: 0, dev_genes: 0, variants: 3, chain_hops: 2 };
const world = buildWorld(kg, cfg, 3);
const out = generate(kg, { world: cfg }, 3);

describe("gene world", () => {
  it("draws W card genes (half extraction) and as many control genes, deterministically", () => {
    expect(world.genes.filter((g) => g.role !== "control")).toHaveLength(12);
    expect(world.genes.filter((g) => g.role === "extraction")).toHaveLength(6);
    expect(world.genes.filter((g) => g.role === "control")).toHaveLength(6);
    expect(buildWorld(kg, cfg, 3)).toEqual(world);
    expect(buildWorld(kg, cfg, 4).genes.map((g) => g.entrez)).not.toEqual(world.genes.map((g) => g.entrez));
  });

  it("a card states exactly its gene's facts, each one true in the KG", () => {
    const symbols = world.genes.map((g) => g.symbol);
    for (const g of world.genes.filter((x) => x.role !== "control")) {
      const kgGene = kg.geneByEntrez(g.entrez)!;
      const f = cardFacts(g);
      expect(kgGene.chr).toContain(f.chr);
      expect(kgGene.band).toContain(f.band);
      expect(kgGene.aliases).toContain(f.alias);
      expect(kg.genesByAlias(f.alias).map((x) => x.entrez)).toEqual([g.entrez]);
      for (const [ns, id, evidence] of f.annotations) {
        const rows = kg.annotationsOfGene(g.entrez).filter((a) => a.go === id && a.ns === ns);
        expect(rows.length, `${g.symbol} ${id}`).toBeGreaterThan(0);
        for (const e of evidence) expect(rows.map((a) => a.evidence)).toContain(e);
      }
      for (let k = 0; k < cfg.variants; k++) {
        const text = geneCard(g, k, 3);
        for (const v of [g.symbol, g.band, g.alias]) expect(text, `variant ${k}`).toContain(v);
        expect(text).toMatch(new RegExp(`[Cc]hromosome ${g.chr}\\b`));
        for (const ns of NAMESPACES) expect(text).toContain(`${g.terms[ns].name} ${g.terms[ns].id}`);
        // nothing else: only its three GO ids, no other world gene's symbol
        expect(goIds(text).sort()).toEqual(NAMESPACES.map((ns) => g.terms[ns].id).sort());
        for (const s of symbols) if (s !== g.symbol) expect(text.split(/[\s.]+/)).not.toContain(s);
      }
      // variants are paraphrases: the same facts in different words and order
      expect(new Set(Array.from({ length: cfg.variants }, (_, k) => geneCard(g, k, 3))).size).toBe(cfg.variants);
    }
  });

  it("every chain edge a term card states is an is_a/part_of edge of the KG", () => {
    for (const e of world.edges) expect(kg.term(e.child)!.parents.some((p) => p.id === e.parent && p.rel === e.rel)).toBe(true);
  });

  it("splits: extraction QA is never trained but its card is; control genes have neither", () => {
    const genesOf = (split: Item["split"]) => new Set(out.items.filter((it) => it.split === split).flatMap((it) => it.provenance.genes));
    const train = genesOf("train"),
      extraction = genesOf("eval"),
      control = genesOf("control");
    for (const g of extraction) expect(train.has(g) || control.has(g)).toBe(false);
    for (const g of control) expect(train.has(g)).toBe(false);
    const trainPrompts = new Set(out.items.filter((it) => it.split === "train").map((it) => it.prompt));
    for (const it of out.items.filter((x) => x.split !== "train")) expect(trainPrompts.has(it.prompt)).toBe(false);
    const carded = new Set(out.cards.filter((c) => c.entrez !== null).map((c) => c.entrez));
    for (const g of extraction) expect(carded.has(g)).toBe(true);
    for (const g of train) expect(carded.has(g)).toBe(true);
    for (const g of control) expect(carded.has(g)).toBe(false);
    expect(worldCards(kg, world, cfg, 3)).toEqual(out.cards);
  });

  it("every world kind appears, validates, and its gold scores 1.0", () => {
    const kinds = new Set(out.items.map((it) => it.kind));
    for (const k of Object.values(WORLD_KINDS).flat()) expect(kinds.has(k), k).toBe(true);
    for (const it of out.items) {
      expect(validate(it, kg), it.id).toEqual({ ok: true });
      expect(score(it, it.gold, kg).score, it.id).toBe(1);
    }
  });

  it("a question's options come from genes of its own role (train, extraction or control)", () => {
    const roleOf = new Map(world.genes.map((g) => [g.alias, g.role === "extraction" ? "eval" : g.role]));
    const items = out.items.filter((x) => x.kind === "world_alias");
    expect(items.length).toBeGreaterThan(10);
    for (const it of items) for (const o of it.options!) expect(roleOf.get(o), `${it.id} ${o}`).toBe(it.split);
  });
});

describe("gene world: bad input", () => {
  it("a world larger than the KG can supply names data.world.genes", () => {
    expect(() => buildWorld(kg, { ...cfg, genes: 100000 }, 0)).toThrow(/data\.world\.genes/);
  });
  it("a split with no items in some family is an error, not a NaN later", () => {
    // one extraction gene, and its only reasoning kind rejected by a length budget no chain item fits
    expect(() =>
      generate(kg, { world: { ...cfg, genes: 8 }, kinds: ["world_chain_process", "world_chromosome"], max_words: 20 }, 0),
    ).toThrow(/gene world has no \w+ items in split/);
  });
  it("a role with fewer than 4 genes (no room for 3 distractors) is an error naming the key", () => {
    expect(() => buildWorld(kg, { ...cfg, control_genes: 3 }, 0)).toThrow(/data\.world\.control_genes gives 3/);
    expect(() => buildWorld(kg, { ...cfg, genes: 6 }, 0)).toThrow(/at least 4 genes in every role/);
  });
  it("the conflict control needs both of its capabilities", async () => {
    const { dataSchema } = await import("../../src/mkgsg/config.ts");
    expect(dataSchema.safeParse({ world: { ...cfg, genes: 8 }, conflict_control: true, kinds: ["world_case_upper"] }).success).toBe(false);
    const conflict = generate(kg, { world: { ...cfg, genes: 8, chain_hops: 2 }, conflict_control: true }, 0).items;
    const upper = conflict.filter((it) => it.kind === "world_case_upper"),
      lower = conflict.filter((it) => it.kind === "world_case_lower");
    expect(upper.length).toBeGreaterThan(0);
    // the same prompts, opposite demands: each gold fails the other capability's format check
    expect(new Set(upper.map((it) => it.prompt))).toEqual(new Set(lower.map((it) => it.prompt)));
    for (const it of upper)
      expect(score(lower.find((x) => x.prompt === it.prompt)!, it.gold, kg).checks.find((c) => c.name === "all_lower")!.pass).toBe(false);
  });
});
