// A tiny gene world that a small model, overfitted on its cards and train QA, answers about extraction genes (card read,
// QA never seen) above the unseen-gene control: the experiment design works end to end in CI time.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { initBackend } from "../../src/model/backend.ts";
import { loadCheckpoint } from "../../src/model/checkpoint.ts";
import { clozeCorrect } from "../../src/sft/cloze.ts";
import { generate } from "../../src/mkgsg/generate.ts";
import type { Item } from "../../src/mkgsg/types.ts";
import { runSft } from "../../src/sft/sft.ts";
import { MemorySink } from "../../src/util/sink.ts";
import { kg } from "../mkgsg/helpers.ts";

beforeAll(async () => {
  await initBackend(undefined, { quiet: true }); // the chain: native where built, else wasm
});

describe("tiny gene world", () => {
  it("extraction accuracy beats the unseen-gene control after SFT on cards + train QA", async () => {
    const config = loadConfig(undefined, [
      "data.world.genes=24",
      "data.world.variants=4",
      "data.world.chain_hops=1",
      'data.kinds=["world_chromosome","world_alias","world_process","world_location","world_band","world_function"]',
      "model.n_layer=2",
      "model.n_embd=64",
      "model.n_head=4",
      "model.block_size=128",
      "model.vocab_size=768",
      "sft.max_steps=1600",
      "sft.batch_size=8",
      "sft.pack_length=96",
      "sft.card_share=0.75",
      "sft.learning_rate=0.004",
      "sft.warmup_steps=10",
      "sft.eval_every=10000",
      "sft.save_every=10000",
      "sft.log_every=100",
      "sft.probe_every=800",
      "sft.probe_items=12",
    ]);
    const { items, cards } = generate(kg, config.data, 0);
    const dir = mkdtempSync(join(tmpdir(), "bbio-world-"));
    const sink = new MemorySink();
    await runSft({ config, items, cards, outDir: dir, sink, seed: 0, progress: false });
    const { model, tokenizer } = await loadCheckpoint(join(dir, "checkpoint"));
    const acc = async (split: Item["split"]) => {
      const xs = items.filter((it) => it.split === split && it.family === "knowledge");
      let hits = 0;
      for (const it of xs) hits += (await clozeCorrect(model, tokenizer, it)) ?? 0;
      return { acc: hits / xs.length, n: xs.length };
    };
    const train = await acc("train"),
      extraction = await acc("eval"),
      control = await acc("control");
    model.dispose();
    console.log(
      `tiny world: train-QA ${train.acc.toFixed(2)}, extraction ${extraction.acc.toFixed(2)} (n ${extraction.n}), control ${control.acc.toFixed(2)} (n ${control.n})`,
    );
    expect(train.acc).toBeGreaterThan(0.9);
    // measured (native): extraction 0.47 vs control 0.22 (n 72 each). The answer is a fixed prefix no card uses, then
    // the value: with 6 train genes (a 12-gene world) the QA format was memorised, not learned as extraction
    // (extraction 0.29 = control); 12 train genes and 1600 steps extract
    expect(extraction.acc).toBeGreaterThan(control.acc + 0.15);
    // the capacity probe logged the curve the Data page draws
    expect(sink.metrics.filter((m) => m.name === "probe/extraction").map((m) => m.step)).toEqual([0, 800, 1600]);
    expect(sink.metrics.some((m) => m.name === "probe/card_reads_per_gene" && m.value > 0)).toBe(true);
  }, 600_000);
});
