// The live training harness in real Chromium: the exported files (loaders/live-data.ts) on a plain static
// server, offline; the worker trains on wasm and its per-step rewards and slot cosines equal the same driver's in Node
// on wasm within LIVE_TOLERANCE; the page answers clicks while training; a page without WebAssembly says so once.
// A tiny SFT checkpoint of the conflict control keeps this fast; the page's default settings are not measured here.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { liveFiles } from "../../loaders/live-data.ts";
// |browser − Node| allowed per step's mean reward and cosine (both wasm): the page states this same constant
import { LIVE_TOLERANCE, liveStepDifference } from "../../src/analysis/live.ts";
import { loadConfig } from "../../src/config/index.ts";
import { type LiveSettings, type LiveStep, runLive } from "../../src/live/driver.ts";
import { slimKG, kgTerms } from "../../src/live/kg.ts";
import { generate } from "../../src/mkgsg/generate.ts";
import { score } from "../../src/mkgsg/score.ts";
import { initBackend } from "../../src/model/backend.ts";
import { runSft } from "../../src/sft/sft.ts";
import { MemorySink } from "../../src/util/sink.ts";
import { kg } from "../mkgsg/helpers.ts";
import { serveDist } from "./server.ts";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"];

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
  "grpo.prompts_per_capability=2",
  "grpo.num_generations=4",
  "grpo.max_completion_length=8",
  "grpo.beta=0",
]);
const { items, cards } = generate(kg, config.data, 0);
let site = "";
let sftDir = "";

beforeAll(async () => {
  await initBackend("wasm", { quiet: true });
  const d = mkdtempSync(join(tmpdir(), "bbio-live-browser-"));
  await runSft({ config, items, cards, outDir: d, sink: new MemorySink(), seed: 0, progress: false });
  sftDir = join(d, "checkpoint");
  site = join(d, "site");
  mkdirSync(site);
  for (const [f, bytes] of await liveFiles(sftDir, items, config.grpo as unknown as Record<string, unknown>, kg))
    writeFileSync(join(site, f), bytes);
}, 300_000);

describe.skipIf(!existsSync(CHROMIUM))("live training in chromium", () => {
  it("trains in a worker on wasm, answers clicks meanwhile, and matches Node step for step", async () => {
    const settings: LiveSettings = { method: "pcgrad", slotWeights: [3, 1], optim: "sgd", seed: 1, steps: 3 };
    const server = await serveDist(site, "/", { cleanUrls: false });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}live.html?method=pcgrad&w=3:1&optim=sgd&seed=1&steps=3`);
      // the page answers input while the worker trains: each click updates the counter within 500 ms
      const clickMs: number[] = [];
      for (let i = 1; i <= 5; i++) {
        const t0 = Date.now();
        await page.click("#ping");
        await page.waitForFunction((n) => document.getElementById("pings")?.textContent === String(n), i, { timeout: 500 });
        clickMs.push(Date.now() - t0);
      }
      await page.waitForFunction(
        () =>
          (window as never as { __live: { done: unknown; error: unknown } }).__live.done ||
          (window as never as { __live: { error: unknown } }).__live.error,
        null,
        { timeout: 90_000 },
      );
      const live = await page.evaluate(
        () => (window as never as { __live: { steps: LiveStep[]; error: string | null; backend: string } }).__live,
      );
      expect(live.error).toBeNull();
      expect(live.backend).toBe("wasm");
      expect(server.requests.every((p) => !p.includes("//"))).toBe(true);
      const node = await runLive(
        {
          checkpoint: nodeCheckpoint(),
          grpo: config.grpo as unknown as Record<string, unknown>,
          items,
          kg: slimKG(kgTerms(kg)),
          scorer: score,
        },
        settings,
      );
      expect(live.steps.length).toBe(3);
      const worst = liveStepDifference(live.steps, node.steps);
      console.log(`live: browser vs Node (wasm) max |Δ| ${worst}, click latencies ${clickMs.join(", ")} ms`);
      expect(worst).toBeLessThanOrEqual(LIVE_TOLERANCE);
    } finally {
      await browser.close();
      await server.close();
    }
  }, 180_000);

  it("without WebAssembly: one clear message", async () => {
    const server = await serveDist(site, "/", { cleanUrls: false });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    try {
      const page = await browser.newPage();
      await page.addInitScript(() => {
        // biome-ignore lint/suspicious/noExplicitAny: removing a global for the test
        delete (globalThis as any).WebAssembly;
      });
      await page.goto(`${server.url}live.html`);
      await expect.poll(() => page.textContent("#status")).toMatch(/^Live training unavailable: .*WebAssembly/);
    } finally {
      await browser.close();
      await server.close();
    }
  }, 60_000);
});

function nodeCheckpoint() {
  return {
    model: JSON.parse(readFileSync(join(sftDir, "config.json"), "utf8")).model,
    index: JSON.parse(readFileSync(join(sftDir, "weights.json"), "utf8")),
    bin: new Uint8Array(readFileSync(join(sftDir, "weights.bin"))),
    tokenizer: JSON.parse(readFileSync(join(sftDir, "tokenizer.json"), "utf8")),
  };
}
