import { describe, expect, it } from "vitest";
import { comparisonText, comparisonWording, pairedComparison, perSeedText, seedCount } from "../../src/analysis/compare.ts";
import { pairedBootstrap } from "../../src/analysis/paired.ts";
import { seedItemBootstrap } from "../../src/analysis/seed_bootstrap.ts";
import { mulberry32 } from "../../src/util/rng.ts";

const rows = (run: string, vals: number[], split = "eval", capability = "knowledge") =>
  vals.map((value, i) => ({ run_id: run, item_id: `i${String(i).padStart(3, "0")}`, capability, split, value }));

describe("pairedComparison (two-level bootstrap over seeds × items)", () => {
  it("estimate = difference of the sides' seed means on the shared items; per-seed scores are returned", () => {
    const data = [
      ...rows("sft", [0, 0, 1, 1]),
      ...rows("a0", [1, 0, 1, 1]),
      ...rows("a1", [1, 1, 1, 1]),
      ...rows("a0", [1, 1, 1, 1], "control"),
    ];
    const r = pairedComparison(data, ["a1", "a0"], ["sft"], "knowledge", { iters: 500 })!;
    // a0 − sft = [1,0,0,0], a1 − sft = [1,1,0,0] → mean 3/8 (control rows ignored)
    expect(r.estimate).toBeCloseTo(3 / 8);
    expect(r.items).toBe(4);
    // in the order given (the pages give RL-seed order, runs.ts bySeed), not re-sorted by run id
    expect(r.seedsA).toEqual([
      { run: "a1", score: 1 },
      { run: "a0", score: 0.75 },
    ]);
    expect(r.seedsB).toEqual([{ run: "sft", score: 0.5 }]);
    expect(r.basis).toBe("seeds × items");
    expect(r.mdd).toBeGreaterThan(0);
    expect(perSeedText(r.seedsA)).toBe("1.00 / 0.75");
  });

  it("only items every run answered enter; nothing comparable → null", () => {
    const data = [...rows("a0", [1, 1, 1]), ...rows("b0", [0, 1])];
    expect(pairedComparison(data, ["a0"], ["b0"], "knowledge", { iters: 100 })!.items).toBe(2);
    expect(pairedComparison(data, ["a0"], ["b0"], "reasoning")).toBeNull();
    expect(pairedComparison(data, ["a0"], [], "knowledge")).toBeNull();
  });

  it("seeds that disagree widely (item noise small) give an interval covering 0 where the item-only bootstrap would not", () => {
    // A's three seeds sit at 0.85 / 0.30 / 0.75, B's at 0.50 / 0.52 / 0.48; each item adds ±0.02. The mean gap is +0.13,
    // but one A seed is 0.2 below B: with 3 seeds that is undecided.
    const I = 60;
    const noise = (k: number) => 0.02 * Math.sin(7 * k);
    const side = (names: string[], levels: number[]) =>
      names.flatMap((n, s) =>
        rows(
          n,
          Array.from({ length: I }, (_, i) => levels[s] + noise(i + s)),
        ),
      );
    const data = [...side(["a0", "a1", "a2"], [0.85, 0.3, 0.75]), ...side(["b0", "b1", "b2"], [0.5, 0.52, 0.48])];
    const r = pairedComparison(data, ["a0", "a1", "a2"], ["b0", "b1", "b2"], "knowledge", { iters: 4000 })!;
    expect(r.estimate).toBeCloseTo(0.1333, 3);
    expect(r.lo).toBeLessThan(0);
    expect(r.hi).toBeGreaterThan(0);
    expect(r.significant).toBe(false);
    expect(comparisonWording(r)).toBe("undecided at 3 seeds");
    expect(r.mdd).toBeGreaterThan(0.1); // the seed spread, not the item noise, sets the MDD
    // the old estimator (seed k paired with seed k, whole items resampled) excludes 0 on the same data
    const a = data.filter((d) => d.run_id.startsWith("a")).map((d) => d.value),
      b = data.filter((d) => d.run_id.startsWith("b")).map((d) => d.value),
      g = data.filter((d) => d.run_id.startsWith("a")).map((d) => d.item_id);
    const old = pairedBootstrap(a, b, { groups: g, iters: 2000 });
    expect(old.excludesZero).toBe(true);
    expect(old.mdd).toBeLessThan(0.02);
  });

  it("one run per side: an interval from items alone, labelled so, never significant", () => {
    const data = [...rows("a", Array(40).fill(1)), ...rows("b", Array(40).fill(0))];
    const r = pairedComparison(data, ["a"], ["b"], "knowledge", { iters: 200 })!;
    expect(r.basis).toBe("items only (1 seed)");
    expect(r.excludesZero).toBe(true); // the interval itself is [1, 1] …
    expect(r.significant).toBe(false); // … but it says nothing about another seed
    expect(comparisonWording(r)).toBe("items only (1 seed)");
    expect(comparisonText(r)).toBe("+100.0 [100.0, 100.0] MDD 0.0, items only (1 seed)");
  });

  it("SFT-only (one run) vs a multi-seed method: the seed variance comes from the method's side alone", () => {
    const I = 50;
    const data = [
      ...rows("sft", Array(I).fill(0.5)),
      ...rows("m0", Array(I).fill(0.9)),
      ...rows("m1", Array(I).fill(0.4)),
      ...rows("m2", Array(I).fill(0.8)),
    ];
    const r = pairedComparison(data, ["m0", "m1", "m2"], ["sft"], "knowledge", { iters: 4000 })!;
    // no item variance at all: every replicate is mean(drawn seeds) − 0.5, from {−0.1, …, +0.4}
    expect(r.lo).toBeCloseTo(-0.1 + 1e-12, 6);
    expect(r.hi).toBeCloseTo(0.4, 6);
    expect(r.se).toBeGreaterThan(0.1);
    expect(comparisonWording(r)).toBe("undecided at 3 seeds");
    // the same seeds, all well above SFT: decided
    const up = [...rows("sft", Array(I).fill(0.2)), ...["m0", "m1", "m2"].flatMap((m, k) => rows(m, Array(I).fill(0.6 + 0.05 * k)))];
    const u = pairedComparison(up, ["m0", "m1", "m2"], ["sft"], "knowledge", { iters: 1000 })!;
    expect(comparisonWording(u)).toBe("higher");
    expect(comparisonWording({ ...u, estimate: -u.estimate, lo: -u.hi, hi: -u.lo })).toBe("lower");
  });

  it("seedCount and wording without data", () => {
    const s = (n: number) => Array.from({ length: n }, (_, k) => ({ run: `r${k}`, score: 0 }));
    expect(seedCount({ seedsA: s(5), seedsB: s(5) })).toBe("5 seeds");
    expect(seedCount({ seedsA: s(5), seedsB: s(1) })).toBe("5 seeds");
    expect(seedCount({ seedsA: s(1), seedsB: s(3) })).toBe("3 seeds");
    expect(seedCount({ seedsA: s(3), seedsB: s(2) })).toBe("3 vs 2 seeds");
    expect(comparisonWording(null)).toBe("no data");
    expect(comparisonText(null)).toBe("—");
  });
});

describe("seedItemBootstrap", () => {
  const gauss = (rng: () => number) => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  it("coverage: with a seed effect, the two-level interval covers a zero difference far more often than the item-only one", () => {
    // 5 seeds per side, 40 items; score = seed effect (sd 0.1) + item effect shared by both sides (sd 0.2) + noise (sd 0.05)
    const rng = mulberry32(16);
    const S = 5,
      I = 40,
      sims = 200;
    let twoLevel = 0,
      itemOnly = 0;
    for (let k = 0; k < sims; k++) {
      const item = Array.from({ length: I }, () => 0.2 * gauss(rng));
      const side = () =>
        Array.from({ length: S }, () => {
          const s = 0.1 * gauss(rng);
          return item.map((e) => s + e + 0.05 * gauss(rng));
        });
      const A = side(),
        B = side();
      const names = Array.from({ length: S }, (_, s) => `s${s}`);
      const r = seedItemBootstrap(A, B, names, names, { iters: 400, seed: k });
      if (r.lo <= 0 && 0 <= r.hi) twoLevel++;
      const old = pairedBootstrap(A.flat(), B.flat(), { groups: A.flatMap(() => item.map((_, i) => i)), iters: 400, seed: k });
      if (old.lo <= 0 && 0 <= old.hi) itemOnly++;
    }
    // the percentile bootstrap of 5 seeds is somewhat narrow (√(4/5)), the item-only one ignores the seeds entirely
    expect(twoLevel / sims).toBeGreaterThan(0.85);
    expect(itemOnly / sims).toBeLessThan(0.5);
  });

  it("runs that score every item alike give the interval [0, 0] and no direction, whatever the draws' order", () => {
    // integration-like scores: every seed on both sides gives each item the same partial credit (0.13 = 2/15)
    const item = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? 2 / 15 : i % 3 === 1 ? 1 / 7 : 0.1));
    const A = Array.from({ length: 5 }, () => [...item]);
    const B = Array.from({ length: 5 }, () => [...item]);
    const names = ["s0", "s1", "s2", "s3", "s4"];
    for (const seed of [0, 1, 2]) {
      const r = seedItemBootstrap(A, B, names, names, { iters: 500, seed });
      expect([r.lo, r.hi]).toEqual([0, 0]);
      expect(r.significant).toBe(false);
    }
    // one seed better on one item: the other draws tie, so the lower end is 0 and there is no "higher" either
    const A2 = A.map((row, s) => row.map((v, i) => (s === 4 && i === 0 ? v + 1 / 15 : v)));
    const r = seedItemBootstrap(A2, B, names, names, { iters: 2000, seed: 0 });
    expect(r.lo).toBe(0);
    expect(r.significant).toBe(false);
  });

  it("bad input is one clear error", () => {
    expect(() => seedItemBootstrap([], [[1, 2]], [], ["b"])).toThrow(/at least one run/);
    expect(() => seedItemBootstrap([[1, 2]], [[1]], ["a"], ["b"])).toThrow(/same items/);
    expect(() => seedItemBootstrap([[1]], [[1]], ["a"], ["b"])).toThrow(/2 shared items/);
    expect(() => seedItemBootstrap([[1, NaN]], [[1, 2]], ["a"], ["b"])).toThrow(/non-finite/);
    expect(() => seedItemBootstrap([[1, 2]], [[1, 2]], ["a", "x"], ["b"])).toThrow(/one name per run/);
  });
});
