// `bbio report` against the synthetic fixture store: the tables' structure, and every number equal to what the
// analysis functions (the same ones the pages call) give for the store's rows.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readReportInput } from "../../loaders/report.ts";
import { conflictControl } from "../../src/analysis/conflict.ts";
import { pairedComparisonRows } from "../../src/analysis/headline.ts";
import { byMethodOrder, CAPABILITIES } from "../../src/analysis/labels.ts";
import { CONFLICT_COLUMNS, PAIRED_COLUMNS, reportMarkdown, type ReportInput } from "../../src/analysis/report.ts";
import { makeFixtureStore } from "../browser/fixture-store.ts";

const dir = mkdtempSync(join(tmpdir(), "bbio-report-"));
const db = join(dir, "fixture.duckdb");
let input: ReportInput;
let md: string;

/** the Markdown table whose header line starts with `| first |`: header cells and body rows */
function table(text: string, header: readonly string[]): string[][] {
  const lines = text.split("\n");
  const at = lines.indexOf(`| ${header.join(" | ")} |`);
  expect(at, `table with header ${header.join(", ")}`).toBeGreaterThanOrEqual(0);
  expect(lines[at + 1]).toBe(`|${header.map(() => "---").join("|")}|`);
  const rows: string[][] = [];
  for (let i = at + 2; i < lines.length && lines[i].startsWith("|"); i++)
    rows.push(
      lines[i]
        .slice(2, -2)
        .split(" | ")
        .map((c) => c.trim()),
    );
  return rows;
}

beforeAll(async () => {
  await makeFixtureStore(db, { runs: 12, steps: 4, conflictRuns: true });
  input = await readReportInput(db);
  md = reportMarkdown(input);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("bbio report over the fixture store", () => {
  it("heads the tables with the store hash, the runs' commit and backend, and says what the runs did not record", () => {
    expect(input.runs.length).toBe(12 + 11);
    expect(md).toMatch(/store hash `[0-9a-f]{16}`/);
    expect(md).toContain("runs made at commit `fixturecommi`");
    expect(md).toContain("Backend: wasm.");
    expect(md).toContain("CPU: not recorded with the runs");
    expect(md).toContain("Pinned floating-point settings: none recorded with the runs.");
  });

  it("per-capability table: one row per capability, SFT-only, and each GRPO method as mean (each seed)", () => {
    const header = [
      "capability",
      "SFT-only, extraction",
      "SFT-only, control genes",
      "sum (2 seeds)",
      "pcgrad (2 seeds)",
      "mgda (2 seeds)",
      "cagrpo (2 seeds)",
    ];
    const rows = table(md, header);
    expect(rows.length).toBe(CAPABILITIES.length);
    for (const r of rows) for (const cell of r.slice(3)) expect(cell).toMatch(/^\d\.\d\d \(\d\.\d\d \/ \d\.\d\d\)$/);
    // the sum cell is the mean of its two runs' strict scores, each shown
    const sum = input.runs.filter((r) => !r.conflict && r.method === "sum").sort((a, b) => (a.id < b.id ? -1 : 1));
    const k = sum.map((r) => r.scores.knowledge!.value);
    expect(rows[0][3]).toBe(`${((k[0] + k[1]) / 2).toFixed(2)} (${k[0].toFixed(2)} / ${k[1].toFixed(2)})`);
  });

  it("method comparisons: the cells are pairedComparisonRows' for the same rows", () => {
    const rows = table(md, PAIRED_COLUMNS);
    const expected = pairedComparisonRows(
      input.runs.filter((r) => !r.conflict),
      input.evalItems,
    );
    expect(rows.length).toBe(expected.length);
    expect(rows).toEqual(expected.map((e) => PAIRED_COLUMNS.map((c) => String(e[c]))));
    expect(rows.every((r) => /^(higher|lower|undecided at \d+ seeds|items only \(1 seed\)|no data)$/.test(r[5]))).toBe(true);
  });

  it("conflict control: p-values and verdicts are conflictControl's; only supported conclusions are listed", () => {
    const rows = table(md, CONFLICT_COLUMNS);
    const per = conflictControl(
      input.runs.filter((r) => r.conflict),
      input.evals,
      byMethodOrder,
    ).perMethod;
    expect(rows.map((r) => r[0])).toEqual(per.map((m) => m.method));
    const pc = rows.find((r) => r[0] === "pcgrad")!;
    expect(pc[5]).toBe(per.find((m) => m.method === "pcgrad")!.p.toFixed(3));
    expect(pc[5]).toBe("0.004"); // 5 vs 5 disjoint seeds: 1/252
    expect(pc[7]).toBe("above every seed");
    expect(md).toContain("falls below its SFT-only start (0.22) in every one of 5 seed(s)");
    const concl = md.slice(md.indexOf("**Conclusions the seed-level intervals support:**"));
    expect(concl).toContain("pcgrad's lower case is above plain GRPO's");
    // no paired comparison is decided with 2 fixture seeds, so none is listed as a conclusion
    const decided = table(md, PAIRED_COLUMNS).filter((r) => r[5] === "higher" || r[5] === "lower");
    expect(concl.split("\n").filter((l) => l.startsWith("- ")).length).toBe(decided.length + 1);
  });

  it("`bbio report --readme` rewrites only the marked region; a file without markers is one clear error", () => {
    const readme = join(dir, "README.md");
    writeFileSync(readme, "# Title\n\nbefore\n\n<!-- report:begin -->\nold numbers\n<!-- report:end -->\n\nafter\n");
    execFileSync("npx", ["tsx", "src/cli.ts", "report", "--db", db, "--readme", readme], { stdio: "pipe" });
    const out = readFileSync(readme, "utf8");
    expect(out.startsWith("# Title\n\nbefore\n\n<!-- report:begin -->\n<!-- printed by `bbio report`")).toBe(true);
    expect(out.endsWith("<!-- report:end -->\n\nafter\n")).toBe(true);
    expect(out).not.toContain("old numbers");
    expect(out).toContain(`| ${PAIRED_COLUMNS.join(" | ")} |`);
    writeFileSync(readme, "no markers\n");
    let err = "";
    try {
      execFileSync("npx", ["tsx", "src/cli.ts", "report", "--db", db, "--readme", readme], { stdio: "pipe" });
    } catch (e) {
      err = String((e as { stderr: Buffer }).stderr);
    }
    expect(err).toMatch(/no <!-- report:begin --> … <!-- report:end --> region/);
    expect(readFileSync(readme, "utf8")).toBe("no markers\n");
  }, 120_000);
});
