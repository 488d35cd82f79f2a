// The config stage (src/config): --set parsing, one clear error per bad assignment, and every built-in config and
// suite run parsing. (Moved from test/pipeline/cli.test.ts: tests sit beside the stage they test.)
import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { applySet, loadConfig, parseConfig } from "../../src/config/index.ts";
import { readSuite } from "../../src/pipeline/suite.ts";

describe("--set parsing", () => {
  it("sets nested fields with JSON values, plain strings otherwise", () => {
    const raw: Record<string, unknown> = {};
    applySet(raw, "seed=3");
    applySet(raw, "model.n_layer=1");
    applySet(raw, "name=my run");
    applySet(raw, 'backend="wasm"');
    applySet(raw, "data.max_words=70");
    expect(raw).toEqual({ seed: 3, model: { n_layer: 1 }, name: "my run", backend: "wasm", data: { max_words: 70 } });
    const c = loadConfig(undefined, ["seed=3", "model.n_layer=1"]);
    expect(c.seed).toBe(3);
    expect(c.model.n_layer).toBe(1);
    expect(c.model.n_embd).toBe(128); // untouched default
  });

  it("one clear error for malformed or invalid assignments", () => {
    expect(() => applySet({}, "seed")).toThrow(/--set expects key=value, got "seed"/);
    expect(() => applySet({ seed: 1 }, "seed.x=1")).toThrow(/"seed" is not a config section/);
    expect(() => loadConfig(undefined, ["model.n_layr=2"])).toThrow(/invalid config[\s\S]*model/);
    expect(() => loadConfig(undefined, ["seed=-1"])).toThrow(/seed/);
    expect(() => loadConfig("no-such-config")).toThrow(/config "no-such-config" not found/);
  });

  it("built-in configs and suites parse", () => {
    for (const name of ["default", "ci", "paper", "conflict"]) expect(loadConfig(name).name).toBe(name);
    expect(readSuite("ci").runs.map((r) => r.name.replace(/^\w+-/, ""))).toEqual([
      "sft-only",
      "grpo-sum",
      "grpo-pcgrad",
      "grpo-mgda",
      "grpo-cagrpo",
    ]);
    // the default suite: SFT-only, 4 methods × 5 RL seeds on the default world; the conflict control's SFT-only and
    // sum / pcgrad / cagrpo × 5 RL seeds; every run's config parses (a refused combination would fail here, not in the build)
    const suite = readSuite("default");
    expect(suite.runs.filter((r) => r.config === "default").map((r) => r.name)).toHaveLength(21);
    expect(suite.runs.filter((r) => r.config === "conflict").map((r) => r.name)).toHaveLength(16);
    // at least 5 RL seeds per method in both parts (the seed is the unit of every method comparison)
    for (const part of ["default", "conflict"]) {
      const seeds = new Map<string, Set<number>>();
      for (const r of suite.runs.filter((x) => x.config === part && !x.name.includes("sft-only"))) {
        const g = loadConfig(r.config, r.set).grpo;
        (seeds.get(g.method) ?? seeds.set(g.method, new Set()).get(g.method)!).add(g.seed ?? -1);
      }
      for (const [method, s] of seeds) expect(s.size, `${part} ${method}`).toBeGreaterThanOrEqual(5);
    }
    // the conflict control's GRPO runs share the 3:1 preference weights and SGD (docs/method.md §2.4)
    for (const r of suite.runs.filter((r) => r.config === "conflict" && !r.name.includes("sft-only"))) {
      const g = loadConfig(r.config, r.set).grpo;
      expect([g.weight_strategy, g.reward_weights, g.optim]).toEqual(["static", [0, 0, 3, 1], "sgd"]);
    }
    for (const r of suite.runs) expect(loadConfig(r.config, r.set).data.world.genes).toBeGreaterThan(0);
  });
});

describe("one default", () => {
  it("the schema's defaults are configs/default.json's config; the file adds only sft.term_share", () => {
    const schema = parseConfig({});
    expect({ ...schema, sft: { ...schema.sft, term_share: 0.17 } }).toEqual(loadConfig("default"));
    expect(JSON.parse(readFileSync(new URL("../../configs/default.json", import.meta.url), "utf8"))).toEqual({
      name: "default",
      seed: 0,
      sft: { term_share: 0.17 },
    });
    // unset term_share is a setting of its own (one card stream), which a stored config must keep when parsed again
    expect(schema.sft.term_share).toBeUndefined();
    expect(parseConfig(JSON.parse(JSON.stringify(schema)))).toEqual(schema);
  });

  it("data.world.genes = 0 is a config error naming the key and why", () => {
    for (const genes of [0, -3])
      expect(() => loadConfig(undefined, [`data.world.genes=${genes}`])).toThrow(
        /data\.world\.genes: data\.world\.genes must be positive: every item asks about a gene of the world/,
      );
  });
});
