/**
 * Our methods against LibMTL's own code (github.com/median-research-group/LibMTL, LibMTL/weighting/*.py) on random
 * gradient matrices, some with a zero row. fixtures/libmtl.json is written by fixtures/libmtl_reference.py, LibMTL's
 * `backward` ported from torch to numpy line by line (PCGrad with a fixed order instead of random.shuffle).
 * Documented differences (each file's header): LibMTL SUMS where we take the MEAN (PCGrad, Aligned-MTL: a factor T);
 * LibMTL's MGDA clamps the two-task solution to [0.001, 0.999] and stops Frank–Wolfe at 1e-5; CAGrad's SLSQP stops at
 * ~1e-6; mgda and cagrad drop zero gradients.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { alignedMtl } from "../../src/weighting/aligned_mtl.ts";
import { cagrad } from "../../src/weighting/cagrad.ts";
import { gramMatrix } from "../../src/weighting/gram.ts";
import { mgda } from "../../src/weighting/mgda.ts";
import { pcgrad } from "../../src/weighting/pcgrad.ts";
import { dot64, vec } from "./helpers.ts";

interface Case {
  grads: number[][];
  zero_row: boolean;
  cagrad: number[];
  cagrad_nonzero?: number[];
  mgda?: number[];
  mgda_l2_sol?: number[];
  pcgrad: number[];
  aligned_mtl: number[];
}
const { cases } = JSON.parse(readFileSync(new URL("./fixtures/libmtl.json", import.meta.url), "utf8")) as { cases: Case[] };
const f32 = (c: Case) => c.grads.map((g) => Float32Array.from(g));
const cosOf = (a: ArrayLike<number>, b: ArrayLike<number>) => dot64(a, b) / Math.sqrt(dot64(a, a) * dot64(b, b));
const relErr = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  const diff = Array.from(a, (x, i) => x - b[i]);
  return Math.sqrt(dot64(diff, diff) / dot64(b, b));
};

describe("against LibMTL's code on random gradient matrices (fixtures/libmtl.json)", () => {
  it("fixture covers zero rows and conflicts", () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(cases.filter((c) => c.zero_row).length).toBeGreaterThanOrEqual(5);
  });

  it("cagrad (c = 0.5, rescale 1) = LibMTL's CAGrad; with a zero row = LibMTL on the non-zero rows (same direction)", () => {
    for (const c of cases) {
      const d = cagrad(f32(c)).direction;
      if (!c.zero_row) expect(relErr(d, c.cagrad)).toBeLessThan(2e-3);
      else {
        expect(cosOf(d, c.cagrad_nonzero!)).toBeGreaterThan(1 - 1e-5);
        // every non-zero capability's first-order gain is at least LibMTL's worst one (CAGrad's max–min objective)
        const gains = c.grads.map((g) => dot64(g, d) / Math.sqrt(dot64(d, d)));
        const lib = c.grads.map((g) => dot64(g, c.cagrad) / Math.sqrt(dot64(c.cagrad, c.cagrad)));
        expect(Math.min(...gains.slice(0, -1))).toBeGreaterThanOrEqual(Math.min(...lib.slice(0, -1)) - 1e-3);
      }
    }
  });

  it("mgda = LibMTL's MGDA (mgda_gn='none') up to its Frank–Wolfe tolerance and two-task clamp", () => {
    for (const c of cases.filter((x) => x.mgda)) {
      const d = mgda(f32(c)).direction;
      const scale = Math.max(...c.grads.map((g) => Math.sqrt(dot64(g, g))));
      const diff = Array.from(d, (x, i) => x - c.mgda![i]);
      expect(Math.sqrt(dot64(diff, diff)) / scale).toBeLessThan(5e-3); // the clamp: up to 0.001 of a gradient
    }
  });

  it("mgda_gn='l2' is ours on the l2-normalised gradients (LibMTL's weights, not an option of ours)", () => {
    for (const c of cases.filter((x) => x.mgda_l2_sol)) {
      const unit = c.grads.map((g) => Float32Array.from(g, (x) => x / Math.sqrt(dot64(g, g))));
      const w = mgda(unit).weights;
      w.forEach((v, i) => expect(Math.abs(v - c.mgda_l2_sol![i])).toBeLessThan(5e-3));
    }
  });

  it("pcgrad with a fixed order = LibMTL's PCGrad (which sums: ours × T)", () => {
    const identityOrder = () => 1 - 1e-12; // shuffled() then keeps every element in place
    for (const c of cases) {
      const T = c.grads.length;
      const d = Array.from(pcgrad(f32(c), { rng: identityOrder }).direction, (x) => x * T);
      expect(relErr(d, c.pcgrad)).toBeLessThan(1e-5);
    }
  });

  it("aligned_mtl = LibMTL's Aligned_MTL (which sums: ours × T)", () => {
    for (const c of cases) {
      const T = c.grads.length;
      const d = Array.from(alignedMtl(f32(c)).direction, (x) => x * T);
      expect(relErr(d, c.aligned_mtl)).toBeLessThan(1e-4);
    }
  });
});

describe("cagrad when the dual's best weights land on a zero gradient", () => {
  it("drops the zero gradient: no capability loses to first order (the old mean fallback lowered g_1)", () => {
    // g_1·(g_1 + g_2) < 0, and every point of the hull has cos(g_w, g_0) ≥ −c: the full dual's minimum (0) is the zero
    // vertex, where the previous code fell back to the mean, which lowers capability 1
    const grads = [vec(1, 0), vec(-1.5, 2), vec(0, 0)];
    const G = gramMatrix(grads);
    expect(G[0][0] + G[0][1]).toBeLessThan(0);
    const r = cagrad(grads);
    const gain = r.diagnostics.gain as number[];
    expect(gain[0]).toBeGreaterThanOrEqual(0);
    expect(gain[1]).toBeGreaterThanOrEqual(0);
    expect(r.dropped).toEqual([2]);
    // and it is CAGrad on the two non-zero gradients, up to the mean's scale (2/3)
    const two = cagrad(grads.slice(0, 2)).direction;
    expect(cosOf(r.direction, two)).toBeGreaterThan(1 - 1e-9);
  });
});
