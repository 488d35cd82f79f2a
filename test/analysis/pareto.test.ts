import { describe, expect, it } from "vitest";
import { dominates, front2d, nonDominated, nonDominatedSort, weightedScores } from "../../src/analysis/pareto.ts";
import { mulberry32 } from "../../src/util/rng.ts";

//            A       B       C       D       E       F (=B)  G
const pts = [
  [1, 5],
  [2, 4],
  [2, 2],
  [3, 1],
  [1, 1],
  [2, 4],
  [0, 6],
];

describe("Pareto dominance (maximisation)", () => {
  it("dominance relation", () => {
    expect(dominates([2, 4], [2, 2])).toBe(true);
    expect(dominates([2, 4], [2, 4])).toBe(false); // equal: neither dominates
    expect(dominates([1, 5], [2, 4])).toBe(false);
  });
  it("non-dominated set of a hand set (duplicates both kept)", () => {
    expect(nonDominated(pts)).toEqual([0, 1, 3, 5, 6]);
  });
  it("fronts and ranks", () => {
    const { fronts, rank } = nonDominatedSort(pts);
    expect(fronts).toEqual([[0, 1, 3, 5, 6], [2], [4]]);
    expect(rank).toEqual([0, 0, 1, 0, 2, 0, 0]);
  });
  it("fast sort agrees with repeated peeling on random 4-D sets", () => {
    const rng = mulberry32(1);
    for (let t = 0; t < 20; t++) {
      const P = Array.from({ length: 40 }, () => Array.from({ length: 4 }, () => Math.round(rng() * 5)));
      const { rank } = nonDominatedSort(P);
      let left = [...P.keys()],
        r = 0;
      while (left.length) {
        const nd = nonDominated(left.map((i) => P[i])).map((k) => left[k]);
        for (const i of nd) expect(rank[i]).toBe(r);
        left = left.filter((i) => !nd.includes(i));
        r++;
      }
    }
  });
  it("weighted score and 2-D projection front", () => {
    expect(
      weightedScores(
        [
          [1, 2],
          [3, 4],
        ],
        [0.5, 0.5],
      ),
    ).toEqual([1.5, 3.5]);
    expect(
      front2d(
        [
          [1, 5, 0],
          [2, 4, 9],
          [0, 0, 9],
        ],
        0,
        1,
      ),
    ).toEqual([0, 1]);
    expect(
      front2d(
        [
          [1, 5, 0],
          [2, 4, 9],
          [0, 0, 9],
        ],
        0,
        2,
      ),
    ).toEqual([1]);
  });
  it("rejects ragged or non-finite points", () => {
    expect(() => nonDominated([[1, 2], [1]])).toThrow(/objectives/);
    expect(() => nonDominated([[1, NaN]])).toThrow(/non-finite/);
  });
});

// DEAP's sortNondominated (deap/tools/emo.py): Fitness.dominates on weighted values (wvalues = values × weights, so
// minimisation is maximisation of the negation) — "not worse in every objective and better in one" — and individuals
// with identical fitness share a front. The same relation and grouping as nonDominatedSort here.
describe("nonDominatedSort against DEAP's sortNondominated semantics", () => {
  /** DEAP's Fitness.dominates on wvalues */
  const deapDominates = (a: number[], b: number[], w: number[]) => {
    let notEqual = false;
    for (let k = 0; k < a.length; k++) {
      const x = a[k] * w[k],
        y = b[k] * w[k];
      if (x > y) notEqual = true;
      else if (x < y) return false;
    }
    return notEqual;
  };
  it("duplicates share a front; a tie in one objective with a gain in another dominates", () => {
    const P = [
      [1, 2],
      [1, 3],
      [1, 3],
      [0, 3],
    ];
    expect(nonDominatedSort(P).fronts).toEqual([
      [1, 2],
      [0, 3],
    ]);
  });
  it("minimisation (weights −1) is our maximisation of the negated points, front by front, on tied integer sets", () => {
    const rng = mulberry32(5);
    for (let t = 0; t < 20; t++) {
      const m = 2 + (t % 3);
      const P = Array.from({ length: 25 }, () => Array.from({ length: m }, () => Math.floor(rng() * 4)));
      const w = Array(m).fill(-1);
      // DEAP-style peeling with its dominance on the raw (minimised) values
      let left = [...P.keys()];
      const fronts: number[][] = [];
      while (left.length) {
        const f = left.filter((i) => !left.some((j) => j !== i && deapDominates(P[j], P[i], w)));
        fronts.push(f);
        left = left.filter((i) => !f.includes(i));
      }
      expect(nonDominatedSort(P.map((p) => p.map((v) => -v))).fronts).toEqual(fronts);
    }
  });
});
