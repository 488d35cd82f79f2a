import { describe, expect, it } from "vitest";
import { capabilityTable, conclusions, markdownTable, replaceReportRegion } from "../../src/analysis/report.ts";
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
      v.map((value, i) => ({ run_id: run, item_id: `i${i}`, family: "knowledge", split: "eval", value }));
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
});
