/**
 * `bbio sweep status`: every run of a sweep, looked up across shard stores, as
 *   complete  — complete in some store
 *   running   — 'running' in a store whose writer lock is held (a live `bbio sweep`)
 *   crashed   — 'running' in a store nobody holds any more (killed, cancelled, node lost): resubmit its shard
 *   failed    — the run raised an error (its message is in `bbio runs`)
 *   missing   — in no store yet
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { withDb } from "../store/db.ts";
import { lockHolder } from "./lock.ts";
import type { SweepRun } from "./spec.ts";

export type SweepRunStatus = "complete" | "running" | "crashed" | "failed" | "missing";
const RANK: Record<SweepRunStatus, number> = { complete: 4, running: 3, failed: 2, crashed: 1, missing: 0 };

export interface RunStatusRow {
  id: string;
  name: string;
  status: SweepRunStatus;
  store: string | null;
  shard: number | null;
}

/** The .duckdb files in a shard folder (sorted). */
export function storesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".duckdb"))
    .sort()
    .map((f) => join(dir, f));
}

export async function sweepStatus(runs: readonly SweepRun[], stores: readonly string[], shards?: string[][]): Promise<RunStatusRow[]> {
  const best = new Map<string, { status: SweepRunStatus; store: string }>();
  for (const s of stores) {
    if (!existsSync(s)) continue;
    const held = lockHolder(s) !== null;
    const rows = await withDb(s, { readOnly: true, timeoutMs: 30_000 }, (db) =>
      db.all<{ id: string; status: string }>(`SELECT id, status FROM runs`),
    );
    for (const r of rows) {
      // a run a stage command stopped after its stage (`bbio train-sft` on the same config) is no result of the sweep
      // yet; the sweep's own `bbio run` of it resumes it
      if (r.status === "stopped") continue;
      const st: SweepRunStatus = r.status === "complete" ? "complete" : r.status === "failed" ? "failed" : held ? "running" : "crashed";
      const prev = best.get(r.id);
      if (!prev || RANK[st] > RANK[prev.status]) best.set(r.id, { status: st, store: s });
    }
  }
  const shardOf = new Map<string, number>();
  shards?.forEach((ids, i) => ids.forEach((id) => shardOf.set(id, i)));
  return runs.map((r) => ({
    id: r.id,
    name: r.name,
    status: best.get(r.id)?.status ?? "missing",
    store: best.get(r.id)?.store ?? null,
    shard: shardOf.get(r.id) ?? null,
  }));
}
