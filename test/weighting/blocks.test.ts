import { describe, expect, it } from "vitest";
import { blockGramRows, blockGrams, cosines, gramMatrix } from "../../src/weighting/gram.ts";
import { flattenParts } from "../../src/weighting/step.ts";
import { parameterBlock, weightShapes } from "../../src/model/gpt.ts";
import { randomGrads, vec } from "./helpers.ts";

describe("per-parameter-block Grams (Gradient Vaccine-style, per layer)", () => {
  it("each block's Gram is the Gram of that block's concatenated parameters; the blocks sum to the whole Gram", () => {
    const sizes = [5, 3, 7, 2, 4];
    const blocks = ["emb", "emb", "h.0.attn", "layernorm", "h.0.attn"];
    const parts = [0, 1, 2].map((c) => sizes.map((n, v) => randomGrads(100 * c + v, 1, n)[0]));
    const r = blockGrams(parts, blocks);
    expect(r.blocks.map((b) => [b.block, b.size])).toEqual([
      ["emb", 8],
      ["h.0.attn", 11],
      ["layernorm", 2],
    ]);
    for (const b of r.blocks) {
      const idx = blocks.map((x, v) => (x === b.block ? v : -1)).filter((v) => v >= 0);
      const G = gramMatrix(parts.map((ps) => flattenParts(idx.map((v) => ps[v]))));
      G.forEach((row, i) => row.forEach((x, j) => expect(b.gram[i][j]).toBeCloseTo(x, 10)));
    }
    const whole = gramMatrix(parts.map(flattenParts));
    whole.forEach((row, i) => row.forEach((x, j) => expect(r.gram[i][j]).toBeCloseTo(x, 10)));
  });

  it("sees a conflict the whole-model cosine averages away", () => {
    // block A: the two capabilities pull in opposite directions; block B (larger): aligned; the whole cos is ≈ 0
    const parts = [
      [vec(1, 0), vec(1, 0, 0)],
      [vec(-1, 0), vec(1, 0, 0)],
    ];
    const r = blockGrams(parts, ["A", "B"]);
    expect(cosines(r.blocks[0].gram)[0][1]).toBeCloseTo(-1, 12);
    expect(cosines(r.blocks[1].gram)[0][1]).toBeCloseTo(1, 12);
    expect(cosines(r.gram)[0][1]).toBeCloseTo(0, 12);
    const rows = blockGramRows(7, ["k", "r"], r.blocks);
    expect(rows).toHaveLength(2 * 4);
    expect(rows.find((x) => x.block === "A" && x.capability_i === "k" && x.capability_j === "r")).toEqual({
      step: 7,
      block: "A",
      block_size: 2,
      capability_i: "k",
      capability_j: "r",
      dot: -1,
      cos: -1,
    });
  });

  it("refuses mismatched inputs and non-finite gradients", () => {
    expect(() => blockGrams([[vec(1)], [vec(1), vec(2)]], ["a"])).toThrow(/block assignment has 1/);
    expect(() => blockGrams([[vec(1, 2)], [vec(1)]], ["a"])).toThrow(/capability 1, parameter 0/);
    expect(() => blockGrams([[vec(NaN)], [vec(1)]], ["a"])).toThrow(/non-finite/);
  });

  it("GPT weights map to embeddings, each layer's attention and MLP, and the layer norms", () => {
    const names = weightShapes({ vocab_size: 10, block_size: 8, n_layer: 2, n_head: 2, n_embd: 4, dropout: 0 } as never).map(([n]) => n);
    const blocks = names.map(parameterBlock);
    expect([...new Set(blocks)]).toEqual(["embeddings", "layernorm", "h.0.attn", "h.0.mlp", "h.1.attn", "h.1.mlp"]);
    expect(names.filter((_n, i) => blocks[i] === "embeddings")).toEqual(["wte", "wpe"]);
    expect(names.filter((_n, i) => blocks[i] === "layernorm")).toHaveLength(2 * 2 * 2 + 2);
    expect(() => parameterBlock("lm_head")).toThrow(/no block/);
  });
});
