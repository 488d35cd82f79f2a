import { describe, expect, it } from "vitest";
import { chanceCell, configsCaption, fmtPaired, headlineTable, pairedComparisonRows } from "../../src/analysis/headline.ts";
import { four, siteRuns } from "./site-runs.ts";

const headline = [{ capability: "knowledge", label: "Domain expertise (BIOMED-MMLU)", paper: 80.95, gain: 15.32 }];

describe("headlineTable", () => {
  const runs = siteRuns([
    { id: "c1", method: "cagrpo", seed: 1, strict: four(0.5, 0.1, 0, 0) },
    { id: "c2", method: "cagrpo", seed: 2, strict: four(0.7, 0.1, 0, 0) },
    { id: "f", method: "sft-only", strict: { ...four(0.3, 0.1, 0, 0), knowledge: [0.3, 0.25, 0.35, 80] } },
    { id: "s", method: "sum", strict: { ...four(0.4, 0.1, 0, 0), knowledge: [0.4, 0.3, 0.5, 80] } },
  ]);
  const evals = [
    { run_id: "f", family: "knowledge", metric: "control", value: 0.26, ci_lo: 0.2, ci_hi: 0.32, n: 50 },
    { run_id: "c1", family: "knowledge", metric: "baseline/chance", value: 0.24 },
    { run_id: "f", family: "knowledge", metric: "baseline/chance", value: 0.26 },
  ];
  it("ours over 2 seeds, the gap to the strongest other method (sum), SFT-only, its control, chance", () => {
    const t = headlineTable(headline, runs, evals);
    // ours: mean 0.6, t-interval half-width 12.706 · 0.1 = 1.2706; gap vs sum 0.6 − 0.4 = 0.2 with half-widths
    // √(1.2706² + 0.1²) = 1.2745 on both sides
    expect(t.rows).toEqual([
      {
        Capability: "Domain expertise (BIOMED-MMLU)",
        "Paper (0.5B)": "80.95 (+15.32)",
        // intervals clipped to the metric's range: a score to [0, 100], a difference of scores to [−100, 100]
        "Ours: CA-GRPO": "60.0 [0.0, 100.0]",
        "gap vs best other": "+20.0 [-100.0, 100.0] (sum)",
        "Ours: SFT only": "30.0 [25.0, 35.0]",
        "Control (unseen genes): SFT only": "26.0 [20.0, 32.0] n=50",
        Chance: "25.0 (1 of 4)", // 4-option cloze: 1/4 by construction, whatever the eval stage's baseline says
      },
    ]);
    expect(configsCaption(t.shown)).toBe("cagrpo (2 seeds); sft-only (1 seed); sum (1 seed)");
  });
  it("without runs only the paper's column is filled", () => {
    const t = headlineTable(headline, [], []);
    expect(t.rows[0]).toMatchObject({
      "Ours: CA-GRPO": "—",
      "gap vs best other": "—",
      "Ours: SFT only": "—",
      "Control (unseen genes): SFT only": "—",
      Chance: "25.0 (1 of 4)",
    });
    expect(chanceCell("instruction", 1)).toBe("none (see control)"); // free-text rules: no chance level
    expect(chanceCell("integration", 0.435)).toBe("none (see control)");
    expect(chanceCell("reasoning", 0.1)).toBe("10.0");
    expect(t.ours).toBeNull();
    expect(t.shown).toEqual([]);
  });
});

describe("pairedComparisonRows", () => {
  const runs = siteRuns([
    { id: "f", method: "sft-only", strict: four(0, 0, 0, 0) },
    { id: "s", method: "sum", strict: four(0, 0, 0, 0) },
    { id: "p", method: "pcgrad", params: { "grpo.beta": 0.1 }, strict: four(0, 0, 0, 0) },
  ]);
  const items = (run: string, vs: number[]) =>
    vs.map((value, i) => ({ run_id: run, item_id: `i${i}`, family: "knowledge", split: "eval", value }));
  const rows = pairedComparisonRows(runs, [...items("f", [0, 0, 0, 0]), ...items("s", [1, 0, 1, 0]), ...items("p", [1, 1, 1, 1])]);
  it("each GRPO config against SFT-only and (unless it is sum) against sum, per capability", () => {
    expect(rows.map((r) => [r.config, r.vs])).toEqual([
      ["sum", "SFT-only"],
      ["pcgrad · beta 0.1", "SFT-only"],
      ["pcgrad · beta 0.1", "sum"],
    ]);
    // pcgrad − sum on knowledge: differences [0, 1, 0, 1] → +50.0; reasoning has no item rows → "—"
    expect(rows[2]["Domain knowledge"]).toMatch(/^\+50\.0 \[/);
    expect(rows[2].Reasoning).toBe("—");
    // pcgrad − SFT: every item +1 → a zero-width interval that excludes 0
    expect(rows[1]["Domain knowledge"]).toBe("+100.0 [100.0, 100.0] MDD 0.0 *");
  });
  it("fmtPaired", () => {
    expect(fmtPaired(null)).toBe("—");
    expect(fmtPaired({ estimate: -0.05, lo: -0.1, hi: 0.002, mdd: 0.08, excludesZero: false } as never)).toBe("-5.0 [-10.0, 0.2] MDD 8.0");
  });
});
