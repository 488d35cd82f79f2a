/**
 * The one loader entry point. Framework only finds data loaders under docs/, so each file the pages read has a
 * one-line entry there — docs/data/<file>.ts — that calls `emit("<file>")`; all the code lives here in loaders/.
 * A loader prints exactly one file to stdout (Arrow IPC stream, or JSON for build.json) and logs to stderr.
 */
import { toArrowIPC } from "./arrow.ts";
import { buildMeta } from "./meta.ts";
import { OUTPUT_BY_FILE } from "./outputs.ts";
import { query } from "./store.ts";

/** The bytes of one site file (pure of stdout: tests call this). */
export async function render(file: string, dbPath?: string): Promise<Uint8Array> {
  if (file === "build.json") return new TextEncoder().encode(JSON.stringify(await buildMeta(dbPath), null, 1));
  const out = OUTPUT_BY_FILE.get(file);
  if (!out) throw new Error(`loaders: unknown site file "${file}" (known: build.json, ${[...OUTPUT_BY_FILE.keys()].join(", ")})`);
  return toArrowIPC(out.schema, await query(out.sql, dbPath));
}

export async function emit(file: string): Promise<void> {
  const t0 = performance.now();
  const bytes = await render(file);
  await new Promise<void>((res, rej) => process.stdout.write(bytes, (e) => (e ? rej(e) : res())));
  process.stderr.write(`loaders: ${file} ${(bytes.length / 1024).toFixed(1)} KiB in ${((performance.now() - t0) / 1000).toFixed(2)} s\n`);
}
