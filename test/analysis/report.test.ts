import { describe, expect, it } from "vitest";
import {
  capabilityTable,
  conclusions,
  knowledgeRows,
  markdownTable,
  replaceReportRegion,
  splitHalfRows,
  stageTimeRows,
} from "../../src/analysis/report.ts";
import { four, siteRuns } from "./site-runs.ts";

describe("report (pure parts)", () => {
  it("markdownTable escapes pipes and keeps the column order", () => {
    expect(markdownTable(["a", "b"], [{ b: "x|y", a: 1 }])).toBe("| a | b |\n|---|---|\n| 1 | x\\|y |");
  });
  it("replaceReportRegion replaces only between the markers; missing or doubled markers are errors", () => {
    expect(replaceReportRegion("x\n<!-- report:begin -->\nold\n<!-- report:end -->\ny", "new\n")).toBe(
      "x\n<!-- report:begin -->\nnew\n<!-- report:end -->\ny",
    );
    expect(() => replaceReportRegion("x", "new")).toThrow(/no <!-- report:begin -->/);
    expect(() => replaceReportRegion("<!-- report:begin --><!-- report:begin --><!-- report:end -->", "n")).toThrow(/more than one/);
  });
  const runs = siteRuns([
    { id: "f", method: "sft-only", strict: { ...four(0.3, 0.1, 0.5, 0), knowledge: [0.3, 0.2, 0.4, 50] } },
    { id: "s0", method: "sum", seed: 0, strict: four(0.4, 0.1, 0.6, 0) },
    { id: "s1", method: "sum", seed: 1, strict: four(0.6, 0.1, 0.6, 0) },
  ]);
  it("capabilityTable: SFT-only with its interval, each method as mean (each seed's score)", () => {
    const t = capabilityTable(runs, []);
    expect(t.columns).toEqual(["capability", "SFT-only, extraction", "SFT-only, control genes", "sum (2 seeds)"]);
    expect(t.rows[0]).toEqual({
      capability: "Domain knowledge",
      "SFT-only, extraction": "0.30 [0.20, 0.40]",
      "SFT-only, control genes": "—",
      "sum (2 seeds)": "0.50 (0.40 / 0.60)",
    });
  });
  it("conclusions lists only seed-level decided comparisons", () => {
    const items = (run: string, v: number[]) =>
      v.map((value, i) => ({ run_id: run, item_id: `i${i}`, capability: "knowledge", split: "eval", value }));
    // sum's two seeds both far above SFT-only on knowledge: decided; instruction has no item rows
    const up = [...items("f", Array(30).fill(0)), ...items("s0", Array(30).fill(1)), ...items("s1", Array(30).fill(1))];
    const c = conclusions({ runs, evals: [], evalItems: up });
    expect(c).toEqual([
      expect.stringMatching(/^sum vs SFT-only, knowledge: higher, \+100\.0 points \[100\.0, 100\.0\] over 2 vs 1 run\(s\)/),
    ]);
    // seeds that disagree: nothing is concluded
    const split = [...items("f", Array(30).fill(0.5)), ...items("s0", Array(30).fill(1)), ...items("s1", Array(30).fill(0))];
    expect(conclusions({ runs, evals: [], evalItems: split })).toEqual([]);
  });

  it("stageTimeRows: per part and stage, the runs that computed it, median, range and total", () => {
    const rows = stageTimeRows([
      { part: "default", stage: "grpo", seconds: 10 },
      { part: "default", stage: "grpo", seconds: 30 },
      { part: "default", stage: "grpo", seconds: 20 },
      { part: "conflict", stage: "sft", seconds: 5 },
    ]);
    expect(rows).toEqual([
      { part: "default", stage: "grpo", runs: "3", "median s": "20.0", "range s": "10.0 – 30.0", "total s": "60" },
      { part: "conflict", stage: "sft", runs: "1", "median s": "5.0", "range s": "5.0 – 5.0", "total s": "5" },
    ]);
  });
  it("splitHalfRows: median and quartiles per capability, non-finite values left out, read against the null band", () => {
    const rows = splitHalfRows(
      [
        ...[0.1, 0.2, 0.3, 0.4, 0.5].map((value) => ({ capability: "knowledge", value })),
        { capability: "knowledge", value: Number.NaN },
        { capability: "reasoning", value: 0.001 },
      ],
      1_000_000,
    );
    expect(rows).toEqual([
      {
        capability: "knowledge",
        steps: "5",
        median: "0.3000",
        quartiles: "0.2000 – 0.4000",
        "cos > 0": "100% (sign test p 0.063)",
        reading: "noise",
      },
      {
        capability: "reasoning",
        steps: "1",
        median: "0.0010",
        quartiles: "0.0010 – 0.0010",
        "cos > 0": "100% (sign test p 1.000)",
        reading: "noise",
      },
    ]);
  });
  it("knowledgeRows: SFT-only's knowledge metrics beside the same metric on control genes; other runs ignored", () => {
    const ev = (run_id: string, metric: string, value: number) => ({
      run_id,
      capability: "knowledge",
      metric,
      value,
      ci_lo: value - 0.1,
      ci_hi: value + 0.1,
      n: 100,
    });
    const rows = knowledgeRows({
      runs,
      evals: [ev("f", "acc", 0.6), ev("f", "control/acc", 0.25), ev("s0", "acc", 0.9), ev("f", "acc_generate", 0.2)] as never,
    });
    expect(rows).toEqual([
      { metric: "acc", "extraction genes": "0.60 [0.50, 0.70]", "control genes": "0.25 [0.15, 0.35]" },
      { metric: "acc_generate", "extraction genes": "0.20 [0.10, 0.30]", "control genes": "—" },
    ]);
  });
});
