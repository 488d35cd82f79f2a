import { describe, expect, it } from "vitest";
import { chanceCell, configComparisons, configsCaption, headlineTable, pairedComparisonRows } from "../../src/analysis/headline.ts";
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
    { run_id: "f", capability: "knowledge", metric: "control", value: 0.26, ci_lo: 0.2, ci_hi: 0.32, n: 50 },
    { run_id: "c1", capability: "knowledge", metric: "baseline/chance", value: 0.24 },
    { run_id: "f", capability: "knowledge", metric: "baseline/chance", value: 0.26 },
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
    { id: "p2", method: "pcgrad", seed: 2, params: { "grpo.beta": 0.1 }, strict: four(0, 0, 0, 0) },
  ]);
  const items = (run: string, vs: number[]) =>
    vs.map((value, i) => ({ run_id: run, item_id: `i${i}`, capability: "knowledge", split: "eval", value }));
  const evalItems = [...items("f", [0, 0, 0, 0]), ...items("s", [1, 0, 1, 0]), ...items("p", [1, 1, 1, 1]), ...items("p2", [1, 1, 1, 0])];
  const rows = pairedComparisonRows(runs, evalItems);
  it("each GRPO config against SFT-only and (unless it is sum) against sum, per capability", () => {
    expect([...new Set(rows.map((r) => `${r.config} vs ${r.vs}`))]).toEqual([
      "sum vs SFT-only",
      "pcgrad · beta 0.1 vs SFT-only",
      "pcgrad · beta 0.1 vs sum",
    ]);
    expect(rows.length).toBe(3 * 4);
    const pcSum = rows.filter((r) => r.config === "pcgrad · beta 0.1" && r.vs === "sum");
    // pcgrad (2 seeds: 1.00 and 0.75) − sum (1 seed: 0.50) on knowledge = +37.5; reasoning has no item rows → "—"
    expect(pcSum[0]).toMatchObject({ capability: "Domain knowledge", "per seed": "1.00 / 0.75", "per seed (vs)": "0.50" });
    expect(pcSum[0]["difference [95% CI]"]).toMatch(/^\+37\.5 \[/);
    expect(pcSum[1]).toMatchObject({ capability: "Reasoning", "difference [95% CI]": "—", verdict: "no data" });
  });
  it("the numbers are the comparison's: the verdict is comparisonWording's, one seed per side is items only", () => {
    const raw = configComparisons(runs, evalItems);
    const sumSft = raw.find((x) => x.config === "sum" && x.capability === "knowledge")!;
    expect(sumSft.comparison!.basis).toBe("items only (1 seed)");
    expect(rows.find((r) => r.config === "sum" && r.capability === "Domain knowledge")!.verdict).toBe("items only (1 seed)");
    const pcSft = raw.find((x) => x.config === "pcgrad · beta 0.1" && x.vs === "SFT-only" && x.capability === "knowledge")!;
    const row = rows.find((r) => r.config === "pcgrad · beta 0.1" && r.vs === "SFT-only" && r.capability === "Domain knowledge")!;
    expect(row.MDD).toBe((100 * pcSft.comparison!.mdd).toFixed(1));
    expect(row.verdict).toMatch(/^(higher|undecided at 2 seeds)$/);
  });
});
