// The Live page's settings check, form parsing and chart rows (src/analysis/live.ts).
import { describe, expect, it } from "vitest";
import {
  LIVE_DEFAULTS,
  liveEndRows,
  liveFormSettings,
  liveSettingsError,
  liveStepDifference,
  liveStepRows,
  parseSlotWeights,
} from "../../src/analysis/live.ts";

describe("live settings", () => {
  it("accepts the defaults and refuses what the checkpoint's config does not support", () => {
    expect(liveSettingsError(LIVE_DEFAULTS)).toBeNull();
    expect(liveSettingsError({ ...LIVE_DEFAULTS, steps: 0 })).toMatch(/steps/);
    expect(liveSettingsError({ ...LIVE_DEFAULTS, steps: 25 })).toMatch(/steps/);
    expect(liveSettingsError({ ...LIVE_DEFAULTS, steps: 2.5 })).toMatch(/steps/);
    expect(liveSettingsError({ ...LIVE_DEFAULTS, seed: -1 })).toMatch(/seed/);
    expect(liveSettingsError({ ...LIVE_DEFAULTS, seed: Number.NaN })).toMatch(/seed/);
    expect(liveSettingsError({ ...LIVE_DEFAULTS, slotWeights: [0, 0] })).toMatch(/both be 0/);
    expect(liveSettingsError({ ...LIVE_DEFAULTS, slotWeights: [-1, 1] })).toMatch(/slot weights/);
    expect(liveSettingsError({ ...LIVE_DEFAULTS, method: "famo" as never })).toMatch(/update rule/);
    expect(liveSettingsError({ ...LIVE_DEFAULTS, optim: "adam" as never })).toMatch(/optimizer/);
  });

  it("reads the form: weights as typed, refusals as one sentence", () => {
    expect(parseSlotWeights("3 : 1")).toEqual([3, 1]);
    expect(parseSlotWeights("0.5:2")).toEqual([0.5, 2]);
    expect(parseSlotWeights("3/1")).toBeNull();
    const form = { method: "pcgrad", weights: "3:1", optim: "adamw", seed: 4, steps: 5 };
    expect(liveFormSettings(form)).toEqual({
      settings: { method: "pcgrad", slotWeights: [3, 1], optim: "adamw", seed: 4, steps: 5 },
      error: null,
    });
    expect(liveFormSettings({ ...form, weights: "three" }).error).toMatch(/capitals : lower case/);
    expect(liveFormSettings({ ...form, steps: 99 }).settings).toBeNull();
  });

  it("chart rows: the two case slots by name; a null cosine is left out", () => {
    const caps = ["knowledge", "reasoning", "instruction", "integration"];
    const rows = liveStepRows(
      [
        { step: 1, rewards: [Number.NaN, Number.NaN, 0.5, 0.25], cos: -0.3, coef: [0, 0, 0.75, 0.25] },
        { step: 2, rewards: [Number.NaN, Number.NaN, 0.6, 0.1], cos: null, coef: [0, 0, 0.7, 0.3] },
      ],
      caps,
    );
    expect(rows.rewards).toEqual([
      { step: 1, slot: "capitals", reward: 0.5 },
      { step: 1, slot: "lower case", reward: 0.25 },
      { step: 2, slot: "capitals", reward: 0.6 },
      { step: 2, slot: "lower case", reward: 0.1 },
    ]);
    expect(rows.cosines).toEqual([{ step: 1, cos: -0.3 }]);
    expect(rows.weights.map((w) => w.weight)).toEqual([0.75, 0.25, 0.7, 0.3]);
  });

  it("end rows: this run beside the stored method's seed range and SFT-only", () => {
    const stored = [
      { method: "sum", "capitals (instruction)": 0.6, "lower case (integration)": 0.1 },
      { method: "sum", "capitals (instruction)": 0.5, "lower case (integration)": 0.2 },
      { method: "pcgrad", "capitals (instruction)": 0.4, "lower case (integration)": 0.4 },
      { method: "sft-only", "capitals (instruction)": 0.3, "lower case (integration)": 0.3 },
    ];
    const rows = liveEndRows({ capitals: 0.55, lower: 0.05 }, stored, "sum");
    expect(rows).toEqual([
      { slot: "capitals", source: "this run", lo: 0.55, hi: 0.55, n: 1 },
      { slot: "capitals", source: "stored sum", lo: 0.5, hi: 0.6, n: 2 },
      { slot: "capitals", source: "stored SFT-only", lo: 0.3, hi: 0.3, n: 1 },
      { slot: "lower case", source: "this run", lo: 0.05, hi: 0.05, n: 1 },
      { slot: "lower case", source: "stored sum", lo: 0.1, hi: 0.2, n: 2 },
      { slot: "lower case", source: "stored SFT-only", lo: 0.3, hi: 0.3, n: 1 },
    ]);
    expect(liveEndRows(null, stored, "mgda").map((r) => r.source)).toEqual(["stored SFT-only", "stored SFT-only"]);
  });

  it("step difference: the largest |Δ| of rewards and cosines; missing on both sides agrees, on one side never does", () => {
    const a = [
      { rewards: [Number.NaN, 0.5, 0.25], cos: -0.3 },
      { rewards: [Number.NaN, 0.6, 0.1], cos: null },
    ];
    // JSON from the worker carries NaN as null
    const b = [
      { rewards: [null as unknown as number, 0.5, 0.2502], cos: -0.3001 },
      { rewards: [null as unknown as number, 0.6005, 0.1], cos: null },
    ];
    expect(liveStepDifference(a, a)).toBe(0);
    expect(liveStepDifference(a, b)).toBeCloseTo(0.0005, 12);
    expect(liveStepDifference(b, a)).toBeCloseTo(0.0005, 12);
    // a cosine on one side only (one side's slot gradient was zero): no tolerance covers it
    expect(liveStepDifference(a, [a[0], { ...a[1], cos: 0.01 }])).toBe(Number.POSITIVE_INFINITY);
    expect(liveStepDifference([{ ...a[0], cos: null }], [a[0]])).toBe(Number.POSITIVE_INFINITY);
    // a reward on one side only, a capability missing, a step missing
    expect(liveStepDifference(a, [{ ...a[0], rewards: [0, 0.5, 0.25] }, a[1]])).toBe(Number.POSITIVE_INFINITY);
    expect(liveStepDifference(a, [{ ...a[0], rewards: [Number.NaN, 0.5] }, a[1]])).toBe(Number.POSITIVE_INFINITY);
    expect(liveStepDifference(a, a.slice(0, 1))).toBe(Number.POSITIVE_INFINITY);
  });
});
