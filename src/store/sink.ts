/**
 * StoreSink: the Sink (src/util/sink.ts) a pipeline stage writes its metrics and table rows to.
 *
 *   metric()/rows() ──► appended at once to a JSONL spool (nothing is lost if the process dies)
 *                  └──► buffered in memory ──flush()──► DuckDB, one short transaction
 *
 * The spool lives in the stage's artefact directory (data/cache/<stage>/<input_hash>/rows.jsonl) and holds rows
 * without run_id/stage, so the rows are part of the stage's cached output: a later run that reuses the stage gets the
 * identical rows imported under its own run id (the runner replaces (run, stage) from the spool when it finishes).
 *
 * Consistency rule: after a flush, the DB rows of (run, stage) equal the spool. Normal flushes append only the rows
 * buffered since the last flush; when the spool may disagree with the DB — the sink was opened over an existing spool
 * (a resumed stage: the crash may have come between spool append and flush) or resumeFrom(S) dropped rows — the next
 * flush replaces all of (run, stage) from the spool in one transaction. So replays never duplicate rows.
 *
 * Rows left by an earlier, interrupted attempt ("old" rows, at the head of the spool) are superseded as the stage
 * re-emits them: resumeFrom(S) keeps old rows with step ≤ S; and, for a stage that restarts without calling it
 * (no checkpoint yet), emitting step s drops old rows with step ≥ s (training steps only go forward), and emitting
 * a step-less row of a table drops that table's old step-less rows. New rows of this attempt are never dropped
 * except by resumeFrom.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Sink } from "../util/sink.ts";
import { writeFileAtomic, parseJsonl, toJsonl } from "../util/fsx.ts";
import { storeNames } from "./schema.ts";
import { appendStageRows, checkStageRow, replaceStageRowsIn, type Store, type StageTableRow } from "./store.ts";

/** One spool line: {t: table, r: row}. */
interface SpoolLine {
  t: string;
  r: Record<string, unknown>;
}

export function readSpool(path: string): StageTableRow[] {
  if (!existsSync(path)) return [];
  // a kill -9 mid-append can leave a torn last line: drop it (its row is re-emitted when the stage resumes)
  let text = readFileSync(path, "utf8");
  if (text.length && !text.endsWith("\n")) text = text.slice(0, text.lastIndexOf("\n") + 1);
  // a spool cached by an older bbio may name columns the old way: read with the store's names
  return parseJsonl<SpoolLine>(text, path).map((l) => ({ table: l.t, row: storeNames(l.t, l.r) }));
}

/** Normalise a row so that DB and spool agree exactly (JSON has no NaN/Infinity/undefined). */
function normalise(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (v === undefined) continue;
    out[k] = typeof v === "number" && !Number.isFinite(v) ? null : v;
  }
  return out;
}

export class StoreSink implements Sink {
  private pending: StageTableRow[] = [];
  /** true when the DB rows of (run, stage) may differ from the spool: next flush rewrites them from the spool */
  private replace: boolean;
  /** how many lines at the head of the spool come from an earlier attempt, and what they cover */
  private old = 0;
  private oldMaxStep = -Infinity;
  private oldStepless = new Set<string>();

  constructor(
    readonly store: Store,
    readonly runId: string,
    readonly stage: string,
    readonly spoolPath: string,
  ) {
    mkdirSync(dirname(spoolPath), { recursive: true });
    this.replace = existsSync(spoolPath);
    if (this.replace) {
      // repair a torn last line now, so later appends start on a fresh line
      const rows = readSpool(spoolPath);
      this.rewrite(rows);
      this.setOld(rows, rows.length);
    }
  }

  metric(step: number, name: string, value: number): void {
    this.rows("metrics", [{ step, name, value }]);
  }

  rows(table: string, rows: Record<string, unknown>[]): void {
    if (rows.length === 0) return;
    const lines: StageTableRow[] = rows.map((r) => {
      checkStageRow(table, r);
      return { table, row: normalise(r) };
    });
    if (this.old > 0) this.supersedeOld(table, lines);
    appendFileSync(this.spoolPath, toJsonl(lines.map((x) => ({ t: x.table, r: x.row }))));
    this.pending.push(...lines);
  }

  /** Drop rows with step > S (spool now, DB at the next flush). Rows without a numeric step are kept. */
  resumeFrom(step: number): void {
    const keep = (x: StageTableRow) => typeof x.row.step !== "number" || x.row.step <= step;
    const all = readSpool(this.spoolPath);
    const oldKept = all.slice(0, this.old).filter(keep);
    const rows = [...oldKept, ...all.slice(this.old).filter(keep)];
    this.rewrite(rows);
    this.setOld(rows, oldKept.length);
    this.pending = this.pending.filter(keep);
    this.replace = true;
  }

  /** The stage is re-emitting what an earlier attempt wrote: drop the superseded old rows. */
  private supersedeOld(table: string, lines: StageTableRow[]): void {
    const steps = lines.map((x) => x.row.step).filter((s): s is number => typeof s === "number");
    const minStep = steps.length ? Math.min(...steps) : Infinity;
    const stepless = steps.length < lines.length && this.oldStepless.has(table);
    if (minStep > this.oldMaxStep && !stepless) return;
    const stale = (x: StageTableRow) => (typeof x.row.step === "number" ? x.row.step >= minStep : stepless && x.table === table);
    const all = readSpool(this.spoolPath);
    const oldKept = all.slice(0, this.old).filter((x) => !stale(x));
    const rows = [...oldKept, ...all.slice(this.old)];
    this.rewrite(rows);
    this.setOld(rows, oldKept.length);
    this.replace = true;
  }

  private setOld(rows: StageTableRow[], n: number): void {
    this.old = n;
    const head = rows.slice(0, n);
    this.oldMaxStep = Math.max(-Infinity, ...head.map((x) => (typeof x.row.step === "number" ? x.row.step : -Infinity)));
    this.oldStepless = new Set(head.filter((x) => typeof x.row.step !== "number").map((x) => x.table));
  }

  private rewrite(rows: StageTableRow[]): void {
    writeFileAtomic(this.spoolPath, toJsonl(rows.map((x) => ({ t: x.table, r: x.row }))));
  }

  async flush(): Promise<void> {
    // take the buffer synchronously: rows emitted while the write is in flight go to the next flush
    const batch = this.pending;
    this.pending = [];
    try {
      if (this.replace) {
        this.replace = false;
        const all = readSpool(this.spoolPath); // every row so far, including `batch`
        await this.store.write((db) => replaceStageRowsIn(db, this.runId, this.stage, all));
      } else if (batch.length) {
        await this.store.write((db) => appendStageRows(db, this.runId, this.stage, batch));
      }
    } catch (e) {
      // nothing was committed: keep the rows and make the next flush rewrite from the spool
      this.pending = batch.concat(this.pending);
      this.replace = true;
      throw e;
    }
  }
}
