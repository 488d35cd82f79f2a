/**
 * A Sink for standalone `bbio train-sft` / `bbio eval` runs (the pipeline hands stages a DuckDB-backed sink instead):
 * appends {t, step?, name?, value?, row?} lines to a JSONL file; resumeFrom(S) rewrites the file without steps > S.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Sink } from "../util/sink.ts";

export class JsonlSink implements Sink {
  constructor(
    readonly path: string,
    keep = false,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    if (!keep || !existsSync(path)) writeFileSync(path, "");
  }
  metric(step: number, name: string, value: number): void {
    appendFileSync(this.path, JSON.stringify({ t: "metric", step, name, value }) + "\n");
  }
  rows(table: string, rows: Record<string, unknown>[]): void {
    if (rows.length) appendFileSync(this.path, rows.map((row) => JSON.stringify({ t: table, row })).join("\n") + "\n");
  }
  resumeFrom(step: number): void {
    const lines = readFileSync(this.path, "utf8").split("\n").filter(Boolean);
    const keep = lines.filter((l) => {
      const o = JSON.parse(l) as { step?: number; row?: { step?: number } };
      const s = o.step ?? o.row?.step;
      return typeof s !== "number" || s <= step;
    });
    writeFileSync(this.path, keep.map((l) => l + "\n").join(""));
  }
  async flush(): Promise<void> {}
}
