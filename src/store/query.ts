/**
 * `bbio query`: the user's read-only SQL console to the store. The file is opened READ_ONLY and sandboxed (no
 * external file or network access), so neither `DELETE FROM runs` nor `COPY runs TO '...'` can change anything;
 * both come back as one clear error. By default the v_* views (complete runs only) are what a user wants; the raw
 * tables (runs, metrics, ...) include running, crashed and failed runs.
 */
import { BbioError } from "../util/errors.ts";
import { withDb, type OpenOptions } from "./db.ts";

export interface QueryResult {
  columns: { name: string; type: string }[];
  rows: Record<string, unknown>[];
}

export async function queryStore(dbPath: string, sql: string, opts: Pick<OpenOptions, "timeoutMs" | "quiet"> = {}): Promise<QueryResult> {
  if (!sql.trim()) throw new BbioError("bbio query: empty SQL", 2, `e.g. bbio query "SELECT * FROM v_runs"`);
  return withDb(dbPath, { ...opts, readOnly: true, sandbox: true }, async (db) => {
    try {
      return await db.table(sql);
    } catch (e) {
      const msg = (e as Error).message.split("\n")[0];
      if (/read-only mode|read only|external access|enable_external_access/i.test(msg))
        throw new BbioError(`bbio query is read-only: ${msg}`, 2, "bbio query only reads; the store is written by bbio run");
      throw new BbioError(
        `query failed: ${msg}`,
        2,
        "tables: runs stages metrics grad_gram grad_gram_blocks weights evals completions items rejects pairs run_params; views v_<table> show complete runs only",
      );
    }
  });
}
