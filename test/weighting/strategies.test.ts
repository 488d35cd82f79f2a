import { describe, expect, it } from "vitest";
import {
  STRATEGY_NAMES,
  estimateNoise,
  groupRewardVariance,
  makeStrategy,
  minVarianceAlpha,
  mixingAlphas,
  weightRows,
} from "../../src/weighting/strategies.ts";
import type { DynamicStrategy } from "../../src/weighting/dynamic.ts";
import { gramMatrix, firstOrderGains } from "../../src/weighting/gram.ts";
import { minNormExact } from "../../src/weighting/minnorm.ts";
import { BbioError } from "../../src/util/errors.ts";
import { mulberry32 } from "../../src/util/rng.ts";

const f32 = (...xs: number[]) => Float32Array.from(xs);

describe("static strategies", () => {
  it("uniform = 1/|C|; static normalises reward_weights", () => {
    expect(makeStrategy("uniform", { T: 4 }).update({}, 0).weights).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(makeStrategy("static", { T: 3, rewardWeights: [1, 1, 2] }).update({}, 0).weights).toEqual([0.25, 0.25, 0.5]);
  });
  it("bad static weights and unknown names are user errors", () => {
    expect(() => makeStrategy("static", { T: 3, rewardWeights: [1, 1] })).toThrow(BbioError);
    expect(() => makeStrategy("static", { T: 2, rewardWeights: [-1, 2] })).toThrow(/≥ 0/);
    expect(() => makeStrategy("minorm", { T: 2 })).toThrow(/choose one of/);
    expect(STRATEGY_NAMES).toContain("dynamic");
  });
});

describe("min-norm and its orthogonal closed form", () => {
  it("orthogonal gradients: minnorm = closed form = (1/‖g‖²)/Σ, equal gains", () => {
    const G = gramMatrix([f32(2, 0, 0), f32(0, 1, 0), f32(0, 0, 0.5)]);
    const a = makeStrategy("minnorm", { T: 3 }).update({ gram: G }, 0);
    const b = makeStrategy("orthogonal", { T: 3 }).update({ gram: G }, 0);
    const expected = [0.25, 1, 4].map((x) => x / 5.25);
    a.weights.forEach((w, i) => expect(w).toBeCloseTo(expected[i], 10));
    b.weights.forEach((w, i) => expect(w).toBeCloseTo(expected[i], 12));
    const gains = firstOrderGains(G, b.weights).gain;
    gains.forEach((g) => expect(g).toBeCloseTo(1 / 5.25, 12));
    expect(b.diagnostics.maxAbsCos).toBe(0);
  });
  it("non-orthogonal: the closed form differs from min-norm and flags the broken premise", () => {
    const G = gramMatrix([f32(1, 0), f32(-0.8, 0.6)]);
    const mn = makeStrategy("minnorm", { T: 2 }).update({ gram: G }, 0);
    const cf = makeStrategy("orthogonal", { T: 2 }).update({ gram: G }, 0);
    expect(mn.weights[0]).toBeCloseTo(minNormExact(G).weights[0], 12);
    cf.weights.forEach((w) => expect(w).toBeCloseTo(0.5, 6));
    expect(cf.diagnostics.maxAbsCos as number).toBeCloseTo(0.8, 6);
  });
  it("needs a Gram", () => {
    expect(() => makeStrategy("minnorm", { T: 2 }).update({}, 0)).toThrow(/Gram/);
  });
});

describe("inverse variance", () => {
  it("mean within-group sample variance, by hand", () => {
    // capability 0: groups [0,1] (var .5) and [1,1] (var 0) → .25; capability 1: [0,0,1] (var 1/3) and [1] (skipped)
    expect(
      groupRewardVariance([
        [
          [0, 1],
          [1, 1],
        ],
        [[0, 0, 1], [1]],
      ]),
    ).toEqual([0.25, expect.closeTo(1 / 3, 12)]);
  });
  it("w ∝ 1/max(var, ε)", () => {
    const s = makeStrategy("inverse_variance", { T: 3, varianceFloor: 0.01 });
    const r = s.update({ rewardVar: [0.25, 0.05, 0] }, 0);
    const inv = [4, 20, 100],
      tot = 124;
    r.weights.forEach((w, i) => expect(w).toBeCloseTo(inv[i] / tot, 12));
    expect(r.diagnostics.floored).toEqual([0, 0, 1]);
  });
});

describe("minimum-variance rule/RM mixing", () => {
  it("formula, ρ = 0 special case, clipping, degenerate case", () => {
    expect(minVarianceAlpha({ sigmaRule2: 1, sigmaRm2: 3, rho: 0 }).alpha).toBeCloseTo(0.75, 12);
    // σ_rule = 1, σ_RM = 2, ρ = 0.5: (4 − 1)/(1 + 4 − 2) = 1
    expect(minVarianceAlpha({ sigmaRule2: 1, sigmaRm2: 4, rho: 0.5 }).alpha).toBeCloseTo(1, 12);
    // ρ = 0.9: (4 − 1.8)/(5 − 3.6) = 1.571… → clipped to 1
    const c = minVarianceAlpha({ sigmaRule2: 1, sigmaRm2: 4, rho: 0.9 });
    expect(c.unclipped).toBeCloseTo(2.2 / 1.4, 12);
    expect(c.alpha).toBe(1);
    expect(minVarianceAlpha({ sigmaRule2: 1, sigmaRm2: 1, rho: 1 })).toMatchObject({ alpha: 0.5, degenerate: true });
  });
  it("estimated α minimises the empirical error variance of the mix (simulated held-out set)", () => {
    const rng = mulberry32(4);
    const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    const gold: number[] = [],
      rule: number[] = [],
      rm: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const q = rng(),
        shared = normal();
      gold.push(q);
      rule.push(q + 0.3 * normal() + 0.1 * shared);
      rm.push(q + 0.15 * normal() + 0.1 * shared);
    }
    const noise = estimateNoise(rule, rm, gold);
    expect(noise.sigmaRule2).toBeCloseTo(0.09 + 0.01, 2);
    expect(noise.rho).toBeGreaterThan(0);
    const { alpha } = minVarianceAlpha(noise);
    const errVar = (a: number) => {
      const e = gold.map((g, i) => a * rule[i] + (1 - a) * rm[i] - g);
      const m = e.reduce((x, y) => x + y, 0) / e.length;
      return e.reduce((x, y) => x + (y - m) ** 2, 0);
    };
    for (let a = 0; a <= 1.0001; a += 0.05) expect(errVar(alpha)).toBeLessThanOrEqual(errVar(a) + 1e-9);
    expect(mixingAlphas([{ rule, rm, gold }])[0].alpha).toBe(alpha);
  });
  it("bad input is a user error", () => {
    expect(() => estimateNoise([1, 2], [1], [1, 2])).toThrow(BbioError);
    expect(() => estimateNoise([1], [1], [1])).toThrow(/at least 2/);
  });
});

describe("dynamic", () => {
  it("recomputes every K steps from debiased EMA statistics and logs the trajectory", () => {
    const s = makeStrategy("dynamic", { T: 2, inner: "inverse_variance", every: 3, emaDecay: 0.5 }) as DynamicStrategy;
    const r0 = s.update({ rewardVar: [0.1, 0.2] }, 0);
    // first step: debiased EMA = the observation itself
    expect(r0.weights[0]).toBeCloseTo(10 / 15, 12);
    const r1 = s.update({ rewardVar: [0.2, 0.2] }, 1);
    expect(r1.weights).toEqual(r0.weights); // held between recomputes
    s.update({ rewardVar: [0.2, 0.2] }, 2);
    const r3 = s.update({ rewardVar: [0.2, 0.2] }, 3);
    // EMA after 4 obs (β = .5): acc = Σ (1−β) β^(3−k) x_k ; debias 1 − β⁴
    const acc0 = 0.5 * (0.2 + 0.5 * (0.2 + 0.5 * (0.2 + 0.5 * 0.1)));
    const v0 = acc0 / (1 - 0.5 ** 4);
    expect(r3.weights[0]).toBeCloseTo(1 / v0 / (1 / v0 + 1 / 0.2), 12);
    expect(s.trajectory.map((t) => t.recomputed)).toEqual([true, false, false, true]);
    expect(s.name).toBe("dynamic(inverse_variance)");
  });
  it("wraps minnorm on an EMA of the Gram", () => {
    const s = makeStrategy("dynamic", { T: 2, inner: "minnorm", every: 1, emaDecay: 0.9 });
    const G = gramMatrix([f32(1, 0), f32(0, 2)]);
    expect(s.update({ gram: G }, 0).weights[0]).toBeCloseTo(0.8, 10);
  });
  it("weight rows for the store", () => {
    expect(weightRows(5, ["knowledge", "reasoning"], [0.3, 0.7], "minnorm", [1, 0.5])).toEqual([
      { step: 5, capability: "knowledge", w: 0.3, alpha: 1, strategy: "minnorm" },
      { step: 5, capability: "reasoning", w: 0.7, alpha: 0.5, strategy: "minnorm" },
    ]);
  });
});
