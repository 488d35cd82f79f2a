import type { Command } from "commander";
import { dbOf } from "./paths.ts";

/**
 * `bbio runs`, `bbio query`, `bbio export`, `bbio report`: reading the run store. DuckDB is imported inside the handlers so that
 * `bbio --help` stays instant.
 */
export function register(program: Command): void {
  program
    .command("runs")
    .description("list runs with their status (complete | running | stopped after <stage> | crashed | failed)")
    .option("--db <file>", "run store (default $BBIO_DB or data/bbio.duckdb)")
    .option("--json", "print JSON (one array of run objects)")
    .option("--all", "also list each run's stages (hash, reused, seconds)")
    .option("--complete", "only complete runs (what pages and v_* views see)")
    .action(async (opts: { db?: string; json?: boolean; all?: boolean; complete?: boolean }) => {
      const { Store } = await import("./store.ts");
      const { formatTable } = await import("./format.ts");
      const store = new Store(dbOf(opts));
      const runs = await store.listRuns({ completeOnly: opts.complete });
      const stages = opts.all ? await store.listStages() : [];
      if (opts.json) {
        const out = runs.map((r) => (opts.all ? { ...r, stages: stages.filter((s) => s.run_id === r.id) } : r));
        process.stdout.write(JSON.stringify(out, null, 1) + "\n");
        return;
      }
      if (runs.length === 0) {
        process.stdout.write(`no runs in ${dbOf(opts)}\n`);
        return;
      }
      const cols = ["id", "name", "status", "method", "seed", "backend", "data_hash", "git_commit", "updated_at", "error"];
      const rows = runs.map((r) => ({
        ...r,
        status: r.status === "stopped" ? `stopped after ${r.stopped_after ?? "?"}` : r.status,
        git_commit: r.git_commit ? r.git_commit.slice(0, 8) + (r.git_dirty ? "+" : "") : "",
      }));
      process.stdout.write(formatTable(cols, rows) + "\n");
      if (opts.all && stages.length)
        process.stdout.write(
          "\n" +
            formatTable(
              ["run_id", "stage", "status", "reused", "seconds", "input_hash", "artefact_dir"],
              stages as unknown as Record<string, unknown>[],
              60,
            ) +
            "\n",
        );
    });

  program
    .command("query")
    .description("run read-only SQL over the store (views v_runs, v_metrics, ... show complete runs only)")
    .argument("<sql>", 'e.g. "SELECT name, method FROM v_runs"')
    .option("--db <file>", "run store (default $BBIO_DB or data/bbio.duckdb)")
    .option("--json", "print JSON rows")
    .option("--max-rows <n>", "refuse a result with more rows than this (default 100000)", (v) => Number(v))
    .action(async (sql: string, opts: { db?: string; json?: boolean; maxRows?: number }) => {
      const { queryStore } = await import("./query.ts");
      const { formatTable } = await import("./format.ts");
      if (opts.maxRows !== undefined && !(Number.isInteger(opts.maxRows) && opts.maxRows > 0)) {
        const { BbioError } = await import("../util/errors.ts");
        throw new BbioError("--max-rows must be a positive integer", 2, "e.g. --max-rows 1000000");
      }
      const r = await queryStore(dbOf(opts), sql, { maxRows: opts.maxRows });
      if (opts.json) process.stdout.write(JSON.stringify(r.rows) + "\n");
      else
        process.stdout.write(
          formatTable(
            r.columns.map((c) => c.name),
            r.rows,
          ) + `\n(${r.rows.length} row${r.rows.length === 1 ? "" : "s"})\n`,
        );
    });

  program
    .command("export")
    .description("write a compact read-only .duckdb of complete runs for the static site (DuckDB-WASM 1.1 compatible)")
    .argument("<out>", "output .duckdb file")
    .option("--db <file>", "run store (default $BBIO_DB or data/bbio.duckdb)")
    .action(async (out: string, opts: { db?: string }) => {
      const { exportForSite } = await import("./export.ts");
      const r = await exportForSite(dbOf(opts), out);
      process.stderr.write(
        `exported ${r.runs} complete run(s) to ${out}: ${Object.entries(r.rows)
          .map(([k, v]) => `${k}=${v}`)
          .join(" ")}\n`,
      );
    });

  program
    .command("report")
    .description(
      "print the README's result tables (per capability, seed-level method comparisons, conflict control) as Markdown from a store",
    )
    .option("--db <file>", "run store (default $BBIO_DB or data/bbio.duckdb)")
    .option("--readme <file>", "rewrite the region between <!-- report:begin --> and <!-- report:end --> in this file instead of printing")
    .action(async (opts: { db?: string; readme?: string }) => {
      const { existsSync, readFileSync, writeFileSync } = await import("node:fs");
      const { BbioError } = await import("../util/errors.ts");
      const db = dbOf(opts);
      if (!existsSync(db)) throw new BbioError(`no run store at ${db}`, 1, "create one with: bbio suite default (or npm run build)");
      const { readReportInput } = await import("../../loaders/report.ts");
      const { reportMarkdown, replaceReportRegion } = await import("../analysis/report.ts");
      const md = reportMarkdown(await readReportInput(db));
      if (!opts.readme) {
        process.stdout.write(md);
        return;
      }
      let text: string;
      try {
        text = replaceReportRegion(readFileSync(opts.readme, "utf8"), md);
      } catch (e) {
        throw new BbioError(
          `${opts.readme}: ${(e as Error).message}`,
          1,
          "add <!-- report:begin --> and <!-- report:end --> lines where the tables go",
        );
      }
      writeFileSync(opts.readme, text);
      process.stderr.write(`report: wrote the tables into ${opts.readme}\n`);
    });
}
