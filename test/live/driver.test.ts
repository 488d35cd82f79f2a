// The live page's driver (src/live/driver.ts) runs the project's own GRPO step: on the wasm backend in Node it gives
// exactly runGrpo's per-step rewards and slot cosines for the same checkpoint, config and seed, and the same numbers
// twice. The browser runs this driver bundled (loaders/live-bundle.ts); the bundle must hold no node: import.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { liveBundle } from "../../loaders/live-bundle.ts";
import { loadConfig } from "../../src/config/index.ts";
import { CAPABILITIES, runGrpo } from "../../src/grpo/train.ts";
import { CAPITALS, type LiveCheckpoint, type LiveSettings, LOWER, liveConfig, runLive } from "../../src/live/driver.ts";
import { kgTerms, slimKG } from "../../src/live/kg.ts";
import { generate } from "../../src/mkgsg/generate.ts";
import { score } from "../../src/mkgsg/score.ts";
import { initBackend } from "../../src/model/backend.ts";
import { runSft } from "../../src/sft/sft.ts";
import { MemorySink } from "../../src/util/sink.ts";
import { kg } from "../mkgsg/helpers.ts";

const config = loadConfig(undefined, [
  "data.world.genes=8",
  "data.world.extraction_fraction=0.5",
  "data.world.dev_genes=0",
  "data.world.chain_hops=1",
  "data.conflict_control=true",
  "model.n_layer=1",
  "model.n_embd=32",
  "model.n_head=2",
  "model.block_size=128",
  "model.vocab_size=512",
  "sft.max_steps=20",
  "sft.batch_size=4",
  "sft.pack_length=96",
  "sft.eval_every=1000",
  "sft.save_every=1000",
  "sft.card_share=0.5",
  "sft.warmup_steps=20",
  "sft.probe_every=0",
  "eval.control=true",
  "eval.max_items_per_family=0",
  "grpo.max_steps=2",
  "grpo.prompts_per_capability=2",
  "grpo.num_generations=4",
  "grpo.max_completion_length=8",
  "grpo.beta=0",
  "grpo.save_every=100",
]);
const { items, cards } = generate(kg, config.data, 0);
let checkpoint: LiveCheckpoint;
let sftDir = "";

beforeAll(async () => {
  await initBackend("wasm", { quiet: true });
  const d = mkdtempSync(join(tmpdir(), "bbio-live-"));
  await runSft({ config, items, cards, outDir: d, sink: new MemorySink(), seed: 0, progress: false });
  sftDir = join(d, "checkpoint");
  checkpoint = {
    model: JSON.parse(readFileSync(join(sftDir, "config.json"), "utf8")).model,
    index: JSON.parse(readFileSync(join(sftDir, "weights.json"), "utf8")),
    bin: new Uint8Array(readFileSync(join(sftDir, "weights.bin"))),
    tokenizer: JSON.parse(readFileSync(join(sftDir, "tokenizer.json"), "utf8")),
  };
}, 300_000);

describe("live driver", () => {
  for (const method of ["sum", "pcgrad"] as const) {
    it(`${method}: the same per-step rewards and cosines as runGrpo, exactly, and again on a second run`, async () => {
      const settings: LiveSettings = { method, slotWeights: [3, 1], optim: "sgd", seed: 1, steps: 2 };
      const inputs = { checkpoint, grpo: config.grpo as unknown as Record<string, unknown>, items, kg: slimKG(kgTerms(kg)), scorer: score };
      const live = await runLive(inputs, settings);
      const again = await runLive(inputs, settings);
      expect(again).toEqual(live);
      const sink = new MemorySink();
      await runGrpo({
        config: { ...liveConfig(inputs, settings), data: config.data },
        items,
        kg,
        scorer: score,
        sftCheckpointDir: sftDir,
        rewardModel: null,
        alphas: Object.fromEntries(CAPABILITIES.map((c) => [c, 1])) as never,
        outDir: mkdtempSync(join(tmpdir(), "bbio-live-grpo-")),
        sink,
        progress: false,
      });
      expect(live.steps.length).toBe(2);
      expect(live.heldOut?.prompts).toBeGreaterThan(0);
      for (const s of live.steps) {
        CAPABILITIES.forEach((c, i) => {
          expect(s.rewards[i], `${c} step ${s.step}`).toBe(
            sink.metrics.find((m) => m.step === s.step && m.name === `rewards/${c}/mean`)!.value,
          );
          expect(s.coef[i]).toBe(sink.metrics.find((m) => m.step === s.step && m.name === `coef/${c}`)!.value);
        });
        const row = sink.tables
          .get("grad_gram")!
          .find((r) => r.step === s.step && r.capability_i === CAPITALS && r.capability_j === LOWER)!;
        expect(s.cos).toBe(row.cos === 0 ? null : row.cos);
      }
    }, 300_000);
  }

  it("settings the stored checkpoint's config refuses are refused before training", () => {
    const inputs = { checkpoint, grpo: config.grpo as unknown as Record<string, unknown> };
    expect(() => liveConfig(inputs, { method: "sum", slotWeights: [3, 1], optim: "sgd", seed: 1, steps: 0 })).toThrow();
  });

  it("bundles for the browser with no node: import", async () => {
    const js = await liveBundle();
    expect(js.length).toBeGreaterThan(1000);
    expect(js).not.toMatch(/from\s*["']node:|require\(["']node:/);
  }, 120_000);
});
