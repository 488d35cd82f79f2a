import { describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, parseConfig } from "../../src/config/index.ts";
import { readSuite } from "../../src/pipeline/suite.ts";
import { BbioError } from "../../src/util/errors.ts";

const CONFIGS = join(import.meta.dirname, "../../configs");

describe("grpo config: combinations a method would ignore are refused", () => {
  it("a weight strategy under mgda (which defines its own weights) is a BbioError naming both settings", () => {
    for (const weight_strategy of ["static", "minnorm", "orthogonal", "inverse_variance", "dynamic"]) {
      const raw = { grpo: { method: "mgda", weight_strategy, ...(weight_strategy === "static" ? { reward_weights: [1, 1, 1, 1] } : {}) } };
      expect(() => parseConfig(raw)).toThrow(BbioError);
      expect(() => parseConfig(raw)).toThrow(/weight_strategy="\w+" has no effect under grpo.method="mgda"/);
    }
    expect(() => parseConfig({ grpo: { method: "none", weight_strategy: "dynamic" } })).toThrow(/SFT-only/);
    expect(() => parseConfig({ grpo: { reward_weights: [1, 2, 1, 1] } })).toThrow(/reward_weights is set but/);
    expect(() => parseConfig({ grpo: { weight_strategy: "minnorm", dynamic_every: 3 } })).toThrow(/dynamic_every=3 is set but only/);
    expect(() => parseConfig({ grpo: { dynamic_inner: "static" } })).toThrow(/dynamic_inner="static" is set but only/);
  });

  it("the same settings pass where they are applied: cagrpo (ours) takes every strategy as preferences", () => {
    for (const method of ["sum", "pcgrad", "cagrpo", "cagrad", "aligned_mtl"])
      expect(parseConfig({ grpo: { method, weight_strategy: "dynamic" } }).grpo.method).toBe(method);
    expect(parseConfig({ grpo: { method: "mgda", weight_strategy: "uniform" } }).grpo.method).toBe("mgda");
    expect(
      parseConfig({ grpo: { weight_strategy: "dynamic", dynamic_inner: "static", reward_weights: [1, 2, 1, 1] } }).grpo.reward_weights,
    ).toEqual([1, 2, 1, 1]);
  });

  it("every shipped config and every suite run still parses", () => {
    for (const f of readdirSync(CONFIGS).filter((f) => f.endsWith(".json"))) expect(() => loadConfig(join(CONFIGS, f))).not.toThrow();
    for (const f of readdirSync(join(CONFIGS, "suites")).filter((f) => f.endsWith(".json")))
      for (const r of readSuite(join(CONFIGS, "suites", f)).runs) expect(() => loadConfig(r.config, r.set)).not.toThrow();
  });
});
