import { describe, expect, it } from "vitest";
import { judgeClaims, verdictCounts, type Claim, type VerdictData } from "../../src/analysis/verdicts.ts";
import type { EvalItemRow } from "../../src/analysis/compare.ts";
import { generate } from "../../src/mkgsg/generate.ts";
import { score } from "../../src/mkgsg/score.ts";
import type { Item } from "../../src/mkgsg/types.ts";
import { rngFor, shuffled } from "../../src/util/rng.ts";
import { kg, SMALL } from "../mkgsg/helpers.ts";
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
const itemRows = (run: string, capability: string, values: number[]): EvalItemRow[] =>
  values.map((value, i) => ({ run_id: run, item_id: `i${i}`, capability, split: "eval", value }));

describe("headline claims: capability-aware GRPO against our best other method", () => {
  // The verdict depends on the eval metric: real MKGSG integration items of the gene world scored by the real scorer
  // (the mean over the item's checks). A model that answers with the item's gold must beat one that answers with
  // another gene's gold of the same kind (shuffled: well-formed, so some format checks pass, the facts fail), which
  // must beat junk.
  const items = generate(kg, { world: { ...SMALL, genes: 24 } }, 5).items.filter(
    (it) => it.split === "eval" && it.family === "integration",
  );
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
  /** three methods answering as named, `seeds` runs each (the same answers every seed); scores.arrow's value = the mean */
  const world = (cagrpo: string, sum: string, sft: string, seeds = 3) => {
    const plan = Object.entries({ cagrpo, sum, "sft-only": sft }).flatMap(([method, kind]) =>
      Array.from({ length: method === "sft-only" ? 1 : seeds }, (_, s) => ({ id: `${method}-${s}`, method, seed: s, kind })),
    );
    return data(
      plan.map(({ id, method, seed, kind }) => ({ id, method, seed, strict: { integration: mean(values(kind)) } })),
      {
        evalItems: plan.flatMap(({ id, kind }) =>
          values(kind).map((value, i) => ({ run_id: id, item_id: items[i].id, capability: "integration", split: "eval", value })),
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
      /^ours 100\.0 on our held-out MKGSG integration items vs our best other method \(sum\) \d+\.\d: gap \+\d+\.\d \[\d+\.\d, \d+\.\d\] MDD \d+\.\d, higher \(per seed 1\.00 \/ 1\.00 \/ 1\.00 vs (\d\.\d\d \/ ){2}\d\.\d\d\) points\./,
    );
  });
  it("one seed per side: the same items-level gap is 'items only (1 seed)' and never reproduces the claim", () => {
    const v = judge(claim, world("gold", "shuffled", "junk", 1));
    expect(v.measured).toContain("items only (1 seed)");
    expect(v.verdict).toBe("not at this scale");
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
    // 0.2 ± √(0.05² + 0.05²) = 0.2 ± 0.0707, from one run each: items only, never significant
    expect(v.measured).toContain(
      "ours 60.0 on our held-out MKGSG reasoning items vs our best other method (sum) 40.0: gap +20.0 [12.9, 27.1], items only (1 seed) points.",
    );
    expect(v.verdict).toBe("not at this scale");
    // two seeds each: a t-interval over seeds, which counts
    const two = judge(
      reasoning,
      data([
        { id: "c", method: "cagrpo", strict: { reasoning: 0.6 } },
        { id: "c2", method: "cagrpo", seed: 2, strict: { reasoning: 0.61 } },
        { id: "s", method: "sum", strict: { reasoning: 0.4 } },
        { id: "s2", method: "sum", seed: 2, strict: { reasoning: 0.41 } },
      ]),
    );
    expect(two.verdict).toBe("reproduced");
  });
});

describe("Capability-aware GRPO vs plain GRPO (Δm, wins, no significant loss)", () => {
  const claim: Claim = { text: "beats sum", test: "cagrpo-vs-sum" };
  const runs = (cagrpo: number[]): RunSpec[] => [
    { id: "c", method: "cagrpo", strict: four(...(cagrpo as [number, number, number, number])) },
    { id: "c2", method: "cagrpo", seed: 2, strict: four(...(cagrpo as [number, number, number, number])) },
    { id: "s", method: "sum", strict: four(0.5, 0.5, 0.2, 0) },
    { id: "s2", method: "sum", seed: 2, strict: four(0.5, 0.5, 0.2, 0) },
  ];
  it("Δm over the capabilities where sum is not 0: (+20% + 0% + 100%)/3 = +40%; 3 wins → reproduced", () => {
    const v = judge(claim, data(runs([0.6, 0.5, 0.4, 0.3])));
    expect(v.measured).toBe(
      "Δm = +40.00% (leaves out integration: plain GRPO scores 0 there), better on 3/4 capabilities (gaps: knowledge +10.0 [10.0, 10.0], reasoning +0.0 [0.0, 0.0], instruction +20.0 [20.0, 20.0], integration +30.0 [30.0, 30.0]), significantly worse on none; 2 seed(s) per config",
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
    const evalItems = ["c", "c2"].flatMap((r) => itemRows(r, "knowledge", Array(20).fill(0)));
    evalItems.push(...["s", "s2"].flatMap((r) => itemRows(r, "knowledge", Array(20).fill(1))));
    const v = judge(claim, data(runs([0.6, 0.5, 0.4, 0.3]), { evalItems }));
    expect(v.measured).toContain("knowledge -100.0 [-100.0, -100.0] MDD 0.0, lower (per seed 0.00 / 0.00 vs 1.00 / 1.00)");
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
  const cag2: RunSpec = { ...cag, id: "c2", seed: 2 };
  const sft: RunSpec = { id: "f", method: "sft-only", strict: four(0.5, 0.5, 0.4, 0.3) };
  const gain = [
    ...itemRows("c", "knowledge", Array(10).fill(1)),
    ...itemRows("c2", "knowledge", Array(10).fill(1)),
    ...itemRows("f", "knowledge", Array(10).fill(0)),
  ];
  it("one seed per side is not enough for a gain: items only → not at this scale", () => {
    expect(judge(claim, data([cag, sft], { evalItems: gain })).verdict).toBe("not at this scale");
  });
  it("on the front with a seed-level paired gain on knowledge → reproduced", () => {
    const v = judge(claim, data([cag, cag2, sft], { evalItems: gain }));
    expect(v.kind).toBe("theory");
    expect(v.measured).toMatch(
      /^on the 4-capability front of the methods' best configs: cagrpo\. Capability-aware GRPO vs its SFT starting point: knowledge \+100\.0 \[100\.0, 100\.0\]/,
    );
    expect(v.measured).toContain("significantly better on knowledge, significantly worse on none");
    expect(v.verdict).toBe("reproduced");
  });
  it("dominated by another method → not at this scale", () => {
    const v = judge(claim, data([cag, cag2, sft, { id: "s", method: "sum", strict: four(0.7, 0.6, 0.5, 0.4) }], { evalItems: gain }));
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

describe("orthogonality claim: conflict beyond chance under plain GRPO, and every conflict-handling method raises the worst capability", () => {
  const claim: Claim = { text: "orth", test: "orthogonality", theory: true };
  /** sum's cosines: knowledge·reasoning with `neg` negative steps of `n`, knowledge·instruction always positive */
  const gram = (neg: number, n = 12) =>
    Array.from({ length: n }, (_, step) => [
      { run_id: "s", step, capability_i: "knowledge", capability_j: "reasoning", cos: step < neg ? -0.3 : 0.2 },
      { run_id: "s", step, capability_i: "knowledge", capability_j: "instruction", cos: 0.1 },
      { run_id: "s", step, capability_i: "knowledge", capability_j: "knowledge", cos: 1 },
    ]).flat();
  // sum's worst capability is integration (0.1); per-item rows for integration, 2 seeds per method
  const runs: RunSpec[] = [
    { id: "s", method: "sum", strict: four(0.5, 0.5, 0.2, 0.1) },
    { id: "s2", method: "sum", seed: 2, strict: four(0.5, 0.5, 0.2, 0.1) },
    { id: "p", method: "pcgrad", strict: four(0.5, 0.5, 0.2, 0.3) },
    { id: "p2", method: "pcgrad", seed: 2, strict: four(0.5, 0.5, 0.2, 0.3) },
    { id: "c", method: "cagrpo", strict: four(0.5, 0.5, 0.2, 0.3) },
    { id: "c2", method: "cagrpo", seed: 2, strict: four(0.5, 0.5, 0.2, 0.3) },
    { id: "m", method: "mgda", strict: { knowledge: 0.9 } }, // not all four scores: not compared
  ];
  const items = (cagrpo: number[]) => [
    ...["s", "s2"].flatMap((r) => itemRows(r, "integration", [0, 0, 0, 0, 0, 0, 0, 0, 1, 0])),
    ...["p", "p2"].flatMap((r) => itemRows(r, "integration", [1, 1, 1, 1, 1, 1, 1, 0, 1, 0])),
    ...["c", "c2"].flatMap((r) => itemRows(r, "integration", cagrpo)),
  ];
  const raises = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
  it("11 of 12 steps conflicting and both methods raise the worst capability (seed-level) → reproduced", () => {
    const v = judge(claim, data(runs, { gram: gram(11), evalItems: items(raises) }));
    // sign test: 2·(1 + 12)/4096 = 0.00635; Holm over 2 pairs (knowledge·instruction: 2/4096, × 2) keeps it
    expect(v.measured).toContain("knowledge·reasoning 11/12 steps cos < 0 (sign test p = 0.0063, Holm)");
    expect(v.measured).toContain("conflict beyond chance on knowledge·reasoning");
    expect(v.measured).toContain("on plain GRPO's worst capability (integration) vs sum: pcgrad +70.0 [");
    expect(v.verdict).toBe("reproduced");
  });
  it("one method does not raise it beyond its interval → not at this scale", () => {
    const v = judge(claim, data(runs, { gram: gram(11), evalItems: items([0, 0, 0, 0, 0, 0, 0, 0, 1, 0]) }));
    expect(v.measured).toMatch(/cagrpo \+0\.0 \[0\.0, 0\.0\] MDD 0\.0, undecided at 2 seeds/);
    expect(v.verdict).toBe("not at this scale");
  });
  it("a conflict ratio chance gives (6 of 12, or a single negative step) → not at this scale", () => {
    expect(judge(claim, data(runs, { gram: gram(6), evalItems: items(raises) })).verdict).toBe("not at this scale");
    const one = judge(claim, data(runs, { gram: gram(1), evalItems: items(raises) }));
    expect(one.measured).toContain("no pair conflicts beyond chance");
    expect(one.verdict).toBe("not at this scale");
  });
  it("no plain-GRPO cosines → not testable; weights claim reports cosines and is never testable", () => {
    expect(judge(claim, data(runs)).measured).toBe("no plain-GRPO gradient cosines stored yet");
    const w = judge({ text: "w", test: "weights-orthogonal" }, data(runs, { gram: gram(1, 2) }));
    expect(w.measured).toBe(
      "sum: mean |cos| 0.175. Cosines are invariant to positive per-capability weights, so weights alone cannot create orthogonality (Method §7.2)",
    );
    expect(w.verdict).toBe("not testable");
  });
});

describe("MKGSG claim: judged by the ontology-validation ablation", () => {
  const claim: Claim = { text: "mkgsg", test: "mkgsg" };
  const rejects = [{ stage: "constraint" }, { stage: "constraint" }];
  const on = (id: string, seed: number): RunSpec => ({
    id,
    method: "sum",
    seed,
    params: { "data.ontology_validation": true },
    strict: four(0.5, 0.5, 0.5, 0.5),
  });
  const off = (id: string, seed: number): RunSpec => ({
    id,
    method: "sum",
    seed,
    params: { "data.ontology_validation": false },
    strict: four(0.4, 0.5, 0.5, 0.5),
  });
  const runs = [on("a", 0), on("a2", 1), off("b", 0), off("b2", 1)];
  const items = (offValues: number[]) => [
    ...["a", "a2"].flatMap((r) => itemRows(r, "knowledge", [1, 1, 1, 1, 1, 0, 1, 1])),
    ...["b", "b2"].flatMap((r) => itemRows(r, "knowledge", offValues)),
  ];
  it("no ablation run in the store → 'not run', whatever the rejects", () => {
    const v = judge(claim, data([on("a", 0)], { items: [1, 2, 3], rejects: [{ stage: "ontology" }, { stage: "workflow" }] }));
    expect(v.verdict).toBe("not run");
    expect(v.measured).toBe(
      "no run with data.ontology_validation=false in the store; 3 items kept; rejects by validator stage: ontology 1, workflow 1",
    );
  });
  it("validation raises a held-out capability at the seed level, lowers none → reproduced", () => {
    const v = judge(claim, data(runs, { items: [1], rejects, evalItems: items([0, 0, 0, 0, 0, 0, 1, 0]) }));
    expect(v.measured).toMatch(
      /^validation on − off \(method=sum data\.ontology_validation=false; 2 vs 2 run\(s\)\) on held-out items: knowledge \+75\.0 \[/,
    );
    expect(v.measured).toContain("higher");
    expect(v.measured).toContain("rejects by validator stage: constraint 2");
    expect(v.verdict).toBe("reproduced");
  });
  it("no difference on held-out items → not at this scale", () => {
    const v = judge(claim, data(runs, { items: [1], rejects, evalItems: items([1, 1, 1, 1, 1, 0, 1, 1]) }));
    expect(v.measured).toContain("undecided at 2 seeds");
    expect(v.verdict).toBe("not at this scale");
  });
  it("an ablation without a validated twin, or without shared items → not testable", () => {
    const other = { ...on("a", 0), params: { "data.ontology_validation": true, "grpo.beta": 0.1 } };
    expect(judge(claim, data([other, off("b", 0)])).verdict).toBe("not testable");
    expect(judge(claim, data(runs)).measured).toMatch(/^no held-out items answered by both/);
  });
  it("a claim with no test says why; the counts line", () => {
    const vs = judgeClaims([{ text: "cost", test: "none", why: "needs a deployment" }, { text: "x", test: "none" }, claim], data([]));
    expect(vs.map((v) => v.verdict)).toEqual(["not testable", "not testable", "not run"]);
    expect(vs[0].measured).toBe("needs a deployment");
    expect(verdictCounts(vs)).toBe("2 not testable · 1 not run");
  });
});
