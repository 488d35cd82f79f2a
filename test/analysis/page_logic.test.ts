// The Orthogonality, Training and Data pages' aggregations (src/analysis: orthogonality, curves, curation), on
// hand-computed cases.
import { describe, expect, it } from "vitest";
import { sharedSftCurve } from "../../src/analysis/capacity.ts";
import {
  blockRows,
  rowsNearStep,
  gradientMagnitudeSimilarity,
  methodConflict,
  nullBandSummary,
  pairTable,
} from "../../src/analysis/orthogonality.ts";
import { curveRows } from "../../src/analysis/curves.ts";
import { countsBy, curationFunnel, rejectReasons } from "../../src/analysis/curation.ts";

const g = (run_id: string, step: number, capability_i: string, capability_j: string, cos: number | null, dot: number | null = null) => ({
  run_id,
  step,
  capability_i,
  capability_j,
  cos: cos as number,
  dot,
});

describe("gradient statistics per pair", () => {
  // step 1: ‖g_k‖² = 1, ‖g_r‖² = 4 → GMS = 2·1·2/(1+4) = 0.8; step 2: equal norms → 1; step 3: r has no gradient
  const rows = [
    g("a", 1, "knowledge", "knowledge", 1, 1),
    g("a", 1, "reasoning", "reasoning", 1, 4),
    g("a", 1, "knowledge", "reasoning", -0.2),
    g("a", 2, "knowledge", "knowledge", 1, 9),
    g("a", 2, "reasoning", "reasoning", 1, 9),
    g("a", 2, "knowledge", "reasoning", 0.4),
    g("a", 3, "knowledge", "knowledge", 1, 1),
    g("a", 3, "reasoning", "reasoning", null, 0),
    g("a", 3, "knowledge", "reasoning", null),
  ];
  it("GMS averaged over the steps where both gradients exist", () => {
    const e = gradientMagnitudeSimilarity(rows).get("knowledge|reasoning")!;
    expect(e.n).toBe(2);
    expect(e.sum / e.n).toBeCloseTo(0.9, 12);
  });
  it("the table row: mean cos, |cos|, conflict ratio, GMS, steps with a cosine and without a gradient", () => {
    const [row] = pairTable(rows, { name: "run-a", method: "sum" });
    expect(row).toMatchObject({
      run: "run-a",
      method: "sum",
      pair: "knowledge · reasoning",
      steps: 2,
      "no gradient": 1,
      "conflict ratio": 0.5,
    });
    expect(row["mean cos"]).toBeCloseTo(0.1, 12);
    expect(row["mean |cos|"]).toBeCloseTo(0.3, 12);
    expect(row.GMS).toBeCloseTo(0.9, 12);
  });
  it("per method: the runs' pair statistics averaged", () => {
    const byRun = new Map([
      ["a", [g("a", 1, "knowledge", "reasoning", -0.5)]],
      ["b", [g("b", 1, "knowledge", "reasoning", 0.5), g("b", 2, "knowledge", "reasoning", 0.1)]],
    ]);
    const agg = methodConflict(
      [
        { id: "a", method: "sum" },
        { id: "b", method: "sum" },
      ],
      byRun,
    );
    // conflict ratios 1 and 0 → 0.5; mean |cos| 0.5 and 0.3 → 0.4
    expect(agg).toHaveLength(1);
    expect(agg[0]).toMatchObject({ method: "sum", pair: "knowledge · reasoning", conflict: 0.5, runs: 2 });
    expect(agg[0].absCos).toBeCloseTo(0.4, 12);
  });
});

describe("null band and the conflict control", () => {
  it("share of cosines inside the band, outside the control, and the control's mean cosine", () => {
    const gram = [
      g("a", 1, "knowledge", "reasoning", 0.001),
      g("a", 2, "knowledge", "reasoning", 0.9),
      g("c", 1, "instruction", "integration", -0.8),
      g("c", 2, "instruction", "integration", -0.6),
    ];
    const s = nullBandSummary(gram, new Set(["c"]), 1_000_000)!;
    expect(s.band.halfWidth).toBeCloseTo(1.96 / 1000, 4); // ≈ 1.96/√d
    expect(s.inside).toBe(0.25);
    expect(s.insideOther).toBe(0.5);
    expect(s.conflictMean).toBeCloseTo(-0.7, 12);
    expect(nullBandSummary(gram, new Set(), undefined)).toBeNull();
    expect(nullBandSummary(gram, new Set(), 1000)!.conflictMean).toBeNull();
  });
  it("per-block rows against each block's own band", () => {
    const rows = blockRows(
      [
        {
          run_id: "a",
          block: "h0.attn",
          block_size: 10_000,
          capability_i: "knowledge",
          capability_j: "reasoning",
          mean_cos: 0.05,
          steps: 4,
        },
        { run_id: "z", block: "h0.mlp", block_size: 4, capability_i: "knowledge", capability_j: "reasoning", mean_cos: 0.1, steps: 4 },
      ],
      [{ id: "a", name: "run-a" }],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ run: "run-a", pair: "knowledge · reasoning", outside: "yes", steps: 4 });
    expect(rows[0]["null band ±"]).toBeCloseTo(0.0196, 3);
  });
});

describe("training curves", () => {
  it("seeds averaged per line and step (nulls skipped), steps sorted, then smoothed (debiased EMA)", () => {
    const src = [
      { run_id: "s1", step: 2, v: 3 },
      { run_id: "s2", step: 2, v: 5 },
      { run_id: "s1", step: 1, v: 1 },
      { run_id: "s2", step: 1, v: null },
    ];
    const out = curveRows(src, { line: () => "config", metric: () => "reward", value: (d) => d.v, smoothing: 0.5 });
    // means: step 1 → 1, step 2 → 4; EMA with weight 0.5, debiased: s1 = 1; s2 = (0.5·0.5 + 0.5·4)/(1 − 0.25) = 3
    expect(out.map((r) => [r.step, r.value, r.smoothed])).toEqual([
      [1, 1, 1],
      [2, 4, 3],
    ]);
    expect(out[0].part).toBeUndefined();
  });
  it("parts and lines stay apart", () => {
    const src = [
      { run_id: "a", step: 1, p: "rule", v: 1 },
      { run_id: "a", step: 1, p: "model", v: 0 },
      { run_id: "b", step: 1, p: "rule", v: 2 },
    ];
    const out = curveRows(src, { line: (d) => d.run_id, metric: () => "m", value: (d) => d.v, part: (d) => d.p, smoothing: 0 });
    expect(out.map((r) => [r.run, r.part, r.value])).toEqual([
      ["a", "rule", 1],
      ["a", "model", 0],
      ["b", "rule", 2],
    ]);
  });
});

describe("curation funnel and counts", () => {
  const rejects = [
    { stage: "answerability", reason: "ambiguous" },
    { stage: "ontology", reason: "distractor_true" },
    { stage: "ontology", reason: "distractor_true" },
    { stage: "ontology", reason: "obsolete" },
  ];
  it("generated → passed each rejecting stage in validator order → kept", () => {
    expect(curationFunnel(10, rejects)).toEqual([
      { step: "generated", n: 14 },
      { step: "passed ontology", n: 11 },
      { step: "passed answerability", n: 10 },
      { step: "kept", n: 10 },
    ]);
    expect(curationFunnel(3, [])).toEqual([
      { step: "generated", n: 3 },
      { step: "kept", n: 3 },
    ]);
  });
  it("counts sorted by key; reasons by count", () => {
    expect(countsBy([{ f: "b" }, { f: "a" }, { f: "b" }], (d) => d.f)).toEqual([
      { key: "a", n: 1 },
      { key: "b", n: 2 },
    ]);
    expect(rejectReasons(rejects)).toEqual([
      { key: "ontology: distractor_true", n: 2 },
      { key: "answerability: ambiguous", n: 1 },
      { key: "ontology: obsolete", n: 1 },
    ]);
  });
});

describe("capacity curve and the scrubber", () => {
  it("one curve per distinct SFT: each (step, split) from the first run that has it", () => {
    const p = (run_id: string, step: number, split: "train_qa" | "extraction" | "control", accuracy: number) => ({
      run_id,
      step,
      reads: step * 10,
      split,
      accuracy,
    });
    const pts = [
      p("a", 1, "train_qa", 0.3),
      p("a", 2, "train_qa", 0.5),
      p("b", 1, "train_qa", 0.9),
      p("b", 3, "train_qa", 0.7),
      p("b", 1, "control", 0.25),
    ];
    expect(sharedSftCurve(pts).map((x) => [x.run_id, x.step, x.split])).toEqual([
      ["a", 1, "train_qa"],
      ["a", 2, "train_qa"],
      ["b", 3, "train_qa"],
      ["b", 1, "control"],
    ]);
  });
  it("a run's rows at its logged step nearest the scrubber (the earlier step on a tie)", () => {
    const rows = [
      { step: 2, v: "a" },
      { step: 6, v: "b" },
      { step: 6, v: "c" },
    ];
    expect(rowsNearStep(rows, [2, 4, 6], 5).map((r) => r.v)).toEqual(["b", "c"]);
    expect(rowsNearStep(rows, [2, 4, 6], 4).map((r) => r.v)).toEqual(["a"]); // 2 and 6 both 2 away: the earlier
    expect(rowsNearStep(rows, [4], 4)).toEqual([]);
  });
});
