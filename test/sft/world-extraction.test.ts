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
  // one thread, as the build runs: the thread count decides the order of sums (docs/method.md §10), so the measured
  // numbers below are those of any machine
  process.env.BBIO_THREADS ??= "1";
  await initBackend(undefined, { quiet: true }); // the chain: native where built, else wasm
});

describe("tiny gene world", () => {
  it("extraction accuracy beats the unseen-gene control after SFT on cards + train QA", async () => {
    const config = loadConfig(undefined, [
      "data.world.genes=32",
      "data.world.extraction_fraction=0.5",
      "data.world.dev_genes=0",
      "data.world.variants=4",
      "data.world.chain_hops=1",
      'data.kinds=["world_chromosome","world_alias","world_process","world_location","world_band","world_function"]',
      "model.n_layer=2",
      "model.n_embd=128",
      "model.n_head=4",
      "model.block_size=128",
      "model.vocab_size=768",
      "sft.max_steps=2000",
      "sft.batch_size=8",
      "sft.pack_length=96",
      "sft.card_share=0.75",
      "sft.learning_rate=0.004",
      "sft.warmup_steps=10",
      "sft.eval_every=10000",
      "sft.save_every=10000",
      "sft.log_every=100",
      "sft.probe_every=1000",
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
    // measured (native, pinned, one thread): extraction 0.60 vs control 0.29 (n 96 each). The answer is a fixed prefix
    // no card uses, then the value. Smaller worlds or models memorise the QA format instead of extracting: 24 genes at
    // 64 wide gave 0.21–0.26 vs 0.18–0.22 (1,600–2,400 steps), 24 genes at 128 wide 0.32 vs 0.24; 32 genes at the
    // default width (128) and 2,000 steps extract
    expect(extraction.acc).toBeGreaterThan(control.acc + 0.15);
    // the capacity probe logged the curve the Data page draws
    expect(sink.metrics.filter((m) => m.name === "probe/extraction").map((m) => m.step)).toEqual([0, 1000, 2000]);
    expect(sink.metrics.some((m) => m.name === "probe/card_reads_per_gene" && m.value > 0)).toBe(true);
  }, 600_000);
});
