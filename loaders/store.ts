/**
 * Where the site's data comes from: the run store ($BBIO_DB, default data/bbio.duckdb), read through its v_* views
 * (complete runs only) with the store's own READ_ONLY opener (waits while a `bbio run` holds the file).
 *
 * A missing store is not an error for the site: the pages say "no runs yet" instead, so `npm run build` on a fresh
 * checkout with BBIO_SKIP_PIPELINE=1 still produces a working site. The loader notes it on stderr.
 */
import { existsSync } from "node:fs";
import { relative, resolve } from "node:path";
import { withDb } from "../src/store/db.ts";

export function storePath(): string {
  return resolve(process.env.BBIO_DB || "data/bbio.duckdb");
}

/** Run SQL against the store; [] when there is no store file yet. */
export async function query(sql: string, dbPath = storePath()): Promise<Record<string, unknown>[]> {
  if (!existsSync(dbPath)) {
    process.stderr.write(
      `loaders: no run store at ${relative(process.cwd(), dbPath)} — the site will say "no runs yet" (create it with: bbio suite default)\n`,
    );
    return [];
  }
  return withDb(dbPath, { readOnly: true, quiet: true }, async (db) => (await db.table(sql)).rows);
}
