/**
 * `bbio merge <stores…> --db main.duckdb`: combine shard stores into one.
 *
 *  - Refuses, before writing anything: a source whose writer lock is held (a `bbio sweep` is still writing it, see
 *    lock.ts) or whose DuckDB file is open by another process; a store of another schema version; a run id present
 *    with different results in two places (sources or the target).
 *  - Copies complete runs only (a crashed/running/failed run in a shard is reported, not merged: its shard resumes it).
 *  - Deduplicates by run id: a run already in the target with the same results is skipped, so merging twice changes
 *    nothing. Each run is copied in its own transaction (its runs row, params, stages and every run-scoped row, plus
 *    its data rows if the target lacks that data hash), so an interrupted merge leaves whole runs and simply
 *    continues when run again.
 *
 * "Same results" = the same float settings (runs.float_settings' identity: a pinned run and a BBIO_FLOAT=native run of
 * one config are never the same run, even where their numbers happen to agree; src/model/float.ts), the same data hash, the same stage input hashes, the same evals rows and the same metrics rows
 * (values to 12 significant digits). Timing metrics (tokens/s, seconds) legitimately differ between two computations
 * and are not compared.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { BbioError } from "../util/errors.ts";
import { hashOf } from "../util/hash.ts";
import { retryWhileBusy, num } from "../store/db.ts";
import { SCHEMA_VERSION, TABLES, RUN_TABLES, DATA_TABLES } from "../store/schema.ts";
import { Store } from "../store/store.ts";
import { sameFile } from "../util/fsx.ts";
import { acquireLock, describeHolder, lockHolder, lockPath } from "./lock.ts";

export interface MergeResult {
  copied: string[];
  alreadyPresent: string[];
  /** runs not complete in any source, by id → status */
  notComplete: Record<string, string>;
  sources: number;
}

interface RunFacts {
  id: string;
  name: string;
  store: string;
  fingerprint: string;
  /** for the conflict message */
  evals: Map<string, number | null>;
  stages: Map<string, string>;
  dataHash: string | null;
  /** the float settings' identity ("pinned-v1", "native:aten=…,blas=…"), null for a backend without any */
  float: string | null;
}

/** metrics that measure speed, not results: never compared */
export const TIMING_METRIC = /(per_s|seconds|_time)$/;

const cols = (t: string) =>
  TABLES.find((x) => x.name === t)!
    .columns.map((c) => c.name)
    .join(", ");
const sig = (v: unknown) => {
  const n = num(v);
  return n === null ? null : Number(n.toPrecision(12));
};

async function rows(con: DuckDBConnection, sql: string, params: (string | number)[] = []): Promise<Record<string, unknown>[]> {
  const r = await con.runAndReadAll(sql, params.length ? params : undefined);
  return r.getRowObjectsJson() as Record<string, unknown>[];
}

/** Schema version, statuses and result fingerprints of the runs in an attached database `alias`. */
async function readFacts(
  con: DuckDBConnection,
  alias: string,
  file: string,
): Promise<{ version: number | null; runs: RunFacts[]; incomplete: Record<string, string> }> {
  const have = await rows(
    con,
    `SELECT count(*) AS n FROM information_schema.tables WHERE table_catalog = ? AND table_name = 'schema_version'`,
    [alias],
  );
  if ((num(have[0].n) ?? 0) === 0) throw new BbioError(`${file} is not a bbio run store (no schema_version table)`);
  const version = num((await rows(con, `SELECT max(version) AS v FROM ${alias}.schema_version`))[0].v);
  if (version !== SCHEMA_VERSION) return { version, runs: [], incomplete: {} };
  const runs = await rows(con, `SELECT id, name, status, data_hash, float_settings FROM ${alias}.runs ORDER BY id`);
  const incomplete: Record<string, string> = {};
  const complete = runs.filter((r) => {
    if (r.status !== "complete") incomplete[String(r.id)] = String(r.status);
    return r.status === "complete";
  });
  const evals = await rows(con, `SELECT run_id, stage, step, capability, metric, value, ci_lo, ci_hi, n FROM ${alias}.evals ORDER BY ALL`);
  const stages = await rows(con, `SELECT run_id, stage, input_hash FROM ${alias}.stages ORDER BY run_id, stage`);
  const metrics = await rows(
    con,
    `SELECT run_id, stage, step, name, value FROM ${alias}.metrics WHERE NOT regexp_matches(name, '${TIMING_METRIC.source}') ORDER BY ALL`,
  );
  const metricsOf = new Map<string, Record<string, unknown>[]>();
  for (const m of metrics) (metricsOf.get(String(m.run_id)) ?? metricsOf.set(String(m.run_id), []).get(String(m.run_id))!).push(m);
  const out: RunFacts[] = complete.map((r) => {
    const id = String(r.id);
    const ev = new Map<string, number | null>();
    const evList: unknown[] = [];
    for (const e of evals.filter((x) => x.run_id === id)) {
      const key = `${e.stage}/${e.step}/${e.capability}/${e.metric}`;
      ev.set(key, sig(e.value));
      evList.push([key, sig(e.value), sig(e.ci_lo), sig(e.ci_hi), num(e.n)]);
    }
    for (const m of metricsOf.get(id) ?? []) {
      const key = `metric ${m.stage}/${m.step}/${m.name}`;
      ev.set(key, sig(m.value));
      evList.push([key, sig(m.value)]);
    }
    const st = new Map(stages.filter((x) => x.run_id === id).map((x) => [String(x.stage), String(x.input_hash)]));
    const dataHash = (r.data_hash as string | null) ?? null;
    const float = floatIdentityOf(r.float_settings);
    return {
      id,
      name: String(r.name),
      store: file,
      evals: ev,
      stages: st,
      dataHash,
      float,
      fingerprint: hashOf({ float, dataHash, stages: [...st], evals: evList }),
    };
  });
  return { version, runs: out, incomplete };
}

function floatIdentityOf(v: unknown): string | null {
  if (typeof v !== "string" || !v) return null;
  try {
    return String((JSON.parse(v) as { identity?: unknown }).identity ?? v);
  } catch {
    return v;
  }
}

function difference(a: RunFacts, b: RunFacts): string {
  if (a.float !== b.float)
    return (
      `float settings ${a.float ?? "(none)"} vs ${b.float ?? "(none)"} ` +
      (a.float?.split(";")[0] === b.float?.split(";")[0]
        ? "(other thread counts sum in another order: run both with the same BBIO_THREADS)"
        : "(a pinned run and a BBIO_FLOAT=native run, or two CPUs' native kernels, are not the same computation)")
    );
  if (a.dataHash !== b.dataHash) return `data hash ${a.dataHash} vs ${b.dataHash}`;
  for (const k of new Set([...a.stages.keys(), ...b.stages.keys()]))
    if (a.stages.get(k) !== b.stages.get(k))
      return `stage ${k} input hash ${a.stages.get(k) ?? "(none)"} vs ${b.stages.get(k) ?? "(none)"}`;
  for (const k of new Set([...a.evals.keys(), ...b.evals.keys()]))
    if (a.evals.get(k) !== b.evals.get(k))
      return `${k.startsWith("metric ") ? "" : "evals "}${k} = ${a.evals.get(k) ?? "(none)"} vs ${b.evals.get(k) ?? "(none)"}`;
  return "evals confidence intervals or counts differ";
}

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

export async function mergeStores(
  sources: readonly string[],
  dest: string,
  opts: { log?: (line: string) => void; timeoutMs?: number } = {},
): Promise<MergeResult> {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + "\n"));
  if (sources.length === 0) throw new BbioError("bbio merge: no stores given");
  const destAbs = resolve(dest);
  const uniq = [...new Set(sources.map((s) => resolve(s)))];
  // ---- checks that need no database ------------------------------------------------------------------------------
  for (const s of uniq) {
    if (s === destAbs || sameFile(s, destAbs))
      throw new BbioError(`bbio merge: ${s} is both a source and the target (--db)`, 2, "merge into a new file: --db <other>.duckdb");
    if (!existsSync(s)) throw new BbioError(`bbio merge: store ${s} does not exist`);
    const holder = lockHolder(s);
    if (holder)
      throw new BbioError(
        `bbio merge: ${s} is still being written (its lock is held by ${describeHolder(holder)})`,
        2,
        `wait for that shard to finish; if it is gone, delete ${lockPath(s)}`,
      );
  }
  const destHolder = lockHolder(destAbs);
  if (destHolder) throw new BbioError(`bbio merge: the target ${destAbs} is being written (lock held by ${describeHolder(destHolder)})`);

  // ---- open every source read-only: a DuckDB lock held by a writer means it is still being written ----------------
  const timeoutMs = opts.timeoutMs ?? 2000;
  const inst = await DuckDBInstance.create(":memory:");
  const con = await inst.connect();
  const aliases: string[] = [];
  const facts: { file: string; runs: RunFacts[]; incomplete: Record<string, string> }[] = [];
  try {
    await con.run("SET TimeZone = 'UTC'");
    for (const [i, s] of uniq.entries()) {
      const alias = `src${i}`;
      try {
        await retryWhileBusy(s, { timeoutMs, quiet: true }, () => con.run(`ATTACH ${sqlString(s)} AS ${alias} (READ_ONLY)`));
      } catch (e) {
        if (e instanceof BbioError && /stayed busy/.test(e.message))
          throw new BbioError(`bbio merge: ${s} is still being written (another process has it open)`, 2, "wait for that shard to finish");
        throw e;
      }
      aliases.push(alias);
      const f = await readFacts(con, alias, s);
      if (f.version !== SCHEMA_VERSION)
        throw new BbioError(
          `bbio merge: ${s} has schema version ${f.version}, this bbio (and the other stores) use ${SCHEMA_VERSION}`,
          2,
          "re-run that shard with this bbio into a new store",
        );
      facts.push({ file: s, ...f });
    }
    let destFacts: RunFacts[] = [];
    if (existsSync(destAbs)) {
      try {
        await retryWhileBusy(destAbs, { timeoutMs, quiet: true }, () => con.run(`ATTACH ${sqlString(destAbs)} AS dst (READ_ONLY)`));
      } catch (e) {
        if (e instanceof BbioError && /stayed busy/.test(e.message))
          throw new BbioError(`bbio merge: the target ${destAbs} is open in another process`);
        throw e;
      }
      const f = await readFacts(con, "dst", destAbs);
      await con.run("DETACH dst");
      if (f.version !== SCHEMA_VERSION)
        throw new BbioError(
          `bbio merge: the target ${destAbs} has schema version ${f.version}, the sources ${SCHEMA_VERSION}`,
          2,
          "merge into a new --db file",
        );
      destFacts = f.runs;
    }

    // ---- conflicts: one id, two different results --------------------------------------------------------------------
    const byId = new Map<string, RunFacts[]>();
    for (const r of [...destFacts, ...facts.flatMap((f) => f.runs)]) (byId.get(r.id) ?? byId.set(r.id, []).get(r.id)!).push(r);
    const conflicts: string[] = [];
    for (const [id, list] of byId) {
      const other = list.find((x) => x.fingerprint !== list[0].fingerprint);
      if (other)
        conflicts.push(`run ${id} (${list[0].name}): ${list[0].store} and ${other.store} disagree — ${difference(list[0], other)}`);
    }
    if (conflicts.length)
      throw new BbioError(
        `bbio merge: ${conflicts.length} run${conflicts.length > 1 ? "s have" : " has"} inconsistent duplicates (same id, different results); nothing was merged\n  ${conflicts.join("\n  ")}`,
        2,
        "the same config gave different results in two stores (another machine/backend or code?): merge them into separate targets, or drop one store",
      );

    // ---- copy --------------------------------------------------------------------------------------------------------
    const inDest = new Set(destFacts.map((r) => r.id));
    const todo: { id: string; alias: string; dataHash: string | null }[] = [];
    const planned = new Set<string>();
    for (const [i, f] of facts.entries())
      for (const r of f.runs)
        if (!inDest.has(r.id) && !planned.has(r.id)) {
          planned.add(r.id);
          todo.push({ id: r.id, alias: aliases[i], dataHash: r.dataHash });
        }
    const notComplete: Record<string, string> = {};
    for (const f of facts) for (const [id, st] of Object.entries(f.incomplete)) if (!byId.has(id)) notComplete[id] = st;

    if (todo.length) {
      const release = acquireLock(destAbs);
      try {
        await new Store(destAbs, { timeoutMs: 10_000 }).write(async () => {}); // create the schema if new
        await retryWhileBusy(destAbs, { timeoutMs, quiet: true }, () => con.run(`ATTACH ${sqlString(destAbs)} AS dst`));
        for (const [k, t] of todo.entries()) {
          await con.run("BEGIN TRANSACTION");
          try {
            await con.run(`DELETE FROM dst.runs WHERE id = $1`, [t.id]); // a non-complete attempt of the same run
            for (const tbl of ["run_params", "stages", ...RUN_TABLES]) await con.run(`DELETE FROM dst.${tbl} WHERE run_id = $1`, [t.id]);
            await con.run(`INSERT INTO dst.runs (${cols("runs")}) SELECT ${cols("runs")} FROM ${t.alias}.runs WHERE id = $1`, [t.id]);
            for (const tbl of ["run_params", "stages", ...RUN_TABLES])
              await con.run(`INSERT INTO dst.${tbl} (${cols(tbl)}) SELECT ${cols(tbl)} FROM ${t.alias}.${tbl} WHERE run_id = $1`, [t.id]);
            if (t.dataHash)
              for (const tbl of DATA_TABLES)
                await con.run(
                  `INSERT INTO dst.${tbl} (${cols(tbl)}) SELECT ${cols(tbl)} FROM ${t.alias}.${tbl} WHERE data_hash = $1
                   AND NOT EXISTS (SELECT 1 FROM dst.${tbl} WHERE data_hash = $1)`,
                  [t.dataHash],
                );
            await con.run("COMMIT");
          } catch (e) {
            await con.run("ROLLBACK").catch(() => {});
            throw e;
          }
          if ((k + 1) % 25 === 0) log(`bbio merge: ${k + 1}/${todo.length} runs copied`);
        }
        await con.run("DETACH dst");
      } finally {
        release();
      }
    }
    return {
      copied: todo.map((t) => t.id),
      alreadyPresent: [...inDest].filter((id) => byId.get(id)!.length > 1),
      notComplete,
      sources: uniq.length,
    };
  } finally {
    con.closeSync();
    inst.closeSync();
  }
}
