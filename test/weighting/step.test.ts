import { describe, expect, it } from "vitest";
import { capabilityAwareUpdate, flattenParts, splitLike } from "../../src/weighting/step.ts";
import { METHODS, firstOrderGains, gramMatrix } from "../../src/weighting/index.ts";
import { BbioError } from "../../src/util/errors.ts";
import { vec } from "./helpers.ts";

describe("capabilityAwareUpdate (GRPO-facing helper)", () => {
  it("flatten/split round trip", () => {
    const parts = [vec(1, 2), vec(3), vec(4, 5, 6)];
    const flat = flattenParts(parts);
    expect(Array.from(flat)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(splitLike(flat, [2, 1, 3]).map((p) => Array.from(p))).toEqual([[1, 2], [3], [4, 5, 6]]);
    expect(() => splitLike(flat, [2, 2])).toThrow(/sizes/);
  });

  it("flatten takes parts that lie end to end in one buffer as a view, and copies any other layout", () => {
    const whole = vec(1, 2, 3, 4, 5, 6);
    const views = splitLike(whole, [2, 1, 3]);
    const flat = flattenParts(views);
    expect(flat.buffer).toBe(whole.buffer);
    expect(Array.from(flat)).toEqual([1, 2, 3, 4, 5, 6]);
    // out of order, or with a gap, or from two buffers: a copy with the parts' values in order
    for (const parts of [
      [views[1], views[0]],
      [whole.subarray(0, 2), whole.subarray(3, 6)],
      [views[0], vec(9)],
    ]) {
      const copy = flattenParts(parts);
      expect(copy.buffer).not.toBe(whole.buffer);
      expect(Array.from(copy)).toEqual(parts.flatMap((p) => Array.from(p)));
    }
  });

  it("per-variable direction, metrics and grad_gram rows for two conflicting capabilities", () => {
    // knowledge: variables (1,0) and (0); reasoning: (−1,1) and (0)  → pcgrad by hand gives (¼, ¾) and (0)
    const r = capabilityAwareUpdate(
      [
        [vec(1, 0), vec(0)],
        [vec(-1, 1), vec(0)],
      ],
      { method: "pcgrad", capabilities: ["knowledge", "reasoning"], step: 3, seed: 0 },
    );
    expect(r.perVariable.map((p) => Array.from(p))).toEqual([[0.25, 0.75], [0]]);
    expect(r.metrics["grad/cos/knowledge/reasoning"]).toBeCloseTo(-Math.SQRT1_2, 12);
    expect(r.metrics["grad/conflict_fraction"]).toBe(1);
    expect(r.metrics["grad/norm/reasoning"]).toBeCloseTo(Math.SQRT2, 12);
    expect(r.gramRows).toHaveLength(4);
    expect(r.gramRows.every((row) => row.step === 3)).toBe(true);
  });

  it("a Gram passed by the caller (the GRPO loop's blockGrams sum) is used, not recomputed", () => {
    const parts = [
      [vec(1, 0), vec(0)],
      [vec(-1, 1), vec(0)],
    ];
    const opts = { method: "pcgrad", capabilities: ["knowledge", "reasoning"], step: 3, seed: 0 };
    const own = capabilityAwareUpdate(parts, opts);
    const given = capabilityAwareUpdate(parts, { ...opts, gram: gramMatrix(parts.map(flattenParts)) });
    expect(Array.from(given.direction)).toEqual(Array.from(own.direction));
    expect(given.metrics).toEqual(own.metrics);
    // a (deliberately different) Gram shows up in what is logged: proof it is the one in use
    const fake = capabilityAwareUpdate(parts, {
      ...opts,
      gram: [
        [4, 0],
        [0, 1],
      ],
    });
    expect(fake.metrics["grad/norm/knowledge"]).toBe(2);
    expect(fake.metrics["grad/conflict_fraction"]).toBe(0);
    expect(() => capabilityAwareUpdate(parts, { ...opts, gram: [[1]] })).toThrow(/expected 2×2/);
  });

  it("shape mismatches and unknown methods are caught", () => {
    expect(() => capabilityAwareUpdate([[vec(1)], [vec(1, 2)]], { method: "sum", capabilities: ["a", "b"], step: 0 })).toThrow(/shapes/);
    expect(() => capabilityAwareUpdate([[vec(1)]], { method: "nope", capabilities: ["a"], step: 0 })).toThrow(BbioError);
  });
});

/**
 * A toy two-objective problem with interference: J_c(θ) = −‖θ − a_c‖² (L-smooth with L = 2). Near a_1 the two
 * gradients conflict. docs/method.md §7.1: J_c does not decrease for η ≤ 2⟨g_c, d⟩ / (L‖d‖²) — check it on the real
 * function for every method whose first-order gains are all ≥ 0, and that the plain mean gradient sacrifices J_1.
 */
describe("toy interference problem: the capability-preservation bound", () => {
  const a = [1, 0],
    b = [-1, 0.2];
  const grad = (t: number[], c: number[]) => vec(-2 * (t[0] - c[0]), -2 * (t[1] - c[1]));
  const J = (t: number[], c: number[]) => -((t[0] - c[0]) ** 2 + (t[1] - c[1]) ** 2);
  const theta = [0.9, 0]; // close to a: g_1 small, g_2 large and opposed
  const g = [grad(theta, a), grad(theta, b)];
  const G = gramMatrix(g);
  it("mgda, cagrpo, pcgrad: gains ≥ 0 and no decrease within the safe step; at 3× the bound some capability drops", () => {
    for (const name of ["mgda", "cagrpo", "pcgrad"] as const) {
      const r = METHODS[name](g, { seed: 0 });
      const { gain, maxSafeStep } = firstOrderGains(G, r.coef, 2);
      gain.forEach((x) => expect(x, name).toBeGreaterThanOrEqual(0));
      const eta = Math.min(...maxSafeStep);
      const at = (h: number) => [theta[0] + h * r.direction[0], theta[1] + h * r.direction[1]];
      for (const h of [eta * 0.999, eta * 0.5]) {
        expect(J(at(h), a), name).toBeGreaterThanOrEqual(J(theta, a) - 1e-9);
        expect(J(at(h), b), name).toBeGreaterThanOrEqual(J(theta, b) - 1e-9);
      }
      expect(Math.min(J(at(3 * eta), a) - J(theta, a), J(at(3 * eta), b) - J(theta, b)), name).toBeLessThan(0);
    }
  });
  it("the mean gradient decreases capability 1 for any positive step", () => {
    const d = METHODS.sum(g, {}).direction;
    expect(firstOrderGains(G, [0.5, 0.5]).gain[0]).toBeLessThan(0);
    const t2 = [theta[0] + 1e-4 * d[0], theta[1] + 1e-4 * d[1]];
    expect(J(t2, a)).toBeLessThan(J(theta, a));
  });
});
