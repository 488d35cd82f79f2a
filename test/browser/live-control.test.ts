// The live harness on the STORED conflict-control SFT checkpoint, run only when
// BBIO_LIVE_SFT names that checkpoint (e.g. data/cache/sft/<hash>/checkpoint from `bbio train-sft conflict`):
// sum, then pcgrad, at the live defaults (LIVE_GRPO: LIVE_STEPS = 6 steps, 2 prompts per capability × 6 completions, SGD, seed 1,
// capitals : lower case = 3 : 1), each within 90 s in Chromium on wasm; sum's held-out lower-case score below pcgrad's;
// the mean slot cosine negative.
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { liveFiles } from "../../loaders/live-data.ts";
import { loadConfig } from "../../src/config/index.ts";
import type { LiveResult } from "../../src/live/driver.ts";
import { loadKG } from "../../src/kg/index.ts";
import { generate } from "../../src/mkgsg/generate.ts";
import { serveDist } from "./server.ts";

/** the live defaults: fewer prompts per step and fewer steps than the stored control (4 × 6, 12 steps) */
export const LIVE_GRPO = { prompts_per_capability: 2, num_generations: 6 };
export const LIVE_STEPS = 6;
const SFT = process.env.BBIO_LIVE_SFT ?? "";
const CHROMIUM = "/usr/bin/chromium";

describe.skipIf(!SFT || !existsSync(CHROMIUM))("live conflict control in chromium (stored SFT checkpoint)", () => {
  it("sum then pcgrad: ≤ 90 s each, sum's lower case below pcgrad's, negative cosine", async () => {
    const config = loadConfig("conflict", []);
    const kg = loadKG();
    const site = mkdtempSync(join(tmpdir(), "bbio-live-control-"));
    const grpo = { ...config.grpo, ...LIVE_GRPO } as unknown as Record<string, unknown>;
    for (const [f, b] of await liveFiles(SFT, generate(kg, config.data, config.seed).items, grpo, kg)) writeFileSync(join(site, f), b);
    const server = await serveDist(site, "/", { cleanUrls: false });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu"] });
    const out: Record<string, { seconds: number; result: LiveResult }> = {};
    try {
      for (const method of ["sum", "pcgrad"]) {
        const page = await browser.newPage();
        const t0 = Date.now();
        await page.goto(`${server.url}live.html?method=${method}&w=3:1&optim=sgd&seed=1&steps=${LIVE_STEPS}`);
        await page.waitForFunction(
          () => {
            const l = (window as never as { __live: { done: unknown; error: unknown } }).__live;
            return l.done || l.error;
          },
          null,
          { timeout: 120_000, polling: 500 },
        );
        const live = await page.evaluate(
          () => (window as never as { __live: { done: { result: LiveResult }; error: string | null } }).__live,
        );
        expect(live.error).toBeNull();
        out[method] = { seconds: (Date.now() - t0) / 1000, result: live.done.result };
        await page.close();
      }
    } finally {
      await browser.close();
      await server.close();
    }
    const cos = Object.values(out).flatMap((o) => o.result.steps.map((s) => s.cos ?? 0));
    console.log(
      JSON.stringify(Object.fromEntries(Object.entries(out).map(([m, o]) => [m, { seconds: o.seconds, heldOut: o.result.heldOut }]))),
      "mean cos",
      cos.reduce((a, b) => a + b, 0) / cos.length,
    );
    for (const o of Object.values(out)) expect(o.seconds).toBeLessThanOrEqual(90);
    expect(out.sum.result.heldOut!.lower).toBeLessThan(out.pcgrad.result.heldOut!.lower);
    expect(cos.reduce((a, b) => a + b, 0) / cos.length).toBeLessThan(0);
  }, 400_000);
});
