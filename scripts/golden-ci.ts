#!/usr/bin/env -S npx tsx
/**
 * The `ci` config's metrics as a golden file: the numbers a fresh `bbio run ci` must reproduce bit for bit on the
 * native backend with the pinned float settings (docs/method.md §10, native/README.md "Same numbers on any x86-64 CPU").
 *
 *   npx tsx scripts/golden-ci.ts                 # run ci fresh, compare with test/golden/ci-metrics.json (exit 1 on a difference)
 *   npx tsx scripts/golden-ci.ts --write         # regenerate the golden file
 *   npx tsx scripts/golden-ci.ts --out f.json    # run ci fresh and write its metrics to f.json (measurements)
 *   npx tsx scripts/golden-ci.ts --diff a.json b.json   # count the rows where two metric files differ
 *
 * Regenerate ONLY for an intended numeric change (a stage's maths, the data generator, the ci config, libtorch or
 * OpenBLAS upgraded), and say so in the commit; never to make a failing golden test pass on another machine — a
 * difference there is exactly what the test exists to catch.
 *
 * Runs in its own process: the float settings are environment variables read when libtorch/OpenBLAS load, so each
 * setting needs a fresh process (the golden test spawns this script). Timing metrics (tokens/s, seconds) are left out.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const GOLDEN = resolve(import.meta.dirname, "../test/golden/ci-metrics.json");
/** ATen and OpenBLAS threads of the golden run (2: the reference machine's cores; results depend on the count) */
export const GOLDEN_THREADS = 2;

export interface MetricRow {
  stage: string;
  step: number;
  name: string;
  value: number | null;
}
export interface GoldenFile {
  config: string;
  float: { identity: string; aten: string | null; openblas: string | null } | null;
  rows: MetricRow[];
}

const key = (r: MetricRow) => `${r.stage}/${r.step}/${r.name}`;

/** Rows that differ (bit-exact: Object.is, so NaN = NaN and -0 ≠ 0), plus rows present on one side only. */
export function diffRows(
  a: readonly MetricRow[],
  b: readonly MetricRow[],
): { key: string; a: number | null | undefined; b: number | null | undefined }[] {
  const bm = new Map(b.map((r) => [key(r), r.value]));
  const am = new Map(a.map((r) => [key(r), r.value]));
  const out: { key: string; a: number | null | undefined; b: number | null | undefined }[] = [];
  for (const [k, v] of am) if (!bm.has(k) || !Object.is(bm.get(k), v)) out.push({ key: k, a: v, b: bm.get(k) });
  for (const [k, v] of bm) if (!am.has(k)) out.push({ key: k, a: undefined, b: v });
  return out;
}

async function runCi(): Promise<GoldenFile> {
  // the native backend or nothing: a silent wasm fallback would compare wasm numbers with native ones
  process.env.BBIO_BACKEND = "native";
  // thread counts change the order of sums (src/model/float.ts): the golden numbers are those of a fixed count, not of
  // this machine's cores ÷ jobs, so any machine can reproduce them
  process.env.BBIO_THREADS = String(GOLDEN_THREADS);
  process.env.BBIO_ATEN_THREADS = String(GOLDEN_THREADS);
  const { runConfig } = await import("../src/pipeline/index.ts");
  const { queryStore } = await import("../src/store/query.ts");
  const { TIMING_METRIC } = await import("../src/sweep/merge.ts");
  const { nativeInfo } = await import("../src/model/native.ts");
  const dir = mkdtempSync(join(tmpdir(), "bbio-golden-"));
  try {
    const db = join(dir, "golden.duckdb");
    const r = await runConfig("ci", [], { db, cacheDir: join(dir, "cache"), log: () => {} });
    const q = await queryStore(db, `SELECT stage, step, name, value FROM metrics WHERE run_id = '${r.runId}' ORDER BY stage, step, name`, {
      quiet: true,
    });
    const rows = (q.rows as Record<string, unknown>[])
      .filter((x) => !TIMING_METRIC.test(String(x.name)))
      .map((x) => ({
        stage: String(x.stage),
        step: Number(x.step),
        name: String(x.name),
        value: x.value === null ? null : Number(x.value),
      }));
    const n = nativeInfo();
    return { config: "ci", float: n ? { identity: n.float.identity, aten: n.atenCapability, openblas: n.blasCore ?? null } : null, rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const read = (f: string): GoldenFile => JSON.parse(readFileSync(f, "utf8")) as GoldenFile;
const write = (f: string, g: GoldenFile) => writeFileSync(f, JSON.stringify(g, null, 2) + "\n");

async function main(argv: string[]): Promise<number> {
  if (argv[0] === "--diff") {
    const d = diffRows(read(argv[1]).rows, read(argv[2]).rows);
    const stages = [...new Set(d.map((x) => x.key.split("/")[0]))];
    process.stdout.write(`${d.length} of ${read(argv[1]).rows.length} rows differ${d.length ? ` (stages: ${stages.join(", ")})` : ""}\n`);
    return 0;
  }
  const g = await runCi();
  const out = argv[0] === "--write" ? GOLDEN : argv[0] === "--out" ? argv[1] : undefined;
  if (out) {
    write(out, g);
    process.stdout.write(`${g.rows.length} metric rows → ${out}\n`);
    return 0;
  }
  const golden = read(GOLDEN);
  const d = diffRows(golden.rows, g.rows);
  const sameFloat = golden.float?.identity === g.float?.identity;
  process.stdout.write(
    JSON.stringify({ rows: g.rows.length, differ: d.length, first: d.slice(0, 5), float: g.float, goldenFloat: golden.float }) + "\n",
  );
  return d.length || !sameFloat ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("golden-ci.ts"))
  main(process.argv.slice(2)).then((c) => process.exit(c));
