import { DuckDBInstance } from "@duckdb/node-api";
const db = await DuckDBInstance.create(process.env.DB ?? "/work/exp/bbio.duckdb", { access_mode: "READ_ONLY" });
const con = await db.connect();
const sql = process.argv[2];
const r = await con.runAndReadAll(sql);
console.table(r.getRowObjects().map((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v]))));
