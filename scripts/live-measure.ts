/**
 * Measure the live page's settings on the stored conflict-control SFT checkpoint in Node on wasm (the backend the
 * browser uses): seconds per run, per-step slot rewards and cosines, held-out slot scores.
 *   npx tsx scripts/live-measure.ts <sft checkpoint dir> [steps] [prompts_per_capability] [num_generations]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../src/config/index.ts";
import { runLive } from "../src/live/driver.ts";
import { kgTerms, slimKG } from "../src/live/kg.ts";
import { loadKG } from "../src/kg/index.ts";
import { generate } from "../src/mkgsg/generate.ts";
import { score } from "../src/mkgsg/score.ts";
import { initBackend } from "../src/model/backend.ts";

const [dir, steps = "6", P = "2", G = "6"] = process.argv.slice(2);
await initBackend("wasm", { quiet: true });
const config = loadConfig("conflict", []);
const kg = loadKG();
const { items } = generate(kg, config.data, config.seed);
const checkpoint = {
  model: JSON.parse(readFileSync(join(dir, "config.json"), "utf8")).model,
  index: JSON.parse(readFileSync(join(dir, "weights.json"), "utf8")),
  bin: new Uint8Array(readFileSync(join(dir, "weights.bin"))),
  tokenizer: JSON.parse(readFileSync(join(dir, "tokenizer.json"), "utf8")),
};
const grpo = { ...config.grpo, prompts_per_capability: Number(P), num_generations: Number(G) } as unknown as Record<string, unknown>;
for (const method of ["sum", "pcgrad"] as const) {
  const t0 = performance.now();
  const r = await runLive(
    { checkpoint, grpo, items, kg: slimKG(kgTerms(kg)), scorer: score },
    { method, slotWeights: [3, 1], optim: "sgd", seed: 1, steps: Number(steps) },
  );
  const s = (performance.now() - t0) / 1000;
  console.log(
    JSON.stringify({
      method,
      seconds: +s.toFixed(1),
      heldOut: r.heldOut,
      steps: r.steps.map((x) => ({ caps: x.rewards[2].toFixed(2), lower: x.rewards[3].toFixed(2), cos: x.cos?.toFixed(3) })),
    }),
  );
}
