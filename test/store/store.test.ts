import { describe, it, expect } from "vitest";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { Store, flatten } from "../../src/store/store.ts";
import { StoreSink, readSpool } from "../../src/store/sink.ts";
import { queryStore } from "../../src/store/query.ts";
import { exportForSite } from "../../src/store/export.ts";
import { RENAMED_COLUMNS, SCHEMA_VERSION, TABLES, VIEWS, ddl } from "../../src/store/schema.ts";
import { type Db, withDb } from "../../src/store/db.ts";
import { BbioError } from "../../src/util/errors.ts";
import { tmp, q } from "./helpers.ts";

const start = (store: Store, id: string) =>
  store.startRun({
    id,
    name: id,
    config: { name: id, seed: 1, grpo: { method: "sum" } },
    configHash: id,
    seed: 1,
    backend: "wasm",
    gitCommit: null,
    gitDirty: null,
    method: "sum",
    pid: process.pid,
  });

/** every table's columns in the store, in order: table → names */
const columnsOf = async (db: string) => {
  const rows = await q<{ t: string; c: string }>(
    db,
    `SELECT table_name AS t, column_name AS c FROM information_schema.columns c JOIN information_schema.tables USING (table_name)
     WHERE table_type = 'BASE TABLE' ORDER BY table_name, c.ordinal_position`,
  );
  const out: Record<string, string[]> = {};
  for (const r of rows) (out[r.t] ??= []).push(r.c);
  return out;
};
/** the same from schema.ts */
const schemaColumns = () =>
  Object.fromEntries([...TABLES].sort((a, b) => (a.name < b.name ? -1 : 1)).map((t) => [t.name, t.columns.map((c) => c.name)]));

describe("schema", () => {
  it("creates every table and view of the schema, and a version row", async () => {
    const db = join(tmp("schema"), "s.duckdb");
    await start(new Store(db), "r1");
    const tables = (await q<{ name: string }>(db, "SELECT table_name AS name FROM information_schema.tables")).map((r) => r.name);
    for (const t of [
      "runs",
      "stages",
      "metrics",
      "grad_gram",
      "weights",
      "evals",
      "completions",
      "items",
      "rejects",
      "pairs",
      "schema_version",
      "run_params",
    ])
      expect(tables).toContain(t);
    for (const v of VIEWS) expect(tables).toContain(v);
    expect(await q(db, "SELECT version FROM schema_version")).toEqual([{ version: SCHEMA_VERSION }]);
    expect(ddl().length).toBe(TABLES.length + VIEWS.length);
  });

  /** give a fresh store's tables the column names a version-3 bbio created (RENAMED_COLUMNS, new → old) */
  const oldNames = async (d: Db) => {
    const have = await d.all<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_type = 'BASE TABLE'`);
    for (const [table, renames] of Object.entries(RENAMED_COLUMNS))
      if (have.some((x) => x.t === table))
        for (const [from, to] of Object.entries(renames)) await d.run(`ALTER TABLE ${table} RENAME COLUMN ${to} TO ${from}`);
  };

  it("migrates a version-1 store in place on the first write (1 → 2 adds grad_gram_blocks, 2 → 3 runs.float_settings, 3 → 4 renames); a read-only open says how", async () => {
    const db = join(tmp("migrate"), "s.duckdb");
    await start(new Store(db), "r1");
    // turn it into what version 1 created: no grad_gram_blocks, no runs.float_settings, one version row of 1
    await withDb(db, {}, async (d) => {
      await d.run("DROP VIEW v_runs");
      await d.run("ALTER TABLE runs DROP COLUMN float_settings");
      await d.run("DROP VIEW v_grad_gram_blocks");
      await d.run("DROP TABLE grad_gram_blocks");
      await d.run("DROP VIEW v_eval_items");
      await d.run("DROP TABLE eval_items");
      await oldNames(d);
      await d.run("DELETE FROM schema_version");
      await d.run("INSERT INTO schema_version VALUES (1, now())");
    });
    await expect(new Store(db).read(async () => 0)).rejects.toThrow(/schema version 1, this bbio expects 4/);
    await expect(new Store(db).read(async () => 0)).rejects.toMatchObject({ hint: expect.stringMatching(/open it once for writing/) });
    await start(new Store(db), "r2");
    expect(await q(db, "SELECT max(version) AS v FROM schema_version")).toEqual([{ v: 4 }]);
    expect(await q(db, "SELECT count(*) AS n FROM v_runs WHERE float_settings IS NULL")).toEqual([{ n: 0 }]); // r1, r2 incomplete
    expect(await q(db, "SELECT count(*) AS n FROM v_grad_gram_blocks")).toEqual([{ n: 0 }]);
    expect(await q(db, "SELECT count(*) AS n FROM runs")).toEqual([{ n: 2 }]); // the old rows are kept
    expect(await columnsOf(db)).toEqual(schemaColumns());
  });

  it("migrates a version-3 store in place: `family` → `capability`, `cap_i`/`cap_j` → `capability_i`/`capability_j`, rows and views kept", async () => {
    const db = join(tmp("migrate3"), "s.duckdb");
    await start(new Store(db), "r1");
    await withDb(db, {}, async (d) => {
      await oldNames(d);
      await d.run("UPDATE runs SET status = 'complete'");
      await d.run(
        `INSERT INTO grad_gram (run_id, stage, step, cap_i, cap_j, dot, cos) VALUES ('r1', 'grpo', 1, 'knowledge', 'reasoning', 0.5, -0.25)`,
      );
      await d.run(`INSERT INTO evals (run_id, stage, step, family, metric, value) VALUES ('r1', 'eval', 0, 'instruction', 'score', 0.75)`);
      await d.run(`INSERT INTO items (data_hash, id, family) VALUES ('d1', 'i1', 'integration')`);
      await d.run("UPDATE runs SET data_hash = 'd1'");
      await d.run("DELETE FROM schema_version");
      await d.run("INSERT INTO schema_version VALUES (3, now())");
    });
    await expect(new Store(db).read(async () => 0)).rejects.toThrow(/schema version 3, this bbio expects 4/);
    await start(new Store(db), "r2");
    expect(await q(db, "SELECT max(version) AS v FROM schema_version")).toEqual([{ v: 4 }]);
    expect(await columnsOf(db)).toEqual(schemaColumns());
    expect(await q(db, "SELECT run_id, capability_i, capability_j, cos FROM v_grad_gram")).toEqual([
      { run_id: "r1", capability_i: "knowledge", capability_j: "reasoning", cos: -0.25 },
    ]);
    expect(await q(db, "SELECT capability, value FROM v_evals")).toEqual([{ capability: "instruction", value: 0.75 }]);
    expect(await q(db, "SELECT id, capability FROM v_items")).toEqual([{ id: "i1", capability: "integration" }]);
  });

  it("flattens configs to dotted keys for run_params", () => {
    expect(flatten({ b: { y: [1, 2], x: "s" }, a: 1 })).toEqual([
      ["a", "1"],
      ["b.x", '"s"'],
      ["b.y", "[1,2]"],
    ]);
  });
});

describe("StoreSink", () => {
  it("spools at once, writes on flush, and resumeFrom(S) drops steps > S in spool and DB", async () => {
    const dir = tmp("sink");
    const db = join(dir, "s.duckdb");
    const store = new Store(db);
    await start(store, "r1");
    const spool = join(dir, "grpo", "rows.jsonl");
    const sink = new StoreSink(store, "r1", "grpo", spool);
    for (let s = 1; s <= 6; s++) sink.metric(s, "reward", s / 10);
    sink.rows("grad_gram", [{ step: 3, capability_i: "knowledge", capability_j: "reasoning", dot: 0.5, cos: 0.1 }]);
    expect(readSpool(spool)).toHaveLength(7); // durable before any flush
    expect(await q(db, "SELECT * FROM metrics")).toHaveLength(0);
    await sink.flush();
    expect(await q(db, "SELECT count(*) AS n FROM metrics WHERE run_id = 'r1' AND stage = 'grpo'")).toEqual([{ n: 6 }]);

    sink.resumeFrom(3);
    expect(
      readSpool(spool)
        .filter((r) => r.table === "metrics")
        .map((r) => r.row.step),
    ).toEqual([1, 2, 3]);
    for (let s = 4; s <= 8; s++) sink.metric(s, "reward", s / 10); // replayed + new steps
    await sink.flush();
    const rows = await q<{ step: number; value: number }>(db, "SELECT step, value FROM metrics ORDER BY step");
    expect(rows.map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]); // no duplicates
    expect(rows[7].value).toBeCloseTo(0.8);
    expect(await q(db, "SELECT count(*) AS n FROM grad_gram")).toEqual([{ n: 1 }]);
  });

  it("a new sink over an existing spool (a crash between spool and flush) rewrites the DB from the spool; torn last line dropped", async () => {
    const dir = tmp("sink2");
    const db = join(dir, "s.duckdb");
    const store = new Store(db);
    await start(store, "r1");
    const spool = join(dir, "rows.jsonl");
    const a = new StoreSink(store, "r1", "sft", spool);
    a.metric(1, "loss", 2);
    await a.flush();
    a.metric(2, "loss", 1.5); // in the spool, never flushed: then the process "dies" mid-write of step 3
    appendFileSync(spool, '{"t":"metrics","r":{"step":3,"na');
    const b = new StoreSink(store, "r1", "sft", spool);
    b.metric(3, "loss", 1.2);
    await b.flush();
    expect(await q(db, "SELECT step, value FROM metrics ORDER BY step")).toEqual([
      { step: 1, value: 2 },
      { step: 2, value: 1.5 },
      { step: 3, value: 1.2 },
    ]);
    expect(readFileSync(spool, "utf8").trim().split("\n")).toHaveLength(3);
  });

  it("a stage that restarts without resumeFrom supersedes the earlier attempt's rows instead of duplicating them", async () => {
    const dir = tmp("sink4");
    const db = join(dir, "s.duckdb");
    const store = new Store(db);
    await start(store, "r1");
    const spool = join(dir, "rows.jsonl");
    const a = new StoreSink(store, "r1", "sft", spool);
    for (let s = 1; s <= 3; s++) a.metric(s, "loss", s);
    a.rows("evals", [{ capability: "knowledge", metric: "acc", value: 0.1 }]); // step-less row
    await a.flush(); // then killed before any checkpoint
    const b = new StoreSink(store, "r1", "sft", spool); // restarts from scratch
    for (let s = 1; s <= 4; s++) b.metric(s, "loss", 10 * s);
    b.rows("evals", [{ capability: "knowledge", metric: "acc", value: 0.2 }]);
    await b.flush();
    expect(await q(db, "SELECT step, value FROM metrics ORDER BY step")).toEqual([1, 2, 3, 4].map((s) => ({ step: s, value: 10 * s })));
    expect(await q(db, "SELECT value FROM evals")).toEqual([{ value: 0.2 }]);
    expect(readSpool(spool)).toHaveLength(5);
  });

  it("a spool cached by a version-3 bbio (cap_i/cap_j, family) is read with the store's column names", async () => {
    const dir = tmp("sink-old");
    const db = join(dir, "s.duckdb");
    const store = new Store(db);
    await start(store, "r1");
    const spool = join(dir, "rows.jsonl");
    appendFileSync(
      spool,
      [
        { t: "grad_gram", r: { step: 1, cap_i: "knowledge", cap_j: "reasoning", dot: 0.5, cos: 0.1 } },
        { t: "evals", r: { step: 1, family: "reasoning", metric: "score", value: 0.5 } },
        { t: "metrics", r: { step: 1, name: "family", value: 1 } },
      ]
        .map((l) => JSON.stringify(l) + "\n")
        .join(""),
    );
    expect(readSpool(spool).map((x) => x.row)).toEqual([
      { step: 1, capability_i: "knowledge", capability_j: "reasoning", dot: 0.5, cos: 0.1 },
      { step: 1, capability: "reasoning", metric: "score", value: 0.5 },
      { step: 1, name: "family", value: 1 }, // only the renamed tables' columns: a metric's value named "family" stays
    ]);
    await new StoreSink(store, "r1", "grpo", spool).flush(); // a resumed stage rewrites the DB from the spool
    expect(await q(db, "SELECT capability_i, capability_j FROM grad_gram")).toEqual([
      { capability_i: "knowledge", capability_j: "reasoning" },
    ]);
    expect(await q(db, "SELECT capability FROM evals")).toEqual([{ capability: "reasoning" }]);
    expect(readFileSync(spool, "utf8")).not.toMatch(/"cap_i"|"family":/); // and the spool now has the new names too
  });

  it("rejects unknown tables/columns and run_id, stores NaN as NULL in both spool and DB", async () => {
    const dir = tmp("sink3");
    const store = new Store(join(dir, "s.duckdb"));
    await start(store, "r1");
    const sink = new StoreSink(store, "r1", "grpo", join(dir, "rows.jsonl"));
    expect(() => sink.rows("nonsense", [{ step: 1 }])).toThrow(/unknown table "nonsense"/);
    expect(() => sink.rows("metrics", [{ step: 1, name: "x", value: 1, bogus: 2 }])).toThrow(/no column "bogus"/);
    expect(() => sink.rows("metrics", [{ step: 1, run_id: "r2" }])).toThrow(/must not set "run_id"/);
    expect(() => sink.rows("items", [{ id: "x" }])).toThrow(/unknown table/); // data tables are not written through a sink
    sink.metric(1, "kl", NaN);
    sink.rows("completions", [{ step: 1, rewards: { knowledge: 1 }, reward: 1 }]);
    await sink.flush();
    expect(await q(join(dir, "s.duckdb"), "SELECT value FROM metrics")).toEqual([{ value: null }]);
    expect(await q(join(dir, "s.duckdb"), "SELECT rewards FROM completions")).toEqual([{ rewards: '{"knowledge":1}' }]);
  });
});

describe("run visibility", () => {
  it("v_* views show only complete runs; finishRun refuses while a stage is open", async () => {
    const db = join(tmp("vis"), "s.duckdb");
    const store = new Store(db);
    for (const id of ["done", "open"]) {
      await start(store, id);
      const sink = new StoreSink(store, id, "grpo", join(tmp("spool"), "rows.jsonl"));
      sink.metric(1, "reward", 1);
      await sink.flush();
    }
    await store.stageStart("open", "grpo", "h", "/x");
    await expect(store.finishRun("open")).rejects.toThrow(/stages not complete: grpo/);
    await store.finishRun("done");
    expect(await q(db, "SELECT id FROM v_runs")).toEqual([{ id: "done" }]);
    expect(await q(db, "SELECT run_id FROM v_metrics")).toEqual([{ run_id: "done" }]);
    expect(await q(db, "SELECT count(*) AS n FROM metrics")).toEqual([{ n: 2 }]);
    const runs = await store.listRuns();
    expect(runs.find((r) => r.id === "open")?.status).toBe("running"); // our own pid is alive
    expect((await store.listRuns({ completeOnly: true })).map((r) => r.id)).toEqual(["done"]);
  });
});

describe("bbio query (queryStore)", () => {
  it("reads, and refuses writes and file access with one clear error", async () => {
    const db = join(tmp("q"), "s.duckdb");
    const store = new Store(db);
    await start(store, "r1");
    await store.finishRun("r1");
    const r = await queryStore(db, "SELECT id, seed, 1::BIGINT + 1 AS two FROM v_runs");
    expect(r.rows).toEqual([{ id: "r1", seed: 1, two: 2 }]);
    expect(r.columns.map((c) => c.name)).toEqual(["id", "seed", "two"]);
    for (const sql of ["DELETE FROM runs", "DROP TABLE metrics", "UPDATE runs SET status = 'failed'", "CREATE TABLE x (a INT)"]) {
      const e = await queryStore(db, sql).catch((x) => x);
      expect(e).toBeInstanceOf(BbioError);
      expect(e.message).toMatch(/^bbio query is read-only/);
    }
    const out = join(tmp("q2"), "leak.csv");
    const e = await queryStore(db, `COPY runs TO '${out}'`).catch((x) => x);
    expect(e).toBeInstanceOf(BbioError);
    expect(existsSync(out)).toBe(false);
    await expect(queryStore(db, "SELECT * FROM no_such_table")).rejects.toThrow(/query failed/);
    await expect(queryStore(join(tmp("q3"), "none.duckdb"), "SELECT 1")).rejects.toThrow(/does not exist yet/);
    expect(await q(db, "SELECT status FROM runs")).toEqual([{ status: "complete" }]);
  });
});

describe("exportForSite", () => {
  it("writes only complete runs' rows into a separate file in the v1.1.0 storage format", async () => {
    const dir = tmp("export");
    const db = join(dir, "s.duckdb");
    const store = new Store(db);
    for (const id of ["done", "crashed"]) {
      await start(store, id);
      const sink = new StoreSink(store, id, "grpo", join(dir, id, "rows.jsonl"));
      sink.metric(1, "reward", 1);
      sink.metric(2, "reward", 2);
      await sink.flush();
      await store.stageFinish(
        id,
        "grpo",
        { inputHash: "h", artefactDir: "/x", reused: false, seconds: 1, startedAt: new Date() },
        {
          dataRows: [{ dataHash: `d-${id}`, table: "items", rows: [{ id: "i1", family: "knowledge" }] }],
        },
      );
      await store.setDataHash(id, `d-${id}`);
    }
    await store.finishRun("done");
    const out = join(dir, "site", "site.duckdb");
    const r = await exportForSite(db, out);
    expect(r.runs).toBe(1);
    expect(r.rows.metrics).toBe(2);
    expect(r.rows.items).toBe(1);
    expect(await q(out, "SELECT id FROM runs")).toEqual([{ id: "done" }]);
    expect(await q(out, "SELECT DISTINCT run_id FROM metrics")).toEqual([{ run_id: "done" }]);
    expect((await q<{ key: string }>(out, "SELECT key FROM export_meta ORDER BY key")).map((x) => x.key)).toContain("exported_at");
    // storage format: DuckDB reports it as a tag; 1.5.6 writing 'v1.1.0' gives "v1.0.0+" (a 1.1.x reader's format),
    // whereas e.g. STORAGE_VERSION 'v1.5.0' would give "v1.5.0+", unreadable by DuckDB-WASM 1.29
    const inst = await DuckDBInstance.create(":memory:");
    const con = await inst.connect();
    await con.run(`ATTACH '${out}' AS s (READ_ONLY)`);
    const info = (await con.runAndReadAll("SELECT tags FROM duckdb_databases() WHERE database_name = 's'")).getRowObjectsJson();
    con.closeSync();
    inst.closeSync();
    expect(JSON.stringify(info)).toMatch(/"storage_version","value":"v(0\.\d+|1\.[01])\.\d+\+?"/);
  });
});
