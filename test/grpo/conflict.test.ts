// The conflict control on a tiny run: two capabilities answering the SAME prompts in opposite letter case must show
// clearly negative policy-gradient cosines under plain GRPO — the instruments see interference when it is there.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { CAPABILITIES, runGrpo } from "../../src/grpo/train.ts";
import { initBackend } from "../../src/model/backend.ts";
import { generate } from "../../src/mkgsg/generate.ts";
import { score } from "../../src/mkgsg/score.ts";
import { runSft } from "../../src/sft/sft.ts";
import { MemorySink } from "../../src/util/sink.ts";
import { kg } from "../mkgsg/helpers.ts";

const config = loadConfig(undefined, [
  "data.world.genes=8",
  "data.world.extraction_fraction=0.5",
  "data.world.dev_genes=0",
  "data.world.chain_hops=1",
  "data.conflict_control=true",
  "model.n_layer=2",
  "model.n_embd=64",
  "model.n_head=4",
  "model.block_size=128",
  "model.vocab_size=512",
  "sft.max_steps=400",
  "sft.batch_size=8",
  "sft.pack_length=96",
  "sft.eval_every=1000",
  "sft.save_every=1000",
  "sft.card_share=0.5",
  "sft.warmup_steps=20",
  "sft.probe_every=0",
  "eval.control=true",
  "eval.max_items_per_family=0",
  "grpo.method=sum",
  "grpo.max_steps=4",
  "grpo.prompts_per_capability=4",
  "grpo.num_generations=6",
  "grpo.max_completion_length=12",
  "grpo.alpha=1",
  "grpo.beta=0",
  "grpo.save_every=100",
]);
const { items, cards } = generate(kg, config.data, 0);
let sftDir = "";

beforeAll(async () => {
  await initBackend(undefined, { quiet: true });
  const d = mkdtempSync(join(tmpdir(), "bbio-conflict-"));
  await runSft({ config, items, cards, outDir: d, sink: new MemorySink(), seed: 0, progress: false });
  sftDir = join(d, "checkpoint");
}, 300_000);

describe("conflict control", () => {
  it("opposite-case capabilities on the same prompts have negative gradient cosines under sum", async () => {
    const sink = new MemorySink();
    await runGrpo({
      config,
      items,
      kg,
      scorer: score,
      sftCheckpointDir: sftDir,
      rewardModel: null,
      alphas: Object.fromEntries(CAPABILITIES.map((c) => [c, 1])) as never,
      outDir: mkdtempSync(join(tmpdir(), "bbio-conflict-grpo-")),
      sink,
      seed: 0,
    });
    const pair = sink.tables
      .get("grad_gram")!
      .filter((r) => r.capability_i === "instruction" && r.capability_j === "integration" && r.cos !== 0);
    expect(pair.length).toBeGreaterThan(0);
    const mean = pair.reduce((a, r) => a + (r.cos as number), 0) / pair.length;
    console.log(
      `conflict control: mean cos(instruction = upper case, integration = lower case) ${mean.toFixed(3)} over ${pair.length} steps`,
    );
    expect(mean).toBeLessThan(-0.2);
  }, 300_000);
});
