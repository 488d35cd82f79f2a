/**
 * The run store: a DuckDB file written in short transactions (see db.ts for why it is never held open).
 *
 * Lifecycle of a run, from the reader's side atomic:
 *   startRun      → runs row with status 'running' (+ pid); invisible to v_* views
 *   stage rows    → written by StoreSink flushes / replaceStageRows, always as (run_id, stage) units
 *   finishRun     → status 'complete' only after the last stage; v_* views now show every row of it at once;
 *                   or 'stopped' when a stage command (`bbio train-sft`, `rm-train`, `grpo`) ran only up to its stage:
 *                   never complete, so no page shows a run that has no evaluation; `bbio run` later resumes it
 *   failRun       → status 'failed' with the error; a kill -9 leaves 'running' with a dead pid = crashed
 */
import { BbioError } from "../util/errors.ts";
import { canonicalJson } from "../util/hash.ts";
import { pidAlive } from "../util/lock.ts";
import { withDb, num, type Db, type OpenOptions } from "./db.ts";
import { ddl, MIGRATIONS, SCHEMA_VERSION, RUN_TABLES, DATA_TABLES, TABLE_BY_NAME, storeNames } from "./schema.ts";

export interface RunStart {
  id: string;
  name: string;
  config: unknown;
  configHash: string;
  seed: number;
  backend: string;
  /** JSON of the float settings (src/model/float.ts), or null for a backend without any */
  float?: string | null;
  gitCommit: string | null;
  gitDirty: boolean | null;
  method: string | null;
  pid: number;
  /** the input hash each planned stage will have: a COMPLETE run whose recorded hashes differ (a stage's code version
   *  was bumped) is taken over like an interrupted one, so the runner recomputes what is stale */
  stageHashes?: Record<string, string>;
}

export type RunStatus = "running" | "complete" | "stopped" | "failed" | "crashed";

export interface RunRow {
  id: string;
  name: string;
  status: RunStatus;
  method: string | null;
  seed: number;
  backend: string | null;
  float_settings: string | null;
  config_hash: string;
  data_hash: string | null;
  git_commit: string | null;
  git_dirty: boolean | null;
  pid: number | null;
  created_at: string;
  updated_at: string;
  error: string | null;
  /** status 'stopped': the last stage the run recorded (its stage records are exactly the stages that ran) */
  stopped_after: string | null;
}

export interface StageRow {
  run_id: string;
  stage: string;
  input_hash: string;
  status: string;
  reused: boolean;
  started_at: string | null;
  finished_at: string | null;
  seconds: number | null;
  artefact_dir: string;
}

/** A row destined for a run-scoped table, as spooled (run_id/stage are added when written). */
export interface StageTableRow {
  table: string;
  row: Record<string, unknown>;
}

/** One liveness probe for the whole workbench (src/util/lock.ts). */
export { pidAlive };

export { defaultDbPath } from "./paths.ts";

export class Store {
  constructor(
    readonly path: string,
    readonly opts: Omit<OpenOptions, "readOnly"> = {},
  ) {}

  /** One write transaction; the schema is created on first use. */
  write<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    return withDb(this.path, { ...this.opts, readOnly: false }, async (db) => {
      await ensureSchema(db);
      return fn(db);
    });
  }

  /** Read-only access (the file must exist). Writes inside fn fail with DuckDB's read-only error. */
  read<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    return withDb(this.path, { ...this.opts, readOnly: true }, async (db) => {
      await checkSchema(db);
      return fn(db);
    });
  }

  // ---- runs ---------------------------------------------------------------------------------------------------

  /** Insert the run (status 'running') or take over an earlier attempt of the same config. Returns the prior status. */
  async startRun(r: RunStart): Promise<{ previous: RunStatus | null; stale: string[] }> {
    return this.write(async (db) => {
      const prev = await db.all<{ status: string; pid: unknown }>(`SELECT status, pid FROM runs WHERE id = ?`, [r.id]);
      let previous: RunStatus | null = null;
      let stale: string[] = [];
      if (prev.length) {
        const pid = num(prev[0].pid);
        previous = prev[0].status as RunStatus;
        if (previous === "complete") {
          const rec = await db.all<{ stage: string; input_hash: string }>(`SELECT stage, input_hash FROM stages WHERE run_id = ?`, [r.id]);
          stale = Object.entries(r.stageHashes ?? {})
            .filter(([st, h]) => rec.find((x) => x.stage === st)?.input_hash !== h)
            .map(([st]) => st);
          if (stale.length === 0) return { previous, stale };
        }
        if (previous === "running" && pid !== process.pid && pidAlive(pid))
          throw new BbioError(
            `run ${r.id} (${r.name}) is already being computed by pid ${pid}`,
            2,
            "wait for it, or kill it and re-run to resume",
          );
        if (previous === "running") previous = "crashed";
        await db.run(
          `UPDATE runs SET status = 'running', pid = ?, backend = ?, float_settings = ?, git_commit = ?, git_dirty = ?, name = ?,
             method = ?, error = NULL, updated_at = now() WHERE id = ?`,
          [r.pid, r.backend, r.float ?? null, r.gitCommit, r.gitDirty, r.name, r.method, r.id],
        );
      } else {
        await db.run(
          `INSERT INTO runs (id, name, config, config_hash, seed, backend, float_settings, git_commit, git_dirty, data_hash, method,
             status, pid, created_at, updated_at, error)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, 'running', ?, now(), now(), NULL)`,
          [
            r.id,
            r.name,
            canonicalJson(r.config),
            r.configHash,
            r.seed,
            r.backend,
            r.float ?? null,
            r.gitCommit,
            r.gitDirty,
            r.method,
            r.pid,
          ],
        );
      }
      await db.run(`DELETE FROM run_params WHERE run_id = ?`, [r.id]);
      await db.append(
        "run_params",
        flatten(r.config).map(([key, value]) => ({ run_id: r.id, key, value })),
      );
      return { previous, stale };
    });
  }

  async setDataHash(runId: string, dataHash: string): Promise<void> {
    await this.write((db) => db.run(`UPDATE runs SET data_hash = ?, updated_at = now() WHERE id = ?`, [dataHash, runId]));
  }

  /** status 'complete', or 'stopped' for a run that ran only its first stages (every recorded stage must be complete) */
  async finishRun(runId: string, status: "complete" | "stopped" = "complete"): Promise<void> {
    await this.write(async (db) => {
      const open = await db.all(`SELECT stage FROM stages WHERE run_id = ? AND status <> 'complete'`, [runId]);
      if (open.length) throw new Error(`finishRun: stages not complete: ${open.map((s) => (s as { stage: string }).stage).join(", ")}`);
      await db.run(`UPDATE runs SET status = ?, error = NULL, updated_at = now() WHERE id = ?`, [status, runId]);
    });
  }

  async failRun(runId: string, error: string): Promise<void> {
    await this.write((db) =>
      db.run(`UPDATE runs SET status = 'failed', error = ?, updated_at = now() WHERE id = ? AND status <> 'complete'`, [error, runId]),
    );
  }

  /** All runs (status 'running' with a dead pid reported as 'crashed'), newest first. */
  async listRuns(opts: { completeOnly?: boolean } = {}): Promise<RunRow[]> {
    return this.read(async (db) => {
      const rows = await db.all<Record<string, unknown>>(
        // a stopped run's stages finished one after another, so its last-finished stage is where it stopped
        `SELECT id, name, status, method, seed, backend, float_settings, config_hash, data_hash, git_commit, git_dirty, pid,
                strftime(created_at, '%Y-%m-%dT%H:%M:%S') AS created_at, strftime(updated_at, '%Y-%m-%dT%H:%M:%S') AS updated_at, error,
                CASE WHEN status = 'stopped' THEN (SELECT s.stage FROM stages s WHERE s.run_id = r.id ORDER BY s.finished_at DESC LIMIT 1) END AS stopped_after
         FROM ${opts.completeOnly ? "v_runs" : "runs"} r ORDER BY created_at DESC, id`,
      );
      return rows.map((r) => {
        const pid = num(r.pid);
        let status = r.status as RunStatus;
        if (status === "running" && !pidAlive(pid)) status = "crashed";
        return { ...(r as unknown as RunRow), status, seed: num(r.seed) ?? 0, pid };
      });
    });
  }

  async listStages(runId?: string): Promise<StageRow[]> {
    return this.read(async (db) => {
      const rows = await db.all<Record<string, unknown>>(
        `SELECT run_id, stage, input_hash, status, reused, strftime(started_at, '%Y-%m-%dT%H:%M:%S') AS started_at,
                strftime(finished_at, '%Y-%m-%dT%H:%M:%S') AS finished_at, seconds, artefact_dir
         FROM stages ${runId ? "WHERE run_id = ?" : ""} ORDER BY run_id, started_at`,
        runId ? [runId] : [],
      );
      return rows.map((r) => ({ ...(r as unknown as StageRow), seconds: num(r.seconds) }));
    });
  }

  // ---- stages -------------------------------------------------------------------------------------------------

  async stageStart(runId: string, stage: string, inputHash: string, artefactDir: string): Promise<void> {
    await this.write(async (db) => {
      await db.run(`DELETE FROM stages WHERE run_id = ? AND stage = ?`, [runId, stage]);
      await db.run(`INSERT INTO stages VALUES (?, ?, ?, 'running', false, now(), NULL, NULL, ?)`, [runId, stage, inputHash, artefactDir]);
    });
  }

  /**
   * Mark a stage complete, in the same transaction as (optionally) replacing its rows from the spool and writing
   * data-scoped rows — so a stage is never recorded complete with half its rows.
   */
  async stageFinish(
    runId: string,
    stage: string,
    info: { inputHash: string; artefactDir: string; reused: boolean; seconds: number; startedAt: Date },
    payload: { stageRows?: StageTableRow[]; dataRows?: { dataHash: string; table: string; rows: Record<string, unknown>[] }[] } = {},
  ): Promise<void> {
    await this.write(async (db) => {
      if (payload.stageRows) await replaceStageRowsIn(db, runId, stage, payload.stageRows);
      for (const d of payload.dataRows ?? []) await replaceDataRowsIn(db, d.dataHash, d.table, d.rows);
      await db.run(`DELETE FROM stages WHERE run_id = ? AND stage = ?`, [runId, stage]);
      await db.run(`INSERT INTO stages VALUES (?, ?, ?, 'complete', ?, CAST(? AS TIMESTAMP), now(), ?, ?)`, [
        runId,
        stage,
        info.inputHash,
        info.reused,
        utcStamp(info.startedAt),
        info.seconds,
        info.artefactDir,
      ]);
    });
  }

  async stageFailed(runId: string, stage: string): Promise<void> {
    await this.write((db) =>
      db.run(`UPDATE stages SET status = 'failed', finished_at = now() WHERE run_id = ? AND stage = ?`, [runId, stage]),
    );
  }

  /** Remove stage records of stages this run no longer has (e.g. config now sft-only). */
  async pruneStages(runId: string, keep: readonly string[]): Promise<void> {
    await this.write(async (db) => {
      const list = keep.map(() => "?").join(", ");
      const cond = keep.length ? `AND stage NOT IN (${list})` : "";
      await db.run(`DELETE FROM stages WHERE run_id = ? ${cond}`, [runId, ...keep]);
      for (const t of RUN_TABLES) await db.run(`DELETE FROM ${t} WHERE run_id = ? ${cond}`, [runId, ...keep]);
    });
  }

  async hasData(table: string, dataHash: string): Promise<boolean> {
    return this.write(async (db) => {
      const r = await db.all<{ n: unknown }>(`SELECT count(*) AS n FROM ${table} WHERE data_hash = ?`, [dataHash]);
      return (num(r[0].n) ?? 0) > 0;
    });
  }
}

/** 'YYYY-MM-DD HH:MM:SS.mmm' in UTC, the form DuckDB casts to TIMESTAMP. */
function utcStamp(d: Date): string {
  return d.toISOString().replace("T", " ").replace("Z", "");
}

/** Replace every row of (run, stage) in the run-scoped tables with `rows` (idempotent: replays never duplicate). */
export async function replaceStageRowsIn(db: Db, runId: string, stage: string, rows: readonly StageTableRow[]): Promise<void> {
  for (const t of RUN_TABLES) await db.run(`DELETE FROM ${t} WHERE run_id = ? AND stage = ?`, [runId, stage]);
  await appendStageRows(db, runId, stage, rows);
}

export async function appendStageRows(db: Db, runId: string, stage: string, rows: readonly StageTableRow[]): Promise<void> {
  const byTable = new Map<string, Record<string, unknown>[]>();
  for (const { table, row } of rows) {
    const list = byTable.get(table) ?? [];
    list.push({ ...row, run_id: runId, stage });
    byTable.set(table, list);
  }
  for (const [table, list] of byTable) await db.append(table, list);
}

export async function replaceDataRowsIn(db: Db, dataHash: string, table: string, rows: readonly Record<string, unknown>[]): Promise<void> {
  if (!DATA_TABLES.includes(table)) throw new Error(`replaceDataRows: "${table}" is not a data table`);
  await db.run(`DELETE FROM ${table} WHERE data_hash = ?`, [dataHash]);
  await db.append(
    table,
    rows.map((r) => ({ ...storeNames(table, r), data_hash: dataHash })),
  );
}

async function ensureSchema(db: Db): Promise<void> {
  const have = await db.all<{ n: unknown }>(
    `SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'schema_version' AND table_schema = 'main'`,
  );
  if ((num(have[0].n) ?? 0) === 0) {
    for (const stmt of ddl()) await db.run(stmt);
    await db.run(`INSERT INTO schema_version VALUES (?, now())`, [SCHEMA_VERSION]);
    return;
  }
  await migrate(db);
  await checkSchema(db);
}

/** Apply the migrations (schema.ts MIGRATIONS) to a writable store of an older version, one version at a time. */
async function migrate(db: Db): Promise<void> {
  let v = await storedVersion(db);
  while (v !== null && v < SCHEMA_VERSION && MIGRATIONS[v]) {
    const columns = await db.all<{ t: string; c: string }>(
      `SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = 'main'`,
    );
    const have = new Set(columns.map((x) => `${x.t}.${x.c}`));
    for (const stmt of MIGRATIONS[v]((table, column) => have.has(`${table}.${column}`))) await db.run(stmt);
    await db.run(`INSERT INTO schema_version VALUES (?, now())`, [v + 1]);
    v++;
  }
}

async function storedVersion(db: Db): Promise<number | null> {
  try {
    return num((await db.all<{ version: unknown }>(`SELECT max(version) AS version FROM schema_version`))[0]?.version);
  } catch {
    return null;
  }
}

async function checkSchema(db: Db): Promise<void> {
  let v: number | null = null;
  try {
    v = num((await db.all<{ version: unknown }>(`SELECT max(version) AS version FROM schema_version`))[0]?.version);
  } catch {
    throw new BbioError(`store ${db.path} is not a bbio run store (no schema_version table)`, 2, "pass another --db file");
  }
  if (v !== SCHEMA_VERSION)
    throw new BbioError(
      `store ${db.path} has schema version ${v}, this bbio expects ${SCHEMA_VERSION}`,
      2,
      v !== null && v < SCHEMA_VERSION && MIGRATIONS[v]
        ? "open it once for writing (e.g. bbio run) to migrate it in place, or use a new --db file"
        : "use a new --db file (stores are cheap to rebuild: cached stages are reused)",
    );
}

/** {a: {b: 1, c: [2]}} → [["a.b", "1"], ["a.c", "[2]"]]: leaves as JSON text. */
export function flatten(value: unknown, prefix = ""): [string, string][] {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    return Object.keys(value as object)
      .sort()
      .flatMap((k) => flatten((value as Record<string, unknown>)[k], prefix ? `${prefix}.${k}` : k));
  }
  return [[prefix, JSON.stringify(value ?? null)]];
}

/** Validate a row bound for a run-scoped table: known table, known columns, no run_id/stage (the sink adds those). */
export function checkStageRow(table: string, row: Record<string, unknown>): void {
  const def = TABLE_BY_NAME.get(table);
  if (def?.scope !== "run") throw new Error(`sink: unknown table "${table}" (run-scoped tables: ${RUN_TABLES.join(", ")})`);
  for (const k of Object.keys(row)) {
    if (k === "run_id" || k === "stage") throw new Error(`sink: ${table} row must not set "${k}" (the run store adds it)`);
    if (!def.columns.some((c) => c.name === k))
      throw new Error(`sink: ${table} has no column "${k}" (columns: ${def.columns.map((c) => c.name).join(", ")})`);
  }
}
