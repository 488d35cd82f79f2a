import { describe, expect, it } from "vitest";
import { CAPS, CAP_LABEL, CONFLICT_HANDLING_METHODS, METHOD_ORDER, byMethodOrder, byStageOrder } from "../../src/analysis/labels.ts";
import { FAMILIES } from "../../src/mkgsg/types.ts";
import { METHOD_NAMES } from "../../src/weighting/registry.ts";
import { modelScale, worldScale } from "../../src/analysis/scale.ts";

describe("the shared lists", () => {
  it("the capabilities are MKGSG's families, each with a label", () => {
    expect(CAPS).toBe(FAMILIES);
    expect(Object.keys(CAP_LABEL)).toEqual([...FAMILIES]);
  });
  it("every gradient method has a display position; conflict handling = all but sft-only and sum", () => {
    for (const m of METHOD_NAMES) expect(METHOD_ORDER).toContain(m);
    expect(CONFLICT_HANDLING_METHODS).toEqual(["pcgrad", "mgda", "cagrad", "aligned_mtl", "cagrpo"]);
  });
  it("orders: known names first in their order, then unknown ones alphabetically", () => {
    expect(["zeta", "cagrpo", "alpha", "sum", "sft-only"].sort(byMethodOrder)).toEqual(["sft-only", "sum", "cagrpo", "alpha", "zeta"]);
    expect(["eval", "other", "sft", "generate"].sort(byStageOrder)).toEqual(["generate", "sft", "eval", "other"]);
  });
});

describe("scale in words (build.json)", () => {
  it("model and gene world", () => {
    expect(
      modelScale({ models: [{ params: 141056, n_layer: 2, n_embd: 64, n_head: 4, vocab_size: 512, block_size: 128, runs: 3 }] }),
    ).toEqual({
      params: 141056,
      text: "141,056 parameters (2 layers, d=64, 4 heads, vocab 512, context 128)",
    });
    expect(modelScale({})).toBeNull();
    // 24 genes, extraction share 0.25 → 6 extraction genes, 18 with trained QA; control genes default to 6
    expect(worldScale({ worlds: [{ genes: 24, extraction_fraction: 0.25, variants: 4, runs: 1 }] })!.text).toBe(
      "W = 24 genes with cards (18 with trained QA, 6 extraction), K = 4 paraphrased variants per card, 6 control genes without card or QA",
    );
    expect(worldScale({ worlds: [] })).toBeNull();
  });
});
