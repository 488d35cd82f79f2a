/**
 * Rows → Arrow IPC (stream format), the file type pages read with `FileAttachment(...).arrow()` and DuckDB-WASM can
 * ingest. Column types are explicit (not inferred from JS values) so an empty table still has its schema and a column
 * of all-null numbers stays Float64 — pages and the schema tests rely on that.
 */
import { Bool, Float64, Int32, Table, Utf8, tableToIPC, vectorFromArray, type DataType, type Vector } from "apache-arrow";

export type ColType = "string" | "float" | "int" | "bool";
export type Schema = readonly (readonly [name: string, type: ColType])[];

const arrowType = (t: ColType): DataType =>
  t === "string" ? new Utf8() : t === "float" ? new Float64() : t === "int" ? new Int32() : new Bool();

function coerce(v: unknown, t: ColType): unknown {
  if (v === null || v === undefined) return null;
  if (t === "string") return typeof v === "string" ? v : JSON.stringify(v);
  if (t === "bool") return Boolean(v);
  const n = Number(v); // BIGINT comes back from DuckDB as a string
  return Number.isFinite(n) ? (t === "int" ? Math.round(n) : n) : null;
}

export function toArrowTable(schema: Schema, rows: readonly Record<string, unknown>[]): Table {
  const cols: Record<string, Vector> = {};
  for (const [name, t] of schema)
    cols[name] = vectorFromArray(
      rows.map((r) => coerce(r[name], t)),
      arrowType(t),
    );
  return new Table(cols);
}

export function toArrowIPC(schema: Schema, rows: readonly Record<string, unknown>[]): Uint8Array {
  return tableToIPC(toArrowTable(schema, rows), "stream");
}
