/**
 * Loader outputs: each site file's Arrow schema matches its declared contract (loaders/outputs.ts), only complete
 * runs reach the site, capability scores pick the preferred metric, ablation params keep only differing keys, a
 * missing store gives empty-but-typed files, and the analysis bundle is a self-contained browser module.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromIPC, Type } from "apache-arrow";
import { SITE_FILES, render, renderSite } from "../../loaders/emit.ts";
import { OUTPUTS } from "../../loaders/outputs.ts";
import { analysisBundle } from "../../loaders/analysis-bundle.ts";
import { withDb } from "../../src/store/db.ts";
import { makeFixtureStore } from "../browser/fixture-store.ts";

const ARROW_TYPE = { string: Type.Utf8, float: Type.Float, int: Type.Int, bool: Type.Bool } as const;
let dir: string;
let db: string;
const table = async (file: string, path = db) => tableFromIPC(await render(file, path));
const rowsOf = async (file: string, path = db) => (await table(file, path)).toArray().map((r) => r.toJSON() as Record<string, unknown>);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "bbio-loaders-"));
  db = join(dir, "store.duckdb");
  await makeFixtureStore(db, { runs: 12, steps: 5, items: 20 });
  // one run that is still running: the site must not see it, nor its rows
  await withDb(db, { readOnly: false, quiet: true }, (d) => d.run(`UPDATE runs SET status = 'running' WHERE id = 'fx00009'`));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("site files from the store", () => {
  test.each(OUTPUTS.map((o) => o.file))("%s has exactly its declared schema", async (file) => {
    const out = OUTPUTS.find((o) => o.file === file)!;
    const t = await table(file);
    expect(t.schema.fields.map((f) => f.name)).toEqual(out.schema.map(([n]) => n));
    t.schema.fields.forEach((f, i) => expect(f.type.typeId).toBe(ARROW_TYPE[out.schema[i][1]]));
    expect(t.numRows).toBeGreaterThan(0);
  });

  test("only complete runs reach the site", async () => {
    const runs = await rowsOf("runs.arrow");
    expect(runs).toHaveLength(11);
    expect(runs.map((r) => r.id)).not.toContain("fx00009");
    expect((await rowsOf("scores.arrow")).some((r) => r.run_id === "fx00009")).toBe(false);
    expect((await rowsOf("gram.arrow")).some((r) => r.run_id === "fx00009")).toBe(false);
  });

  test("scores: one row per run × capability × definition — strict = the preferred metric ('score' over 'format', never 'score_mean'), partial = 'score_mean'", async () => {
    const scores = await rowsOf("scores.arrow");
    expect(scores).toHaveLength(11 * 4 * 2);
    const strict = scores.filter((s) => s.definition === "strict"),
      partial = scores.filter((s) => s.definition === "partial");
    expect(strict).toHaveLength(11 * 4);
    expect(partial).toHaveLength(11 * 4);
    expect(new Set(strict.map((s) => s.metric))).toEqual(new Set(["score"]));
    expect(new Set(partial.map((s) => s.metric))).toEqual(new Set(["score_mean"]));
    for (const s of scores) expect(Number(s.ci_lo)).toBeLessThanOrEqual(Number(s.value));
    // both definitions at the same (last) step; partial credit differs where the fixture makes it (instruction, integration)
    const key = (s: Record<string, unknown>) => `${s.run_id}/${s.capability}`;
    const strictBy = new Map(strict.map((s) => [key(s), s]));
    for (const p of partial) {
      const s = strictBy.get(key(p))!;
      expect(p.step).toBe(s.step);
      if (p.capability === "knowledge" || p.capability === "reasoning") expect(p.value).toBe(s.value);
      else expect(Number(p.value)).toBeGreaterThan(Number(s.value));
    }
  });

  test("scores: a store without partial credit still gives every strict score, and no partial rows", async () => {
    const old = join(dir, "strict-only.duckdb");
    await makeFixtureStore(old, { runs: 6, steps: 2, items: 8 });
    await withDb(old, { readOnly: false, quiet: true }, (d) => d.run(`DELETE FROM evals WHERE metric = 'score_mean'`));
    const scores = await rowsOf("scores.arrow", old);
    expect(scores).toHaveLength(6 * 4);
    expect(new Set(scores.map((s) => `${s.definition}:${s.metric}`))).toEqual(new Set(["strict:score"]));
  });

  test("params: only the config keys that differ between runs, never the run name", async () => {
    const keys = new Set((await rowsOf("params.arrow")).map((p) => p.key));
    // differing: method, weight strategy, seed; identical everywhere (model.*, grpo.beta): not shown
    expect(keys).toEqual(new Set(["grpo.method", "grpo.weight_strategy", "seed"]));
  });

  test("evals: every metric at the last step, baselines included", async () => {
    const evals = await rowsOf("evals.arrow");
    expect(evals).toHaveLength(11 * 4 * 5);
    expect(new Set(evals.map((e) => e.metric))).toEqual(
      new Set(["score", "score_mean", "format", "baseline/chance", "baseline/untrained"]),
    );
  });

  test("completions: only each run's first and last logged step (before / after RL)", async () => {
    const c = await rowsOf("completions.arrow");
    expect(new Set(c.map((r) => r.step))).toEqual(new Set([1, 5])); // steps 1, 4 and 5 were logged
    expect(c.some((r) => r.run_id === "fx00009")).toBe(false);
  });

  test("gram: a zero gradient has no cosine (NULL), not cos = 0 ('orthogonal')", async () => {
    const gram = await rowsOf("gram.arrow");
    const at3 = gram.filter((g) => g.run_id === "fx00001" && g.step === 3);
    expect(at3).toHaveLength(16);
    for (const g of at3) {
      if (g.capability_i === "integration" || g.capability_j === "integration") expect(g.cos).toBeNull();
      else expect(Number.isFinite(g.cos)).toBe(true);
    }
    expect(gram.filter((g) => g.step !== 3).every((g) => g.cos !== null)).toBe(true);
  });

  test("build.json states the commit and the data hash, and no machine path", async () => {
    const text = new TextDecoder().decode(await render("build.json", db));
    const meta = JSON.parse(text);
    expect(meta.runs).toBe(11);
    // our scale, from the stored configs: 2 layers, d=64, vocab 512, block 128 → src/model's paramCount
    expect(meta.models).toEqual([{ n_layer: 2, n_head: 4, n_embd: 64, block_size: 128, vocab_size: 512, params: 141056, runs: 11 }]);
    expect(meta.data_hashes).toEqual(["fixturedata00001"]);
    expect(meta.store_hash).toMatch(/^[0-9a-f]{16}$/);
    expect(meta).toHaveProperty("commit");
    expect(text).not.toContain(dir);
  });

  test("a missing store gives empty files with the full schema (pages then say 'no runs yet')", async () => {
    const missing = join(dir, "nope.duckdb");
    for (const o of OUTPUTS) {
      const t = await table(o.file, missing);
      expect(t.numRows).toBe(0);
      expect(t.schema.fields.map((f) => f.name)).toEqual(o.schema.map(([n]) => n));
    }
    expect(JSON.parse(new TextDecoder().decode(await render("build.json", missing))).runs).toBe(0);
  });

  test("an unknown site file is a clear error", async () => {
    await expect(render("nope.arrow", db)).rejects.toThrow(/unknown site file "nope.arrow"/);
  });
});

describe("site.tar: every site file in one archive (one loader process per build)", () => {
  test("is a ustar archive Framework's extractor (tar-stream) reads back member by member, byte for byte", async () => {
    const { bytes } = await renderSite(db);
    expect(bytes.length % 512).toBe(0);
    // tar-stream is what Framework's TarExtractor uses; it is installed with Framework
    const { extract } = (await import("tar-stream")) as unknown as {
      extract: () => NodeJS.ReadWriteStream &
        AsyncIterable<NodeJS.ReadableStream & { header: { name: string; size: number; type: string } }>;
    };
    const ex = extract();
    ex.end(Buffer.from(bytes));
    const members: [string, Buffer][] = [];
    for await (const entry of ex) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      members.push([entry.header.name, Buffer.concat(chunks)]);
    }
    expect(members.map(([n]) => n)).toEqual([...SITE_FILES]);
    for (const [name, content] of members) expect(Buffer.compare(content, Buffer.from(await render(name, db))), name).toBe(0);
    expect(JSON.parse(members.find(([n]) => n === "build.json")![1].toString("utf8")).runs).toBe(11);
    // the archive names no machine path and is the same on every machine (mtime 0, no owner)
    expect(Buffer.from(bytes).includes(Buffer.from(dir))).toBe(false);
  });
});

describe("analysis bundle for the browser", () => {
  test("is one self-contained ES module exposing src/analysis, with no machine paths", async () => {
    const code = await analysisBundle();
    expect(code).not.toMatch(/^\s*import\s/m); // nothing left to resolve in the browser
    expect(code).not.toContain("/work/");
    const file = join(dir, "analysis.mjs");
    writeFileSync(file, code);
    const A = await import(file);
    expect(
      A.nonDominated([
        [1, 0],
        [0, 1],
        [0.5, 0.5],
        [0.2, 0.2],
      ]),
    ).toEqual([0, 1, 2]);
    expect(A.hypervolume([[1, 1]], [0, 0])).toBe(1);
  });
});
