/**
 * The site export must open in DuckDB-WASM 1.29 (DuckDB 1.1.1, what Framework 1.13.4 pins). Runs when a 1.29.x
 * duckdb-wasm is installed (package.json's `duckdb-wasm-fw` alias, which the site build uses, or @duckdb/duckdb-wasm
 * itself); skipped otherwise. Checked by hand on 2026-11-25 with @duckdb/duckdb-wasm@1.29.0 in a scratch dir: OK.
 */
import { describe, it, expect } from "vitest";
import { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Store } from "../../src/store/store.ts";
import { StoreSink } from "../../src/store/sink.ts";
import { exportForSite } from "../../src/store/export.ts";
import { ROOT, tmp } from "./helpers.ts";

const require = createRequire(join(ROOT, "package.json"));
function findWasm(): string | null {
  for (const name of ["duckdb-wasm-fw", "@duckdb/duckdb-wasm"]) {
    const pkg = join(ROOT, "node_modules", name, "package.json"); // its "exports" hide package.json from require.resolve
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).version.startsWith("1.29.")) return dirname(pkg);
  }
  return null;
}
const wasmDir = findWasm();

describe.skipIf(!wasmDir)("site export in DuckDB-WASM 1.29", () => {
  it("attaches READ_ONLY and reads the complete run", async () => {
    const dir = tmp("wasm");
    const db = join(dir, "s.duckdb");
    const store = new Store(db);
    await store.startRun({
      id: "r1",
      name: "r1",
      config: {},
      configHash: "r1",
      seed: 0,
      backend: "wasm",
      gitCommit: null,
      gitDirty: null,
      method: "sum",
      pid: process.pid,
    });
    const sink = new StoreSink(store, "r1", "grpo", join(dir, "rows.jsonl"));
    sink.metric(1, "reward", 0.5);
    await sink.flush();
    await store.finishRun("r1");
    const out = join(dir, "site.duckdb");
    await exportForSite(db, out);

    const duckdb = require(join(wasmDir!, "dist/duckdb-node-blocking.cjs"));
    const bundles = {
      mvp: { mainModule: join(wasmDir!, "dist/duckdb-mvp.wasm"), mainWorker: "" },
      eh: { mainModule: join(wasmDir!, "dist/duckdb-eh.wasm"), mainWorker: "" },
    };
    const wdb = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
    await wdb.instantiate();
    // register under the absolute tmp path: the node runtime creates "<name>.wal" relative to the cwd otherwise
    wdb.registerFileBuffer(out, new Uint8Array(readFileSync(out)));
    const con = wdb.connect();
    expect(con.query("SELECT version() AS v").toArray()[0].toJSON().v).toBe("v1.1.1");
    con.query(`ATTACH '${out}' AS store (READ_ONLY)`);
    const rows = con
      .query("SELECT r.id, m.name, m.value FROM store.runs r JOIN store.metrics m ON m.run_id = r.id")
      .toArray()
      .map((r: { toJSON(): unknown }) => r.toJSON());
    expect(rows).toEqual([{ id: "r1", name: "reward", value: 0.5 }]);
  });
});
