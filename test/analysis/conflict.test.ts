import { describe, expect, it } from "vitest";
import { conflictOutcomes, outcomeShift } from "../../src/analysis/conflict.ts";

const run = (method: string, a: number, b: number, i = 0) => ({ run: `${method}-s${i}`, method, a, b });

describe("conflictOutcomes", () => {
  it("summarises each slot and the worse of the two over a method's seeds (hand-computed)", () => {
    const s = conflictOutcomes([run("sum", 0.4, 0.0, 0), run("sum", 0.5, 0.1, 1), run("pcgrad", 0.2, 0.5, 0), run("pcgrad", 0.3, 0.4, 1)]);
    expect(s.map((x) => x.method)).toEqual(["sum", "pcgrad"]);
    expect(s[0].seeds).toBe(2);
    expect(s[0].a.mean).toBeCloseTo(0.45, 12);
    expect(s[0].b).toEqual({ mean: 0.05, min: 0, max: 0.1 });
    expect(s[0].worst).toEqual({ mean: 0.05, min: 0, max: 0.1 });
    expect(s[1].worst.min).toBeCloseTo(0.2, 12);
    expect(s[1].worst.max).toBeCloseTo(0.3, 12);
  });

  it("skips runs without both slot scores", () => {
    expect(conflictOutcomes([run("sum", NaN, 0.3), run("sum", 0.2, 0.3)])[0].seeds).toBe(1);
  });
});

describe("outcomeShift", () => {
  const [sum, pcgrad] = conflictOutcomes([run("sum", 0.4, 0.0, 0), run("sum", 0.5, 0.1, 1), run("pcgrad", 0.2, 0.5, 0), run("pcgrad", 0.3, 0.4, 1)]);
  it("is +1 / −1 only when the seed ranges are disjoint", () => {
    expect(outcomeShift(sum, pcgrad, "worst")).toBe(1);
    expect(outcomeShift(pcgrad, sum, "worst")).toBe(-1);
    expect(outcomeShift(sum, pcgrad, "a")).toBe(-1);
    expect(outcomeShift(sum, pcgrad, "b")).toBe(1);
  });
  it("is 0 when the ranges overlap: a difference inside the seeds' spread is no change", () => {
    const [x, y] = conflictOutcomes([run("x", 0.1, 0.2, 0), run("x", 0.1, 0.6, 1), run("y", 0.5, 0.3, 0), run("y", 0.5, 0.9, 1)]);
    expect(outcomeShift(x, y, "b")).toBe(0);
    expect(outcomeShift(x, x, "worst")).toBe(0);
  });
});
