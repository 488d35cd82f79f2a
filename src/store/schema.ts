/**
 * The run store's schema, in one place: every table, its columns and what a row means.
 *
 * Long/tidy format throughout (one row per run × stage × step × name), so SQL and pages pivot freely.
 * Run-scoped tables carry (run_id, stage): a stage's rows are replaced as a unit when the stage resumes or is reused
 * from the cache by another run. Data-scoped tables (items, rejects, pairs) are keyed by data_hash, shared by every run
 * that used the same generated data.
 *
 * JSON-valued columns are VARCHAR on purpose: DuckDB-WASM in the offline site has no json extension, so pages parse
 * them in JS; anything a page must filter on in SQL gets its own column (or the flattened `run_params` table).
 *
 * Readers use the v_* views, which show only rows of complete runs (a crashed or running run is invisible to them).
 */

export const SCHEMA_VERSION = 4;

/**
 * Migrations of an existing store to SCHEMA_VERSION: MIGRATIONS[v] takes a version-v store to v + 1 and runs when
 * the store is opened for writing. `has(table, column)` says whether the store has that column now: a step that
 * renames a column renames only what is there (a table an earlier step just created from ddl() already has the new
 * name). Additive steps and renames get one; anything else keeps the old rule — a store of another version is
 * refused with "use a new --db file".
 *   1 → 2  grad_gram_blocks (per-parameter-block Grams), eval_items (per-item headline values for paired comparisons)
 *   2 → 3  runs.float_settings (the native backend's pinned or opt-out float settings; NULL for older runs)
 *   3 → 4  one name for the four capabilities: `family` → `capability`, grad_gram's `cap_i`/`cap_j` → `capability_i`/`capability_j`
 */
export const MIGRATIONS: Readonly<Record<number, (has: (table: string, column: string) => boolean) => string[]>> = {
  1: () => ddl(),
  // views are re-created after the column exists: v_runs is SELECT * over runs
  2: () => ["ALTER TABLE runs ADD COLUMN IF NOT EXISTS float_settings VARCHAR", ...ddl()],
  // the views are SELECT x.* over their table: re-created after the renames so their columns carry the new names
  3: (has) => [
    ...Object.entries(RENAMED_COLUMNS).flatMap(([table, renames]) =>
      Object.entries(renames)
        .filter(([from]) => has(table, from))
        .map(([from, to]) => `ALTER TABLE ${table} RENAME COLUMN ${from} TO ${to}`),
    ),
    ...ddl(),
  ],
};

/**
 * Columns whose rows may come from outside this version's code under another name: table → {old name: new name}.
 * The 3 → 4 migration renames them in a version-3 store; storeNames() renames them in rows read from a cached stage's
 * row spool written before (src/store/sink.ts readSpool, so a cached stage is reused rather than recomputed) and in
 * rows read from MKGSG's JSONL files (items, rejects, pairs: the item field is `family`, src/mkgsg/types.ts Item).
 */
export const RENAMED_COLUMNS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  grad_gram: { cap_i: "capability_i", cap_j: "capability_j" },
  grad_gram_blocks: { cap_i: "capability_i", cap_j: "capability_j" },
  evals: { family: "capability" },
  eval_items: { family: "capability" },
  completions: { family: "capability" },
  items: { family: "capability" },
  rejects: { family: "capability" },
  pairs: { family: "capability" },
};

/** a row of `table` with the store's column names (RENAMED_COLUMNS); other keys, and rows of other tables, as they are */
export function storeNames(table: string, row: Record<string, unknown>): Record<string, unknown> {
  const renames = RENAMED_COLUMNS[table];
  if (!renames || !Object.keys(row).some((k) => k in renames)) return row;
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [renames[k] ?? k, v]));
}

export type ColumnType = "VARCHAR" | "INTEGER" | "DOUBLE" | "BOOLEAN" | "TIMESTAMP";
export interface Column {
  name: string;
  type: ColumnType;
}
export interface TableDef {
  name: string;
  /** run: rows belong to (run_id, stage); data: rows belong to data_hash; meta: bookkeeping */
  scope: "run" | "data" | "meta";
  doc: string;
  columns: Column[];
}

const c = (name: string, type: ColumnType): Column => ({ name, type });

export const TABLES: readonly TableDef[] = [
  {
    name: "schema_version",
    scope: "meta",
    doc: "one row: the schema version this file was created with",
    columns: [c("version", "INTEGER"), c("created_at", "TIMESTAMP")],
  },
  {
    name: "runs",
    scope: "meta",
    doc: "one row per run; id = config hash, so re-running a config resumes that run",
    columns: [
      c("id", "VARCHAR"),
      c("name", "VARCHAR"),
      c("config", "VARCHAR"), // canonical JSON of the validated config (defaults filled)
      c("config_hash", "VARCHAR"),
      c("seed", "INTEGER"),
      c("backend", "VARCHAR"), // the TF.js backend actually used, not the requested one
      c("git_commit", "VARCHAR"),
      c("git_dirty", "BOOLEAN"),
      c("data_hash", "VARCHAR"), // hash of the generate stage's inputs = identity of the items
      c("method", "VARCHAR"), // grpo update rule, or 'sft-only'; denormalised for pages
      c("status", "VARCHAR"), // running | complete | stopped | failed   (stopped: ran only up to a stage; a dead pid + running = crashed, computed on read)
      c("pid", "INTEGER"),
      c("created_at", "TIMESTAMP"),
      c("updated_at", "TIMESTAMP"),
      c("error", "VARCHAR"),
      // JSON {identity, mode, env, aten, openblas, threads} of the float settings the training ran under
      // (src/model/float.ts); identity "pinned-v1" or "native:aten=…,blas=…"; NULL: a backend without any (wasm, cpu)
      c("float_settings", "VARCHAR"),
    ],
  },
  {
    name: "run_params",
    scope: "meta",
    doc: "the run's config flattened to dotted keys (value = JSON text): ablation tables pick the keys that differ",
    columns: [c("run_id", "VARCHAR"), c("key", "VARCHAR"), c("value", "VARCHAR")],
  },
  {
    name: "stages",
    scope: "meta",
    doc: "provenance: which cached artefact each stage of a run used, and whether it was computed or reused",
    columns: [
      c("run_id", "VARCHAR"),
      c("stage", "VARCHAR"),
      c("input_hash", "VARCHAR"),
      c("status", "VARCHAR"), // running | complete | failed
      c("reused", "BOOLEAN"), // true: the artefact came from the cache (computed by an earlier run)
      c("started_at", "TIMESTAMP"),
      c("finished_at", "TIMESTAMP"),
      c("seconds", "DOUBLE"),
      c("artefact_dir", "VARCHAR"),
    ],
  },
  {
    name: "metrics",
    scope: "run",
    doc: "scalar per (run, stage, step, name); TRL names: loss, reward, rewards/<cap>/mean, kl, clip_ratio/...",
    columns: [c("run_id", "VARCHAR"), c("stage", "VARCHAR"), c("step", "INTEGER"), c("name", "VARCHAR"), c("value", "DOUBLE")],
  },
  {
    name: "grad_gram",
    scope: "run",
    doc: "Gram matrix of per-capability gradients per step (both triangles + diagonal: capability_i = capability_j gives the norm²)",
    columns: [
      c("run_id", "VARCHAR"),
      c("stage", "VARCHAR"),
      c("step", "INTEGER"),
      c("capability_i", "VARCHAR"),
      c("capability_j", "VARCHAR"),
      c("dot", "DOUBLE"),
      c("cos", "DOUBLE"),
    ],
  },
  {
    name: "grad_gram_blocks",
    scope: "run",
    doc:
      "the grad_gram rows per parameter block (embeddings incl. the tied head, h.<i>.attn, h.<i>.mlp, layernorm), from " +
      "the same pass; block_size = the block's parameter count (its null band: |cos| ≈ 1/√block_size). Σ over blocks of dot = grad_gram's dot",
    columns: [
      c("run_id", "VARCHAR"),
      c("stage", "VARCHAR"),
      c("step", "INTEGER"),
      c("block", "VARCHAR"),
      c("block_size", "INTEGER"),
      c("capability_i", "VARCHAR"),
      c("capability_j", "VARCHAR"),
      c("dot", "DOUBLE"),
      c("cos", "DOUBLE"),
    ],
  },
  {
    name: "weights",
    scope: "run",
    doc: "capability weight w and rule/model mix alpha actually used per step, and the strategy that chose them",
    columns: [
      c("run_id", "VARCHAR"),
      c("stage", "VARCHAR"),
      c("step", "INTEGER"),
      c("capability", "VARCHAR"),
      c("w", "DOUBLE"),
      c("alpha", "DOUBLE"),
      c("strategy", "VARCHAR"),
    ],
  },
  {
    name: "evals",
    scope: "run",
    doc: "evaluation results per capability and metric, with a confidence interval and the number of items",
    columns: [
      c("run_id", "VARCHAR"),
      c("stage", "VARCHAR"),
      c("step", "INTEGER"),
      c("capability", "VARCHAR"),
      c("metric", "VARCHAR"),
      c("value", "DOUBLE"),
      c("ci_lo", "DOUBLE"),
      c("ci_hi", "DOUBLE"),
      c("n", "INTEGER"),
    ],
  },
  {
    name: "eval_items",
    scope: "run",
    doc:
      "per evaluated item: its headline value (its capability's `score` definition) and partial credit, by split (eval = " +
      "extraction, control) — the units of paired method comparisons (items × seeds)",
    columns: [
      c("run_id", "VARCHAR"),
      c("stage", "VARCHAR"),
      c("step", "INTEGER"),
      c("item_id", "VARCHAR"),
      c("capability", "VARCHAR"),
      c("kind", "VARCHAR"),
      c("split", "VARCHAR"),
      c("value", "DOUBLE"),
      c("partial", "DOUBLE"),
    ],
  },
  {
    name: "completions",
    scope: "run",
    doc: "sampled completions during GRPO: per-capability rewards (JSON text), the aggregate reward and the advantage",
    columns: [
      c("run_id", "VARCHAR"),
      c("stage", "VARCHAR"),
      c("step", "INTEGER"),
      c("item_id", "VARCHAR"),
      c("capability", "VARCHAR"),
      c("prompt", "VARCHAR"),
      c("completion", "VARCHAR"),
      c("rewards", "VARCHAR"),
      c("reward", "DOUBLE"),
      c("advantage", "DOUBLE"),
    ],
  },
  {
    name: "items",
    scope: "data",
    doc: "MKGSG items (accepted) of one generated dataset; `capability` is the item's family (its JSONL field `family`)",
    columns: [
      c("data_hash", "VARCHAR"),
      c("id", "VARCHAR"),
      c("capability", "VARCHAR"),
      c("kind", "VARCHAR"),
      c("split", "VARCHAR"),
      c("prompt", "VARCHAR"),
      c("gold", "VARCHAR"),
      c("checks", "VARCHAR"), // JSON
      c("provenance", "VARCHAR"), // JSON {genes, terms, evidence}
      c("options", "VARCHAR"), // JSON array or null
      c("seed", "INTEGER"),
    ],
  },
  {
    name: "rejects",
    scope: "data",
    doc: "MKGSG candidates the validator rejected, with the named reason",
    columns: [
      c("data_hash", "VARCHAR"),
      c("id", "VARCHAR"),
      c("capability", "VARCHAR"),
      c("kind", "VARCHAR"),
      c("stage", "VARCHAR"), // ontology | constraint | workflow (the validator's stage, not a pipeline stage)
      c("reason", "VARCHAR"),
      c("detail", "VARCHAR"),
    ],
  },
  {
    name: "pairs",
    scope: "data",
    doc: "reward-model preference pairs: validated gold (chosen) vs a corrupted answer (rejected)",
    columns: [
      c("data_hash", "VARCHAR"),
      c("item_id", "VARCHAR"),
      c("capability", "VARCHAR"),
      c("split", "VARCHAR"),
      c("chosen", "VARCHAR"),
      c("rejected", "VARCHAR"),
      c("corruption", "VARCHAR"),
    ],
  },
];

export const TABLE_BY_NAME: ReadonlyMap<string, TableDef> = new Map(TABLES.map((t) => [t.name, t]));
export const RUN_TABLES = TABLES.filter((t) => t.scope === "run").map((t) => t.name);
export const DATA_TABLES = TABLES.filter((t) => t.scope === "data").map((t) => t.name);

function createTable(t: TableDef): string {
  const cols = t.columns.map((col) => `  ${col.name} ${col.type}`).join(",\n");
  const pk = t.name === "runs" ? ",\n  PRIMARY KEY (id)" : "";
  return `CREATE TABLE IF NOT EXISTS ${t.name} (\n${cols}${pk}\n);`;
}

/** Views over complete runs only. Pages and `bbio query` read these unless asked for everything. */
function views(): string[] {
  const out = [
    `CREATE OR REPLACE VIEW v_runs AS SELECT * FROM runs WHERE status = 'complete';`,
    `CREATE OR REPLACE VIEW v_run_params AS SELECT p.* FROM run_params p SEMI JOIN v_runs r ON p.run_id = r.id;`,
    `CREATE OR REPLACE VIEW v_stages AS SELECT s.* FROM stages s SEMI JOIN v_runs r ON s.run_id = r.id;`,
  ];
  for (const t of RUN_TABLES) out.push(`CREATE OR REPLACE VIEW v_${t} AS SELECT x.* FROM ${t} x SEMI JOIN v_runs r ON x.run_id = r.id;`);
  for (const t of DATA_TABLES)
    out.push(`CREATE OR REPLACE VIEW v_${t} AS SELECT x.* FROM ${t} x SEMI JOIN v_runs r ON x.data_hash = r.data_hash;`);
  return out;
}

/** The full DDL, idempotent (safe to run on an existing store of the same version). */
export function ddl(): string[] {
  return [...TABLES.map(createTable), ...views()];
}

/** Every view name, for the site export and `bbio query` help. */
export const VIEWS: readonly string[] = [
  "v_runs",
  "v_run_params",
  "v_stages",
  ...RUN_TABLES.map((t) => `v_${t}`),
  ...DATA_TABLES.map((t) => `v_${t}`),
];
