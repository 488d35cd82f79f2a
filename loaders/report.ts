/**
 * What `bbio report` reads from a store: the same rows the site exports (outputs.ts's SQL over the v_* views, complete
 * runs only) joined the way the pages join them (src/analysis/runs.ts joinRuns, conflict runs included), plus the
 * provenance build.json carries (meta.ts: commit, store hash) and what the runs recorded about the machine. It lives
 * here, beside the site's loaders, so the README's tables and the pages are computed from identical inputs.
 *
 * Machine facts: the runs table records the backend; a CPU model or pinned floating-point / threading settings count
 * only when the runs recorded them (config keys such as native.* / *.threads / *isa* / *pin*); the CPU of the machine
 * printing the report is said to be that, never passed off as where the runs were made.
 */
import { cpus } from "node:os";
import { joinRuns, type CapScore, type EvalRow, type StoredRun } from "../src/analysis/runs.ts";
import type { EvalItemRow } from "../src/analysis/compare.ts";
import type { ReportInput } from "../src/analysis/report.ts";
import { buildMeta } from "./meta.ts";
import { OUTPUT_BY_FILE } from "./outputs.ts";
import { query } from "./store.ts";

const sqlOf = (file: string) => OUTPUT_BY_FILE.get(file)!.sql;

/** config keys that record the machine's floating-point or threading setup, or its CPU */
const PINNED_KEY = /(^|\.)(native|pin|pinned|isa|threads|num_threads|blas|onednn|aten|fp|float)[._a-z]*$|(^|\.)(pin|isa|threads)/i;
const CPU_KEY = /(^|\.)cpu(_model)?$/i;

export async function readReportInput(dbPath: string): Promise<ReportInput> {
  const [runs, scores, evals, evalItems, allParams, meta] = await Promise.all([
    query(sqlOf("runs.arrow"), dbPath),
    query(sqlOf("scores.arrow"), dbPath),
    query(sqlOf("evals.arrow"), dbPath),
    query(sqlOf("eval_items.arrow"), dbPath),
    query(`SELECT run_id, key, value FROM v_run_params ORDER BY run_id, key`, dbPath),
    buildMeta(dbPath),
  ]);
  // the float settings each run computed under (runs.float_settings, src/model/float.ts): identity, the kernels ATen
  // and OpenBLAS dispatched to, and the CPU when the run recorded it
  const floats = (await query(`SELECT DISTINCT float_settings FROM v_runs WHERE float_settings IS NOT NULL`, dbPath)).flatMap((r) => {
    try {
      return [JSON.parse(String(r.float_settings)) as { identity?: string; aten?: string; openblas?: string; cpu?: string }];
    } catch {
      return [];
    }
  });
  const params = await query(sqlOf("params.arrow"), dbPath);
  const num = (v: unknown) => (v === null || v === undefined ? NaN : Number(v));
  const stored = runs.map((r) => ({ ...r, seed: num(r.seed) })) as unknown as StoredRun[];
  const joined = joinRuns(
    stored,
    params as { run_id: string; key: string; value: string }[],
    scores.map((s) => ({ ...s, value: num(s.value), ci_lo: num(s.ci_lo), ci_hi: num(s.ci_hi), n: num(s.n) })) as CapScore[],
    "strict",
    { conflict: true },
  );
  const pinned: string[] = [
    ...new Set(allParams.filter((p) => PINNED_KEY.test(String(p.key)) && !CPU_KEY.test(String(p.key))).map((p) => `${p.key}=${p.value}`)),
  ].sort();
  for (const f of floats) if (f.identity) pinned.push(`${f.identity} (ATen ${f.aten ?? "?"}, OpenBLAS ${f.openblas ?? "?"})`);
  const cpu = [
    ...new Set([
      ...allParams.filter((p) => CPU_KEY.test(String(p.key))).map((p) => String(p.value)),
      ...floats.flatMap((f) => (f.cpu ? [f.cpu] : [])),
    ]),
  ];
  const stageTimes = (
    await query(
      `SELECT CASE WHEN r.name LIKE 'conflict%' THEN 'conflict' ELSE 'default' END AS part, s.stage, s.seconds
       FROM stages s JOIN v_runs r ON r.id = s.run_id WHERE NOT s.reused AND s.seconds IS NOT NULL ORDER BY 1, s.started_at`,
      dbPath,
    )
  ).map((r) => ({ part: String(r.part), stage: String(r.stage), seconds: num(r.seconds) }));
  const splitHalf = (
    await query(
      `SELECT replace(m.name, 'grad/split_half_cos/', '') AS capability, m.value
       FROM metrics m JOIN v_runs r ON r.id = m.run_id
       WHERE m.name LIKE 'grad/split_half_cos/%' AND r.method = 'sum' AND r.name NOT LIKE 'conflict%'`,
      dbPath,
    )
  ).map((r) => ({ capability: String(r.capability), value: num(r.value) }));
  // the gradient's dimension (the parameters of the default world's model): the sum of its parameter blocks' sizes
  const dim = await query(
    `SELECT sum(block_size) AS d FROM (SELECT DISTINCT b.block, b.block_size FROM grad_gram_blocks b
       JOIN v_runs r ON r.id = b.run_id WHERE r.method = 'sum' AND r.name NOT LIKE 'conflict%'
       AND b.run_id = (SELECT min(id) FROM v_runs WHERE method = 'sum' AND name NOT LIKE 'conflict%'))`,
    dbPath,
  );
  return {
    stageTimes,
    splitHalf,
    gradDim: num(dim[0]?.d) || undefined,
    runs: joined,
    evals: evals.map((e) => ({ ...e, value: num(e.value), ci_lo: num(e.ci_lo), ci_hi: num(e.ci_hi), n: num(e.n) })) as EvalRow[],
    evalItems: evalItems.map((e) => ({ ...e, value: num(e.value) })) as unknown as EvalItemRow[],
    provenance: {
      runCommits: [
        ...new Set(stored.filter((r) => r.git_commit).map((r) => `${r.git_commit!.slice(0, 12)}${r.git_dirty ? "+" : ""}`)),
      ].sort(),
      commit: meta.commit ? meta.commit.slice(0, 12) : null,
      dirty: meta.dirty,
      storeHash: meta.store_hash,
      backends: [...new Set(stored.map((r) => r.backend).filter((b): b is string => !!b))].sort(),
      cpu: cpu.length ? cpu.join("; ") : null,
      printedOn: cpus()[0]?.model?.trim() || null,
      pinned,
    },
  };
}
