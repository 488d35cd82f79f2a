/**
 * The store, cut down for the static site: a separate small .duckdb file holding only complete runs' rows (the v_*
 * views materialised as plain tables named like the originals: runs, metrics, grad_gram, ...), plus `export_meta`.
 *
 * The browser runs DuckDB-WASM 1.29 (= DuckDB 1.1.1), older than node-api's 1.5.6, so the file is written with
 * STORAGE_VERSION 'v1.1.0' — a format 1.1.x reads. Written to a temp file and renamed: a loader never serves half a file.
 * The source store is only ATTACHed READ_ONLY (and waited for while another process writes it).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, basename, resolve } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { BbioError } from "../util/errors.ts";
import { sameFile } from "../util/fsx.ts";
import { defaultTimeoutMs, retryWhileBusy } from "./db.ts";
import { SCHEMA_VERSION, TABLES } from "./schema.ts";

export interface ExportOptions {
  /** DuckDB storage format of the output; 'v1.1.0' is readable by DuckDB-WASM 1.29 (DuckDB 1.1.1) */
  storageVersion?: string;
  /** also copy running/failed runs (debugging only: the site must show complete runs) */
  includeIncomplete?: boolean;
  timeoutMs?: number;
  /** provenance to record in export_meta (e.g. git commit, build time) */
  meta?: Record<string, string>;
}

const sq = (s: string) => `'${s.replaceAll("'", "''")}'`;

export async function exportForSite(
  dbPath: string,
  outPath: string,
  opts: ExportOptions = {},
): Promise<{ runs: number; rows: Record<string, number> }> {
  if (!existsSync(dbPath)) throw new BbioError(`store ${dbPath} does not exist yet`, 2, "create it with: bbio run (or bbio suite)");
  const out = resolve(outPath);
  // export replaces its output by rename: pointed at its own source (directly, via a symlink or a hard link) it would
  // replace the run store with the site's cut-down copy, losing every crashed and failed run
  if (sameFile(dbPath, out))
    throw new BbioError(
      `bbio export: the output ${outPath} is the store it reads (${dbPath}); exporting would overwrite the store`,
      2,
      "give another output file, e.g. bbio export site.duckdb",
    );
  if (existsSync(out) && statSync(out).isDirectory())
    throw new BbioError(`bbio export: the output ${outPath} is a directory`, 2, `give a file path, e.g. ${join(outPath, "bbio.duckdb")}`);
  mkdirSync(dirname(out), { recursive: true });
  const tmp = join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
  rmSync(tmp, { force: true });
  rmSync(tmp + ".wal", { force: true });
  const inst = await DuckDBInstance.create(":memory:");
  const con = await inst.connect();
  const counts: Record<string, number> = {};
  try {
    await retryWhileBusy(dbPath, { timeoutMs: opts.timeoutMs ?? defaultTimeoutMs() }, () =>
      con.run(`ATTACH ${sq(resolve(dbPath))} AS src (READ_ONLY)`),
    );
    await con.run(`ATTACH ${sq(tmp)} AS site (STORAGE_VERSION ${sq(opts.storageVersion ?? "v1.1.0")})`);
    for (const t of TABLES) {
      if (t.name === "schema_version") continue;
      const from = opts.includeIncomplete ? `src.main.${t.name}` : `src.main.v_${t.name}`; // every table has its v_ view
      await con.run(`CREATE TABLE site.main.${t.name} AS SELECT * FROM ${from}`);
      const n = (await con.runAndReadAll(`SELECT count(*) AS n FROM site.main.${t.name}`)).getRowObjectsJson()[0].n;
      counts[t.name] = Number(n);
    }
    const meta: Record<string, string> = {
      schema_version: String(SCHEMA_VERSION),
      exported_at: new Date().toISOString(),
      runs: String(counts.runs),
      ...opts.meta,
    };
    await con.run(`CREATE TABLE site.main.export_meta (key VARCHAR, value VARCHAR)`);
    for (const [k, v] of Object.entries(meta)) await con.run(`INSERT INTO site.main.export_meta VALUES (?, ?)`, [k, v]);
    await con.run(`DETACH site`);
    await con.run(`DETACH src`);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    con.closeSync();
    inst.closeSync();
  }
  renameSync(tmp, out);
  return { runs: counts.runs, rows: counts };
}

/** The same export as bytes (for a Framework loader that prints the file to stdout). */
export async function exportForSiteBytes(dbPath: string, opts: ExportOptions = {}): Promise<Uint8Array> {
  const tmp = join(dirname(resolve(dbPath)), `.site-export.${process.pid}.duckdb`);
  try {
    await exportForSite(dbPath, tmp, opts);
    return readFileSync(tmp);
  } finally {
    rmSync(tmp, { force: true });
  }
}
