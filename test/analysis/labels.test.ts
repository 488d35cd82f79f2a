import { describe, expect, it } from "vitest";
import {
  CAPABILITIES as LABEL_CAPABILITIES,
  CAP_LABEL,
  CONFLICT_HANDLING_METHODS,
  METHOD_ORDER,
  SFT_ONLY,
  byMethodOrder,
  byStageOrder,
} from "../../src/analysis/labels.ts";
import { CAPABILITIES } from "../../src/mkgsg/types.ts";
import { METHOD_NAMES } from "../../src/weighting/registry.ts";
import { modelScale, worldScale } from "../../src/analysis/scale.ts";

describe("the shared lists", () => {
  it("the capabilities are MKGSG's families, each with a label", () => {
    expect(LABEL_CAPABILITIES).toBe(CAPABILITIES);
    expect(Object.keys(CAP_LABEL)).toEqual([...CAPABILITIES]);
  });
  it("SFT_ONLY is the name stores already hold for a run without RL", () => {
    expect(SFT_ONLY).toBe("sft-only");
    expect(METHOD_ORDER[0]).toBe(SFT_ONLY);
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

describe("one colour per method and short run labels", () => {
  it("every method has a fixed Okabe–Ito colour; a scale keeps it whatever else is shown", async () => {
    const { METHOD_COLOR, methodColor, methodColorScale } = await import("../../src/analysis/labels.ts");
    const okabeIto = ["#000000", "#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7"];
    for (const m of METHOD_ORDER) expect(okabeIto).toContain(methodColor(m));
    expect(new Set(METHOD_ORDER.map(methodColor)).size).toBe(METHOD_ORDER.length); // distinct
    // exactly the stored method names (runs.method): no entry for a name nothing stores, such as the config's "none"
    expect(Object.keys(METHOD_COLOR).sort()).toEqual([...METHOD_ORDER].sort());
    const all = methodColorScale(["pcgrad", "sft-only", "sum"]);
    const some = methodColorScale(["pcgrad"]);
    expect(all.domain).toEqual(["sft-only", "sum", "pcgrad"]);
    expect(all.range[all.domain.indexOf("pcgrad")]).toBe(some.range[0]);
    expect(methodColor("sum")).not.toBe(methodColor("pcgrad"));
  });
  it("a run is its method and the keys in which it differs from its comparison set, never over 80 characters", async () => {
    const { runLabels, groupLabels, differingKeys, fullConfig, MAX_LABEL } = await import("../../src/analysis/labels.ts");
    const common = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`sft.key_${i}`, i]));
    const runs = [
      { id: "a", method: "pcgrad", params: { ...common, "grpo.method": "pcgrad", "grpo.seed": 1 } },
      { id: "b", method: "pcgrad", params: { ...common, "grpo.method": "pcgrad", "grpo.seed": 2 } },
      { id: "c", method: "sum", params: { ...common, "grpo.method": "sum", "grpo.seed": 1 } },
    ];
    const l = runLabels(runs);
    expect(l.get("a")).toBe("pcgrad · seed 1");
    expect(l.get("b")).toBe("pcgrad · seed 2");
    expect(l.get("c")).toBe("sum · seed 1");
    expect(runLabels(runs, { seeds: false }).get("b")).toBe("pcgrad");
    expect(differingKeys(runs.map((r) => r.params))).toEqual(["grpo.method", "grpo.seed"]);
    const wide = runs.map((r, i) => ({
      ...r,
      params: { ...r.params, ...Object.fromEntries(Array.from({ length: 20 }, (_, j) => [`k${j}`, i])) },
    }));
    for (const s of runLabels(wide).values()) expect(s.length).toBeLessThanOrEqual(MAX_LABEL);
    const g = groupLabels([
      { group: "x", method: "sum", params: { "grpo.weight_strategy": "static", "data.conflict_control": true } },
      { group: "y", method: "sum", params: { "grpo.weight_strategy": "uniform", "data.conflict_control": false } },
    ]);
    expect(g.get("x")).toBe("sum · conflict · weights static");
    expect(g.get("y")).toBe("sum · no conflict · weights uniform");
    expect(fullConfig({ b: 1, a: "x" })).toBe("a=x\nb=1");
  });
});
