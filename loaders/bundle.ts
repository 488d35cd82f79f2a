/**
 * One browser ES module from a project entry point, bundled by esbuild (installed with Framework): how the site ships
 * the project's own TypeScript to the pages (analysis-bundle.ts) and to the Live page's worker (live-bundle.ts), so the
 * browser runs exactly the code the CLI and the tests run.
 */
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

/** `entry` relative to the repository root, e.g. "src/analysis/index.ts" */
export async function browserBundle(entry: string, opts: { minify?: boolean } = {}): Promise<string> {
  const r = await build({
    entryPoints: [fileURLToPath(new URL(`../${entry}`, import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    legalComments: "none",
    minify: opts.minify ?? false,
    sourcemap: false,
    logLevel: "error",
  });
  return r.outputFiles[0].text;
}
