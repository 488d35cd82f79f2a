/**
 * `bbio query`: the user's read-only SQL console to the store. The file is opened READ_ONLY and sandboxed (no
 * external file or network access), so neither `DELETE FROM runs` nor `COPY runs TO '...'` can change anything;
 * both come back as one clear error. By default the v_* views (complete runs only) are what a user wants; the raw
 * tables (runs, metrics, ...) include running, crashed and failed runs.
 */
import { BbioError } from "../util/errors.ts";
import { RowLimitError, withDb, type OpenOptions } from "./db.ts";

export interface QueryResult {
  columns: { name: string; type: string }[];
  rows: Record<string, unknown>[];
}

/** Default row limit of `bbio query` (--max-rows): printing more is never useful, and holding many more exhausts V8. */
export const DEFAULT_MAX_ROWS = 100_000;

export async function queryStore(
  dbPath: string,
  sql: string,
  opts: Pick<OpenOptions, "timeoutMs" | "quiet"> & { maxRows?: number } = {},
): Promise<QueryResult> {
  const maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
  if (!sql.trim()) throw new BbioError("bbio query: empty SQL", 2, `e.g. bbio query "SELECT * FROM v_runs"`);
  return withDb(dbPath, { ...opts, readOnly: true, sandbox: true }, async (db) => {
    try {
      return await db.table(sql, maxRows);
    } catch (e) {
      if (e instanceof RowLimitError)
        throw new BbioError(
          `bbio query: the result has more than ${maxRows} rows (the --max-rows limit)`,
          2,
          "aggregate or add a LIMIT to the query, or raise --max-rows",
        );
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
