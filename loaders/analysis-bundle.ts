/**
 * src/analysis (pure TS, browser-safe: Pareto, hypervolume, smoothing, Δm, summaries, and the pages' logic — claim
 * verdicts, headline table, capability-space points, the shared capability and method lists) as ONE browser ES module, so the
 * pages run exactly the code the CLI and the unit tests run — no copy under docs/. Framework cannot import files
 * outside its root (docs/), so the site loader bundles it into data/site.tar (emit.ts) and pages do
 *     const A = await import(FileAttachment("data/site/analysis.js").href)
 * (`loadAnalysis()` in docs/components/store.js). esbuild is already installed with Framework.
 */
import { browserBundle } from "./bundle.ts";

export async function analysisBundle(): Promise<string> {
  const text = await browserBundle("src/analysis/index.ts");
  // esbuild names no absolute paths in non-minified output except in comments: strip `// <path>` banners anyway
  return text.replace(/^\/\/ .*src\/analysis\/.*$/gm, "");
}
