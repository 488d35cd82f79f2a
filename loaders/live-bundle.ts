/**
 * The live page's worker code: src/live/driver.ts — the project's own GRPO step (src/grpo/session.ts),
 * rewards (src/mkgsg/score.ts) and combination methods (src/weighting), with TF.js — bundled by esbuild into one
 * browser ES module, as analysis-bundle.ts does for src/analysis. No second implementation: the bundle is the code
 * that train.ts runs (test/live/driver.test.ts checks the driver against runGrpo and that the bundle has no node:).
 * emit.ts puts it into data/site.tar as live-worker.js; the Live page (docs/live.md) starts it as a module worker.
 */
import { browserBundle } from "./bundle.ts";

export async function liveBundle(): Promise<string> {
  return browserBundle("src/live/worker.ts", { minify: true });
}
