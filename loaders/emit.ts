/**
 * The loader entry points. Framework only finds data loaders under docs/, so the site's data comes from ONE thin
 * entry there — docs/data/site.tar.ts — that calls `emitSite()`; all the code lives here in loaders/.
 *
 * Why one archive and not one loader per file: Framework spawns a `tsx` process per loader (~1.5 s each on the 2-core
 * CI machine, mostly start-up) and runs them one after another; a dozen files cost ~20 s of every build. One process
 * opens the store once and writes every file into `site.tar`; pages read members as `FileAttachment("data/site/x")`
 * (Framework extracts them at build time; dist/ has plain files under _file/data/site/).
 *
 * Members: every Arrow file of outputs.ts, build.json (provenance, meta.ts), sweep.json (the ablation sweep's expected
 * runs, sweep.ts), analysis.js (src/analysis bundled for the browser, analysis-bundle.ts) and the live page's files
 * (live-data.ts: the conflict control's SFT checkpoint, the worker bundle, TF.js's .wasm binaries). A loader prints exactly one file to stdout and logs to stderr.
 *
 * By hand: `BBIO_DB=data/bbio.duckdb npx tsx loaders/print.ts scores.arrow > /tmp/scores.arrow`.
 */
import { analysisBundle } from "./analysis-bundle.ts";
import { toArrowIPC } from "./arrow.ts";
import { LIVE_SITE_FILES, liveSiteFiles } from "./live-data.ts";
import { buildMeta } from "./meta.ts";
import { OUTPUTS, OUTPUT_BY_FILE } from "./outputs.ts";
import { query } from "./store.ts";
import { tar } from "./tar.ts";
import { sweepSpec } from "./sweep.ts";

/** every member of site.tar, in archive order */
export const SITE_FILES: readonly string[] = [...OUTPUTS.map((o) => o.file), "build.json", "sweep.json", "analysis.js", ...LIVE_SITE_FILES];

// the live page's files come from one export (checkpoint lookup, worker bundle): made once per process
let live: Promise<Map<string, Uint8Array>> | null = null;

/** The bytes of one site file (pure of stdout: tests call this). */
export async function render(file: string, dbPath?: string): Promise<Uint8Array> {
  if (file === "build.json") return new TextEncoder().encode(JSON.stringify(await buildMeta(dbPath), null, 1));
  if (file === "sweep.json") return new TextEncoder().encode(JSON.stringify(sweepSpec()));
  if (file === "analysis.js") return new TextEncoder().encode(await analysisBundle());
  if (LIVE_SITE_FILES.includes(file)) {
    live ??= liveSiteFiles();
    return (await live).get(file)!;
  }
  const out = OUTPUT_BY_FILE.get(file);
  if (!out) throw new Error(`loaders: unknown site file "${file}" (known: ${SITE_FILES.join(", ")})`);
  return toArrowIPC(out.schema, await query(out.sql, dbPath));
}

/** The whole archive: every site file. */
export async function renderSite(dbPath?: string): Promise<{ bytes: Uint8Array; sizes: [string, number][] }> {
  const files: [string, Uint8Array][] = [];
  for (const f of SITE_FILES) files.push([f, await render(f, dbPath)]); // sequential: one READ_ONLY store handle at a time
  return { bytes: tar(files), sizes: files.map(([f, b]) => [f, b.length]) };
}

async function write(bytes: Uint8Array): Promise<void> {
  await new Promise<void>((res, rej) => process.stdout.write(bytes, (e) => (e ? rej(e) : res())));
}

export async function emitSite(): Promise<void> {
  const t0 = performance.now();
  const { bytes, sizes } = await renderSite();
  await write(bytes);
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  process.stderr.write(
    `loaders: site.tar ${kib(bytes.length)} in ${((performance.now() - t0) / 1000).toFixed(2)} s (${sizes.map(([f, n]) => `${f} ${kib(n)}`).join(", ")})\n`,
  );
}

export async function emit(file: string): Promise<void> {
  const t0 = performance.now();
  const bytes = await render(file);
  await write(bytes);
  process.stderr.write(`loaders: ${file} ${(bytes.length / 1024).toFixed(1)} KiB in ${((performance.now() - t0) / 1000).toFixed(2)} s\n`);
}
