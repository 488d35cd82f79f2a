/**
 * A sweep's plan: expanded runs + cost estimates + the shard partition. The partition is frozen in the shard folder
 * (`<sweep>.partition-<n>.json`, written once with O_EXCL by whichever shard starts first), so every array task and
 * every later resubmission uses the same split even if the cost measurements changed in between.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { BbioError } from "../util/errors.ts";
import { hashOf } from "../util/hash.ts";
import { withDb, num } from "../store/db.ts";
import type { Config } from "../config/index.ts";
import type { PipelineSpec } from "../pipeline/stage.ts";
import { estimateSweep, ownCost, type MeasuredStage, type SweepCost } from "./cost.ts";
import { assignShards, type Shard } from "./shard.ts";
import type { ExpandedSweep } from "./spec.ts";

/** Computed (not reused) stage times of complete stages in the given stores; missing stores are skipped. */
export async function measuredStages(stores: readonly string[]): Promise<MeasuredStage[]> {
  const out: MeasuredStage[] = [];
  for (const s of stores) {
    if (!existsSync(s)) continue;
    const rows = await withDb(s, { readOnly: true, timeoutMs: 10_000 }, (db) =>
      db.all<Record<string, unknown>>(
        `SELECT s.stage, s.input_hash, s.seconds, r.config FROM stages s JOIN runs r ON s.run_id = r.id
         WHERE s.status = 'complete' AND NOT s.reused AND s.seconds IS NOT NULL`,
      ),
    ).catch(() => [] as Record<string, unknown>[]); // not a run store / other schema: no measurements from it
    for (const r of rows) {
      let config: unknown = null;
      try {
        config = JSON.parse(String(r.config));
      } catch {
        /* keep null */
      }
      out.push({ stage: String(r.stage), input_hash: String(r.input_hash), seconds: num(r.seconds) ?? 0, config });
    }
  }
  return out;
}

export interface SweepPlan {
  sweep: ExpandedSweep;
  cost: SweepCost;
  costOf: Map<string, number>;
}

export function planSweep(sweep: ExpandedSweep, spec: PipelineSpec<Config>, measured: readonly MeasuredStage[]): SweepPlan {
  const cost = estimateSweep(sweep.runs, spec, measured);
  return { sweep, cost, costOf: new Map(cost.runs.map((r) => [r.id, r.amortized])) };
}

/** The partition for n shards, frozen in `dir` when given. Returns shard index → run ids. */
export function partition(plan: SweepPlan, count: number, dir?: string): string[][] {
  const fresh = () =>
    assignShards(
      plan.sweep.runs.map((r) => ({ id: r.id, cost: plan.costOf.get(r.id)! })),
      count,
    );
  if (!dir) return fresh();
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${plan.sweep.name}.partition-${count}.json`);
  const runsHash = hashOf(plan.sweep.runs.map((r) => r.id));
  if (!existsSync(file)) {
    const shards = fresh();
    try {
      const fd = openSync(file, "wx");
      writeSync(fd, JSON.stringify({ sweep: plan.sweep.name, count, runs_hash: runsHash, shards }, null, 1) + "\n");
      closeSync(fd);
      return shards;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e; // another task wrote it first: use theirs
    }
  }
  let frozen: { runs_hash: string; shards: string[][]; count: number };
  for (let i = 0; ; i++) {
    try {
      frozen = JSON.parse(readFileSync(file, "utf8"));
      break;
    } catch (e) {
      if (i > 20)
        throw new BbioError(`${file}: unreadable partition file (${(e as Error).message})`, 2, "delete it to recompute the split");
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50); // the writer is between create and write
    }
  }
  if (frozen.runs_hash !== runsHash || frozen.shards.length !== count)
    throw new BbioError(
      `the sweep ${plan.sweep.name} no longer expands to the runs its ${count}-shard partition in ${dir} was made for`,
      2,
      `the sweep file changed since the first shard ran: use a new shard folder, or delete ${file} if no shard has run`,
    );
  return frozen.shards;
}

const fmtS = (s: number) => (s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 60 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(1)} s`);
export { fmtS as formatSeconds };

/** Human-readable plan: runs with their estimates, totals, and the per-shard cost for each n asked. */
export function formatPlan(plan: SweepPlan, opts: { shards?: number[]; cores?: number; runs?: boolean } = {}): string {
  const { sweep, cost } = plan;
  const lines: string[] = [];
  lines.push(`sweep ${sweep.name}: ${sweep.runs.length} runs${sweep.description ? ` — ${sweep.description}` : ""}`);
  const axes = Object.entries(sweep.axes);
  if (axes.length) lines.push(`axes: ${axes.map(([k, v]) => `${k} (${v.length})`).join(", ")}`);
  const sources = new Map<string, number>();
  for (const s of cost.stages.values()) sources.set(s.source, (sources.get(s.source) ?? 0) + 1);
  lines.push(`distinct stages: ${cost.stages.size} (estimates: ${[...sources].map(([k, v]) => `${v} ${k}`).join(", ")})`);
  if (opts.runs !== false) {
    lines.push("");
    lines.push("run id            est.     name");
    for (const r of cost.runs) {
      const name = sweep.runs.find((x) => x.id === r.id)!.name;
      lines.push(`${r.id}  ${fmtS(r.amortized).padStart(8)}  ${name}`);
    }
  }
  lines.push("");
  const cores = opts.cores ?? 2;
  lines.push(
    `estimated cost: ${fmtS(cost.serialSeconds)} on one core (each distinct stage once); ≈ ${fmtS(cost.serialSeconds / cores)} on ${cores} cores with --jobs ${cores}`,
  );
  const critical = Math.max(0, ...cost.runs.map((r) => r.stages.reduce((a, s) => a + s.seconds, 0)));
  lines.push(`critical path (the longest run's stages back to back): ${fmtS(critical)} — no number of shards finishes sooner`);
  for (const n of opts.shards ?? []) {
    const shards = partition(plan, n);
    const per = shards.map((ids) => ids.reduce((a, id) => a + plan.costOf.get(id)!, 0));
    const own = shards.map((ids) => ownCost(cost.runs.filter((r) => ids.includes(r.id))));
    lines.push(
      `--shard i/${n}: ${shards.map((s) => s.length).join("/")} runs; per shard ${fmtS(Math.max(critical, ...per))} max (shared cache)` +
        `, ${fmtS(Math.max(...own))} max if each shard computes its own upstream stages`,
    );
  }
  return lines.join("\n");
}
export type { Shard };
