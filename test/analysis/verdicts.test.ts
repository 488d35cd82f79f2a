import { describe, expect, it } from "vitest";
import { judgeClaims, verdictCounts, type Claim, type VerdictData } from "../../src/analysis/verdicts.ts";
import type { EvalItemRow } from "../../src/analysis/compare.ts";
import { generate } from "../../src/mkgsg/generate.ts";
import { score } from "../../src/mkgsg/score.ts";
import type { Item } from "../../src/mkgsg/types.ts";
import { rngFor, shuffled } from "../../src/util/rng.ts";
import { kg } from "../mkgsg/helpers.ts";
import { four, siteRuns, type RunSpec } from "./site-runs.ts";

const data = (runs: RunSpec[], more: Partial<VerdictData> = {}): VerdictData => ({
  runs: siteRuns(runs),
  gram: [],
  evalItems: [],
  items: [],
  rejects: [],
  ...more,
});
const judge = (claim: Claim, d: VerdictData) => judgeClaims([claim], d)[0];
/** per-item values of one run on one capability, items i0, i1, ... */
const itemRows = (run: string, family: string, values: number[]): EvalItemRow[] =>
  values.map((value, i) => ({ run_id: run, item_id: `i${i}`, family, split: "eval", value }));

describe("headline claims: capability-aware GRPO against our best other method", () => {
  // The verdict depends on the eval metric: real MKGSG integration items of the gene world scored by the real scorer
  // (the mean over the item's checks). A model that answers with the item's gold must beat one that answers with
  // another gene's gold of the same kind (shuffled: well-formed, so some format checks pass, the facts fail), which
  // must beat junk.
  const items = generate(kg, { world: { genes: 24 } }, 5).items.filter((it) => it.split === "eval" && it.family === "integration");
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const other = new Map<string, string>();
  const byKind = new Map<string, Item[]>();
  for (const it of items) byKind.set(it.kind, [...(byKind.get(it.kind) ?? []), it]);
  for (const [k, group] of byKind) {
    const order = shuffled(rngFor(1, k), group);
    order.forEach((it, i) => other.set(it.id, order[(i + 1) % order.length].gold));
  }
  const answers: Record<string, (it: Item) => string> = { gold: (it) => it.gold, shuffled: (it) => other.get(it.id)!, junk: () => "zzz" };
  const values = (kind: string) => items.map((it) => score(it, answers[kind](it), kg).score);
  /** three single-seed methods answering as named; scores.arrow's value = the mean per-item score */
  const world = (cagrpo: string, sum: string, sft: string) => {
    const plan = { cagrpo, sum, "sft-only": sft };
    return data(
      Object.entries(plan).map(([method, kind]) => ({ id: method, method, strict: { integration: mean(values(kind)) } })),
      {
        evalItems: Object.entries(plan).flatMap(([method, kind]) =>
          values(kind).map((value, i) => ({ run_id: method, item_id: items[i].id, family: "integration", split: "eval", value })),
        ),
      },
    );
  };
  const claim: Claim = { text: "Integration score 86.7% (+18.5%)", test: "headline", capability: "integration" };

  it("the metric orders gold ≫ shuffled ≫ junk", () => {
    expect(items.length).toBeGreaterThanOrEqual(12);
    expect(mean(values("gold"))).toBe(1);
    expect(mean(values("shuffled"))).toBeLessThan(0.3);
    expect(mean(values("shuffled"))).toBeGreaterThan(mean(values("junk")));
    expect(mean(values("junk"))).toBe(0);
  });
  it("gold over shuffled and junk: reproduced, against the strongest other method (shuffled)", () => {
    const v = judge(claim, world("gold", "shuffled", "junk"));
    expect(v.verdict).toBe("reproduced");
    expect(v.measured).toMatch(
      /^ours 100\.0 on our held-out MKGSG integration items vs our best other method \(sum\) \d+\.\d: gap \+\d+\.\d \[\d+\.\d, \d+\.\d\] \(paired, MDD \d+\.\d\) points\./,
    );
  });
  it("shuffled over junk is still a significant gain; below gold it is not", () => {
    expect(judge(claim, world("shuffled", "junk", "junk")).verdict).toBe("reproduced");
    const v = judge(claim, world("shuffled", "gold", "junk"));
    expect(v.verdict).toBe("not at this scale");
    expect(v.measured).toContain("vs our best other method (sum) 100.0: gap -");
    expect(judge(claim, world("junk", "shuffled", "gold")).verdict).toBe("not at this scale");
  });
  const reasoning: Claim = { text: "Reasoning 61.94% (+7.75%)", test: "headline", capability: "reasoning" };
  it("not testable without capability-aware GRPO, without its score, or without a baseline", () => {
    const claim = reasoning;
    expect(judge(claim, data([{ id: "s", method: "sum", strict: { reasoning: 0.5 } }]))).toEqual({
      claim: claim.text,
      kind: "empirical",
      measured: "no capability-aware GRPO run yet",
      verdict: "not testable",
    });
    expect(judge(claim, data([{ id: "c", method: "cagrpo", strict: { knowledge: 0.5 } }])).measured).toBe(
      "no reasoning score for capability-aware GRPO (see the note above)",
    );
    expect(judge(claim, data([{ id: "c", method: "cagrpo", strict: { reasoning: 0.5 } }])).measured).toBe(
      "needs a baseline run (SFT-only or another GRPO method) with this capability's score",
    );
  });
  it("without per-item rows the gap is the unpaired difference of the two estimates", () => {
    const v = judge(
      reasoning,
      data([
        { id: "c", method: "cagrpo", strict: { reasoning: [0.6, 0.55, 0.65, 100] } },
        { id: "s", method: "sum", strict: { reasoning: [0.4, 0.35, 0.45, 100] } },
      ]),
    );
    // 0.2 ± √(0.05² + 0.05²) = 0.2 ± 0.0707
    expect(v.measured).toContain(
      "ours 60.0 on our held-out MKGSG reasoning items vs our best other method (sum) 40.0: gap +20.0 [12.9, 27.1] points.",
    );
    expect(v.verdict).toBe("reproduced");
  });
});

describe("Capability-aware GRPO vs plain GRPO (Δm, wins, no significant loss)", () => {
  const claim: Claim = { text: "beats sum", test: "cagrpo-vs-sum" };
  const runs = (cagrpo: number[]): RunSpec[] => [
    { id: "c", method: "cagrpo", strict: four(...(cagrpo as [number, number, number, number])) },
    { id: "s", method: "sum", strict: four(0.5, 0.5, 0.2, 0) },
  ];
  it("Δm over the capabilities where sum is not 0: (+20% + 0% + 100%)/3 = +40%; 3 wins → reproduced", () => {
    const v = judge(claim, data(runs([0.6, 0.5, 0.4, 0.3])));
    expect(v.measured).toBe(
      "Δm = +40.00% (leaves out integration: plain GRPO scores 0 there), better on 3/4 capabilities (gaps: knowledge +10.0 (no interval), reasoning +0.0 (no interval), instruction +20.0 (no interval), integration +30.0 (no interval)), significantly worse on none; 1 seed(s) per config",
    );
    expect(v.verdict).toBe("reproduced");
    expect(v.rule).toMatch(/fewer than 3 seeds: the intervals are wide$/);
  });
  it("only 2 wins (Δm still > 0) → not at this scale", () => {
    const v = judge(claim, data(runs([0.4, 0.5, 0.4, 0.3])));
    expect(v.measured).toMatch(/^Δm = \+26\.67% .* better on 2\/4 capabilities/);
    expect(v.verdict).toBe("not at this scale");
  });
  it("a significant loss on one capability (paired items) → not at this scale", () => {
    const evalItems = [...itemRows("c", "knowledge", Array(20).fill(0)), ...itemRows("s", "knowledge", Array(20).fill(1))];
    const v = judge(claim, data(runs([0.6, 0.5, 0.4, 0.3]), { evalItems }));
    expect(v.measured).toContain("knowledge -100.0 [-100.0, -100.0] (paired, MDD 0.0)");
    expect(v.measured).toContain("significantly worse on knowledge;");
    expect(v.verdict).toBe("not at this scale");
  });
  it("needs both methods with all four scores", () => {
    expect(judge(claim, data([{ id: "c", method: "cagrpo", strict: four(1, 1, 1, 1) }])).measured).toBe(
      "needs both a sum and a capability-aware GRPO run",
    );
    expect(
      judge(
        claim,
        data([
          { id: "c", method: "cagrpo", strict: four(1, 1, 1, 1) },
          { id: "s", method: "sum", strict: { knowledge: 1 } },
        ]),
      ).measured,
    ).toBe("needs all four capability scores for sum and capability-aware GRPO (see the note above)");
  });
});

describe("Pareto claim: non-dominated and a significant gain over SFT without a significant loss", () => {
  const claim: Claim = { text: "pareto", test: "pareto", theory: true };
  const cag: RunSpec = { id: "c", method: "cagrpo", strict: four(0.6, 0.5, 0.4, 0.3) };
  const sft: RunSpec = { id: "f", method: "sft-only", strict: four(0.5, 0.5, 0.4, 0.3) };
  const gain = [...itemRows("c", "knowledge", Array(10).fill(1)), ...itemRows("f", "knowledge", Array(10).fill(0))];
  it("on the front with a paired gain on knowledge → reproduced", () => {
    const v = judge(claim, data([cag, sft], { evalItems: gain }));
    expect(v.kind).toBe("theory");
    expect(v.measured).toMatch(
      /^on the 4-capability front of the methods' best configs: cagrpo\. Capability-aware GRPO vs its SFT starting point: knowledge \+100\.0 \[100\.0, 100\.0\]/,
    );
    expect(v.measured).toContain("significantly better on knowledge, significantly worse on none");
    expect(v.verdict).toBe("reproduced");
  });
  it("dominated by another method → not at this scale", () => {
    const v = judge(claim, data([cag, sft, { id: "s", method: "sum", strict: four(0.7, 0.6, 0.5, 0.4) }], { evalItems: gain }));
    expect(v.measured).toMatch(/^on the 4-capability front of the methods' best configs: sum\./);
    expect(v.verdict).toBe("not at this scale");
  });
  it("no significant gain (no per-item rows, single runs: no interval) → not at this scale", () => {
    expect(judge(claim, data([cag, sft])).verdict).toBe("not at this scale");
  });
  it("needs an SFT-only run", () => {
    expect(judge(claim, data([cag])).measured).toBe("needs an SFT-only run: the starting point the improvements are measured from");
  });
});

describe("orthogonality claim: conflict under plain GRPO, and every conflict-handling method raises the worst capability", () => {
  const claim: Claim = { text: "orth", test: "orthogonality", theory: true };
  // sum's cosines: knowledge·reasoning −0.5, +0.5 (conflict ratio 0.5, mean |cos| 0.5); knowledge·instruction 0.1, 0.3
  // (0, 0.2); the diagonal (norms) is ignored → mean |cos| 0.35, conflict ratio 0.25
  const gram = (cos: number[]) => [
    { run_id: "s", step: 1, cap_i: "knowledge", cap_j: "reasoning", cos: cos[0] },
    { run_id: "s", step: 2, cap_i: "knowledge", cap_j: "reasoning", cos: cos[1] },
    { run_id: "s", step: 1, cap_i: "knowledge", cap_j: "instruction", cos: 0.1 },
    { run_id: "s", step: 2, cap_i: "knowledge", cap_j: "instruction", cos: 0.3 },
    { run_id: "s", step: 1, cap_i: "knowledge", cap_j: "knowledge", cos: 1 },
  ];
  const runs = (pcgradWorst: number): RunSpec[] => [
    { id: "s", method: "sum", strict: four(0.5, 0.5, 0.2, 0.1) },
    { id: "p", method: "pcgrad", strict: four(0.5, 0.5, 0.2, pcgradWorst) },
    { id: "c", method: "cagrpo", strict: four(0.5, 0.5, 0.2, 0.15) },
    { id: "m", method: "mgda", strict: { knowledge: 0.9 } }, // not all four scores: not compared
  ];
  it("both raise the worst capability over sum → reproduced", () => {
    const v = judge(claim, data(runs(0.2), { gram: gram([-0.5, 0.5]) }));
    expect(v.measured).toBe(
      "plain GRPO: mean |cos| 0.350, conflict ratio 0.25; conflict-handling methods with a higher worst-capability score than sum: pcgrad, cagrpo of pcgrad, cagrpo",
    );
    expect(v.verdict).toBe("reproduced");
  });
  it("one does not → not at this scale", () => {
    const v = judge(claim, data(runs(0.1), { gram: gram([-0.5, 0.5]) }));
    expect(v.measured).toContain("than sum: cagrpo of pcgrad, cagrpo");
    expect(v.verdict).toBe("not at this scale");
  });
  it("no conflicting step under plain GRPO → not at this scale", () => {
    expect(judge(claim, data(runs(0.2), { gram: gram([0.5, 0.5]) })).verdict).toBe("not at this scale");
  });
  it("no plain-GRPO cosines → not testable; weights claim reports cosines and is never testable", () => {
    expect(judge(claim, data(runs(0.2))).measured).toBe("no plain-GRPO gradient cosines stored yet");
    const w = judge({ text: "w", test: "weights-orthogonal" }, data(runs(0.2), { gram: gram([-0.5, 0.5]) }));
    expect(w.measured).toBe(
      "sum: mean |cos| 0.350. Cosines are invariant to positive per-capability weights, so weights alone cannot create orthogonality (Method §7.2)",
    );
    expect(w.verdict).toBe("not testable");
  });
});

describe("MKGSG claim and claims without a test", () => {
  const claim: Claim = { text: "mkgsg", test: "mkgsg" };
  it("reproduced when the ontology or workflow validator rejected candidates", () => {
    const v = judge(
      claim,
      data([], { items: [1, 2, 3], rejects: [{ stage: "ontology" }, { stage: "answerability" }, { stage: "ontology" }] }),
    );
    expect(v.measured).toBe("3 items kept; rejects by validator stage: ontology 2, answerability 1");
    expect(v.verdict).toBe("reproduced");
    expect(judge(claim, data([], { items: [1], rejects: [{ stage: "answerability" }] })).verdict).toBe("not at this scale");
    expect(judge(claim, data([])).verdict).toBe("not testable");
  });
  it("a claim with no test says why; the counts line", () => {
    const vs = judgeClaims(
      [{ text: "cost", test: "none", why: "needs a deployment" }, { text: "x", test: "none" }, claim],
      data([], { items: [1], rejects: [{ stage: "workflow" }] }),
    );
    expect(vs.map((v) => [v.measured, v.verdict])).toEqual([
      ["needs a deployment", "not testable"],
      ["—", "not testable"],
      ["1 items kept; rejects by validator stage: workflow 1", "reproduced"],
    ]);
    expect(verdictCounts(vs)).toBe("2 not testable · 1 reproduced");
  });
});
