import { describe, expect, it } from "vitest";
import { METHODS, METHOD_NAMES, getMethod } from "../../src/weighting/index.ts";
import { BbioError } from "../../src/util/errors.ts";
import { randomGrads } from "./helpers.ts";

describe("gradient method registry", () => {
  it("every method: right length, finite, deterministic, simplex weights where defined", () => {
    const grads = randomGrads(77, 4, 64);
    grads[1] = grads[1].map((x, k) => x - grads[0][k]);
    for (const name of METHOD_NAMES) {
      const a = METHODS[name](grads, { seed: 1, step: 2 }),
        b = METHODS[name](grads, { seed: 1, step: 2 });
      expect(a.direction).toHaveLength(64);
      expect(a.direction.every(Number.isFinite)).toBe(true);
      expect(Array.from(a.direction)).toEqual(Array.from(b.direction));
      expect(a.weights).toHaveLength(4);
      expect(Array.isArray(a.coef)).toBe(true);
    }
  });

  it("identical gradients: every method but CAGrad returns that gradient (mean convention)", () => {
    const g = randomGrads(3, 1, 10)[0];
    for (const name of METHOD_NAMES.filter((n) => n !== "cagrad")) {
      const d = METHODS[name]([g, g, g], {}).direction;
      d.forEach((x, k) => expect(x).toBeCloseTo(g[k], 5));
    }
  });

  it("unknown method name is a user error", () => {
    expect(() => getMethod("pc-grad")).toThrow(BbioError);
    expect(() => getMethod("pc-grad")).toThrow(/sum, pcgrad, mgda, cagrpo, cagrad, aligned_mtl/);
  });
});
