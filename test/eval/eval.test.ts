import { describe, it, expect, beforeAll } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "../../src/model/backend.ts";
import { evaluate, summarize, primary, type ItemResult } from "../../src/eval/evaluate.ts";
import { runSft } from "../../src/sft/sft.ts";
import type { Scorer } from "../../src/eval/evaluate.ts";
import type { KG } from "../../src/kg/types.ts";
import type { Item } from "../../src/mkgsg/types.ts";
import { MemorySink } from "../../src/util/sink.ts";
import { fakeItems, tinyConfig } from "../model/fixtures.ts";

const kg = {} as KG; // the fake scorer below never looks at the KG

/** Exact match → 1; for JSON golds a parseable-but-wrong answer gets the format check only (0.5). */
const scorer: Scorer = (item: Item, answer: string, _kg, opts) => {
  const a = opts?.loose ? answer.replace(/\*/g, "").trim() : answer;
  const exact = a === item.gold;
  let json = false;
  try {
    JSON.parse(a);
    json = true;
  } catch {}
  const checks = [
    { name: "content", component: "knowledge" as const, pass: exact },
    ...(item.gold.startsWith("[") || item.gold.startsWith("{") ? [{ name: "json", component: "format" as const, pass: json }] : []),
  ];
  const score = checks.filter((c) => c.pass).length / checks.length;
  return { score, checks, components: {} };
};

const r = (capability: ItemResult["capability"], score: number, loose = score): ItemResult => ({
  id: `${capability}${Math.random()}`,
  capability,
  kind: "k",
  answer: "",
  score,
  loose,
  checks: [{ name: "c", component: "format", pass: score === 1 }],
});

describe("scoring hand-made answers", () => {
  it("headline per capability: knowledge/reasoning mean score, instruction/integration all-pass rate", () => {
    expect(primary({ capability: "reasoning", score: 0.5 })).toBe(0.5);
    expect(primary({ capability: "instruction", score: 0.5 })).toBe(0);
    expect(primary({ capability: "integration", score: 1 })).toBe(1);
    const cfg = tinyConfig().eval;
    const rep = summarize(
      [r("instruction", 1), r("instruction", 0.5, 1), r("instruction", 0), r("instruction", 1), r("reasoning", 0.5), r("reasoning", 1)],
      cfg,
      0,
    );
    expect(rep.instruction!.n).toBe(4);
    expect(rep.instruction!.mean).toBe(0.5);
    expect(rep.instruction!.metrics.prompt_loose.value).toBe(0.75);
    expect(rep.instruction!.ci_lo).toBeLessThanOrEqual(0.5);
    expect(rep.instruction!.ci_hi).toBeGreaterThanOrEqual(0.5);
    expect(rep.instruction!.ci_hi).toBeLessThanOrEqual(1);
    expect(rep.reasoning!.mean).toBe(0.75);
    expect(rep.knowledge).toBeUndefined();
    // seeded: same inputs → same CI
    expect(summarize([r("reasoning", 0.5), r("reasoning", 1), r("reasoning", 0)], cfg, 3).reasoning!.ci_lo).toBe(
      summarize([r("reasoning", 0.5), r("reasoning", 1), r("reasoning", 0)], cfg, 3).reasoning!.ci_lo,
    );
  });
});

describe("evaluate end to end (tiny model, wasm)", () => {
  beforeAll(async () => {
    await initBackend("wasm", { quiet: true });
  });

  it("an overfitted model beats chance and the untrained model", async () => {
    const d = mkdtempSync(join(tmpdir(), "bbio-eval-"));
    try {
      const items = fakeItems(3, 1000); // 12 train items
      const config = tinyConfig({
        backend: "wasm",
        model: { n_embd: 48, n_head: 2, block_size: 192 },
        sft: { max_steps: 150, batch_size: 12, learning_rate: 1e-2, min_lr: 1e-3, warmup_steps: 5, weight_decay: 0, save_every: 1000 },
        eval: { split: "train", bootstrap_resamples: 200 },
      });
      const sft = await runSft({ config, items, outDir: d, sink: new MemorySink(), progress: false });
      expect(sft.finalLoss).toBeLessThan(0.1);
      const sink = new MemorySink();
      const rep = await evaluate({ checkpointDir: sft.checkpointDir, items, kg, config, scorer, sink, progress: false });
      expect(rep.backend).toBe("wasm");
      expect(Object.keys(rep.capabilities).sort()).toEqual(["instruction", "integration", "knowledge", "reasoning"]);
      for (const f of ["knowledge", "reasoning", "instruction", "integration"] as const) {
        const x = rep.capabilities[f]!;
        expect(x.n).toBe(3);
        expect(x.mean).toBeGreaterThanOrEqual(0.6);
        expect(x.mean).toBeGreaterThan(rep.baselines.untrained![f]!.mean);
      }
      expect(rep.capabilities.knowledge!.metrics.acc_letter_loglik.value).toBeGreaterThanOrEqual(2 / 3);
      expect(rep.baselines.chance.knowledge!.analytic).toBe(0.25);
      expect(rep.baselines.untrained!.knowledge!.mean).toBeLessThan(0.5);
      const rows = sink.tables.get("evals")!;
      expect(rows.some((x) => x.capability === "knowledge" && x.metric === "score")).toBe(true);
      expect(rows.some((x) => x.metric === "baseline/untrained")).toBe(true);
      expect(rep.capabilities.knowledge!.metrics.sampled).toBeUndefined(); // eval.samples = 0: off

      // sampled scoring (eval.samples): the overfitted model's sampled answers score far above the untrained model's,
      // and the same seed gives the same numbers
      const sampledCfg = { ...config, eval: { ...config.eval, samples: 4, untrained_baseline: false } };
      const s1 = await evaluate({ checkpointDir: sft.checkpointDir, items, kg, config: sampledCfg, scorer, progress: false });
      const s2 = await evaluate({ checkpointDir: sft.checkpointDir, items, kg, config: sampledCfg, scorer, progress: false });
      const { GPT } = await import("../../src/model/gpt.ts");
      const { loadCheckpoint } = await import("../../src/model/checkpoint.ts");
      const ck = await loadCheckpoint(sft.checkpointDir);
      const fresh = GPT.init(ck.model.config, 1);
      const s0 = await evaluate({ model: fresh, tokenizer: ck.tokenizer, items, kg, config: sampledCfg, scorer, progress: false });
      fresh.dispose();
      ck.model.dispose();
      for (const f of ["knowledge", "reasoning"] as const) {
        expect(s1.capabilities[f]!.metrics.sampled.value).toBeGreaterThanOrEqual(0.5);
        expect(s1.capabilities[f]!.metrics.sampled.value).toBeGreaterThan(s0.capabilities[f]!.metrics.sampled.value + 0.4);
        expect(s2.capabilities[f]!.metrics.sampled.value).toBe(s1.capabilities[f]!.metrics.sampled.value);
      }
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
