import { describe, expect, it } from "vitest";
import { ablationBars, ablationConfigs, ablationRows, deltaMAgainst, deltaMBaseline } from "../../src/analysis/ablations.ts";
import { CAP_LABEL } from "../../src/analysis/labels.ts";
import { four, siteRuns } from "./site-runs.ts";

const runs = siteRuns([
  { id: "c", method: "cagrpo", params: { "grpo.w": "dynamic" }, strict: four(0.6, 0.5, 0.4, 0.3) },
  { id: "s1", method: "sum", params: { "grpo.w": "static" }, strict: four(0.4, 0.4, 0.4, 0.4) },
  { id: "s2", method: "sum", params: { "grpo.w": "dynamic" }, strict: four(0.5, 0.5, 0.2, 0) },
  { id: "p", method: "pcgrad", params: { "grpo.w": "rare" }, strict: { ...four(0.4, 0.4, 0.4, 0.4), knowledge: [0.4, 0.3, 0.5, 10] } },
]);
const configs = ablationConfigs(runs);

describe("ablation grid", () => {
  it("configs in method display order; interval from the run's CI, else zero-width", () => {
    expect(configs.map((c) => c.key)).toEqual([
      "grpo.method=sum grpo.w=dynamic",
      "grpo.method=sum grpo.w=static",
      "grpo.method=pcgrad grpo.w=rare",
      "grpo.method=cagrpo grpo.w=dynamic",
    ]);
    expect(configs[2].ci.knowledge).toEqual([0.3, 0.5]);
    expect(configs[2].ci.reasoning).toEqual([0.4, 0.4]);
  });
  it("Δm's baseline: the sum config with the same settings, else the first sum config", () => {
    const [sumDyn, sumStatic, pcgrad, cagrpo] = configs;
    expect(deltaMBaseline(configs, cagrpo)).toBe(sumDyn);
    expect(deltaMBaseline(configs, pcgrad)).toBe(sumDyn);
    expect(deltaMBaseline(configs, sumStatic)).toBe(sumStatic);
    // cagrpo vs sum(dynamic): (+20% + 0% + 100%)/3 with integration (sum scores 0) left out
    expect(deltaMAgainst(cagrpo, sumDyn).value).toBeCloseTo(40, 10);
    expect(deltaMAgainst(cagrpo, sumDyn).skipped).toEqual(["integration"]);
  });
  it("rows: differing keys, seeds, means, Δm and its baseline", () => {
    const rows = ablationRows(configs);
    expect(rows[3]).toMatchObject({
      "grpo.method": "cagrpo",
      "grpo.w": "dynamic",
      seeds: 1,
      knowledge: 0.6,
      "Δm leaves out": "integration",
      "Δm baseline": "w=dynamic",
    });
    expect(rows[3]["Δm vs sum (%)"]).toBeCloseTo(40, 10);
    expect(rows[0]["Δm baseline"]).toBe("(itself)");
    expect(rows[0]["Δm leaves out"]).toBe("integration"); // sum(dynamic) scores 0 on integration
    expect(rows[1]["Δm leaves out"]).toBe("–");
    // pcgrad vs sum(dynamic): (−20% − 20% + 100%)/3 = +20%
    expect(rows[2]["Δm vs sum (%)"]).toBeCloseTo(20, 10);
    const noSum = ablationRows(ablationConfigs(runs.filter((r) => r.method !== "sum")));
    expect(noSum[0]).toMatchObject({ "Δm leaves out": "", "Δm baseline": "" });
    expect(noSum[0]["Δm vs sum (%)"]).toBeNaN();
  });
  it("bars: one per config and capability, labelled by method and the differing keys, intervals clipped to [0, 1]", () => {
    const bars = ablationBars(configs, CAP_LABEL);
    expect(bars).toHaveLength(16);
    expect(bars[8]).toEqual({ label: "pcgrad · w rare", method: "pcgrad", cap: "Domain knowledge", value: 0.4, lo: 0.3, hi: 0.5 });
  });
});
