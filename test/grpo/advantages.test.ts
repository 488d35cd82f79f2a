import { describe, it, expect } from "vitest";
import { groupAdvantages, std, STD_EPS } from "../../src/grpo/advantages.ts";

describe("group-relative advantages (TRL semantics)", () => {
  // two groups of G = 3, one reward function
  const R = [[1], [0], [0.5], [0.2], [0.2], [0.2]];

  it("scale_rewards=group: (r − mean_g) / (std_g + 1e-4), unbiased std; flat groups counted", () => {
    const a = groupAdvantages(R, [1], 3, { scaleRewards: "group", aggregation: "sum_then_normalize" });
    // group 1: mean 0.5, unbiased std = sqrt(((0.5)²+(0.5)²+0)/2) = 0.5
    expect(a.advantages[0]).toBeCloseTo(0.5 / (0.5 + STD_EPS), 10);
    expect(a.advantages[1]).toBeCloseTo(-0.5 / (0.5 + STD_EPS), 10);
    expect(a.advantages[2]).toBeCloseTo(0, 12);
    expect(a.advantages.slice(3)).toEqual([0, 0, 0]);
    expect(a.fracZeroStd).toBe(0.5);
  });

  it("scale_rewards=batch divides by the batch std; none only centres", () => {
    const b = groupAdvantages(R, [1], 3, { scaleRewards: "batch", aggregation: "sum_then_normalize" });
    const s = std(R.map((r) => r[0]));
    expect(b.advantages[0]).toBeCloseTo(0.5 / (s + STD_EPS), 10);
    const n = groupAdvantages(R, [1], 3, { scaleRewards: "none", aggregation: "sum_then_normalize" });
    expect(n.advantages[0]).toBeCloseTo(0.5, 12);
    expect(n.advantages[1]).toBeCloseTo(-0.5, 12);
  });

  it("reward_weights multiply before the group normalisation; NaN rewards (not applicable) are skipped", () => {
    const two = [
      [1, NaN],
      [0, NaN],
      [NaN, 2],
      [NaN, 0],
    ];
    const a = groupAdvantages(two, [0.5, 3], 2, { scaleRewards: "none", aggregation: "sum_then_normalize" });
    expect(a.aggregate).toEqual([0.5, 0, 6, 0]);
    expect(a.advantages).toEqual([0.25, -0.25, 3, -3]);
    // with group scaling a positive weight cancels: why capability weights act on gradients in this workbench
    const g = groupAdvantages(two, [0.5, 3], 2, { scaleRewards: "group", aggregation: "sum_then_normalize" });
    const g1 = groupAdvantages(two, [1, 1], 2, { scaleRewards: "group", aggregation: "sum_then_normalize" });
    expect(g.advantages[0]).toBeCloseTo(g1.advantages[0], 3);
    expect(g.advantages[2]).toBeCloseTo(g1.advantages[2], 3);
  });

  it("normalize_then_sum (GDPO): each function normalised per group, weighted sum, then batch-normalised", () => {
    const rw = [
      [1, 0],
      [0, 0],
      [1, 1],
      [1, 0],
    ];
    const a = groupAdvantages(rw, [1, 2], 2, { scaleRewards: "group", aggregation: "normalize_then_sum" });
    const z = 0.5 / (Math.SQRT1_2 + STD_EPS); // (1 − 0.5)/(std of {1,0} = 0.7071)
    // before the batch normalisation (the aggregate): z, −z, 2z, −2z
    expect(a.aggregate).toEqual([z, -z, 2 * z, -2 * z].map((x) => expect.closeTo(x, 10)));
    // after: (A − 0)/(std_batch(A) + 1e-4), std_batch of {z, −z, 2z, −2z} = z·√(10/3)
    const sb = z * Math.sqrt(10 / 3) + STD_EPS;
    expect(a.advantages).toEqual([z / sb, -z / sb, (2 * z) / sb, (-2 * z) / sb].map((x) => expect.closeTo(x, 10)));
    const mean = a.advantages.reduce((x, y) => x + y, 0) / 4;
    expect(mean).toBeCloseTo(0, 10);
    expect(std(a.advantages)).toBeCloseTo(1, 3);
  });

  it('normalize_then_sum batch-normalises whatever scale_rewards says (TRL; "none" too)', () => {
    const rw = [
      [1, 0],
      [0, 0],
      [1, 1],
      [1, 0],
      [0.2, 0.9],
      [0.7, 0.1],
    ];
    const group = groupAdvantages(rw, [1, 2], 2, { scaleRewards: "group", aggregation: "normalize_then_sum" });
    for (const scaleRewards of ["none", "batch"] as const) {
      const a = groupAdvantages(rw, [1, 2], 2, { scaleRewards, aggregation: "normalize_then_sum" });
      expect(a.advantages).toEqual(group.advantages.map((x) => expect.closeTo(x, 12)));
    }
    expect(std(group.advantages)).toBeCloseTo(1, 3);
  });

  it("rejects a batch that is not a multiple of num_generations", () => {
    expect(() => groupAdvantages([[1], [2], [3]], [1], 2, { scaleRewards: "group", aggregation: "sum_then_normalize" })).toThrow(
      /multiple/,
    );
  });
});
