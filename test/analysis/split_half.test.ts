import { describe, expect, it } from "vitest";
import { splitHalfRows, splitHalfSentence, splitHalfSummary } from "../../src/analysis/split_half.ts";
import { mulberry32 } from "../../src/util/rng.ts";

/** the cosine between two halves' gradients: each half = signal + its own Gaussian noise */
function halvesCosine(rand: () => number, signal: number[], noise: number): number {
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const a = signal.map((s) => s + noise * gauss());
  const b = signal.map((s) => s + noise * gauss());
  const dot = a.reduce((t, x, i) => t + x * b[i], 0);
  return dot / Math.sqrt(a.reduce((t, x) => t + x * x, 0) * b.reduce((t, x) => t + x * x, 0));
}

describe("split-half gradient cosines", () => {
  it("tells a gradient with signal from pure noise (simulated halves, d = 4,000)", () => {
    const d = 4000;
    const rand = mulberry32(7);
    const signal = Array.from({ length: d }, () => rand() - 0.5);
    const rows = [
      ...Array.from({ length: 40 }, () => ({ capability: "signal", value: halvesCosine(rand, signal, 1) })),
      ...Array.from({ length: 40 }, () => ({
        capability: "noise",
        value: halvesCosine(
          rand,
          signal.map(() => 0),
          1,
        ),
      })),
    ];
    const s = splitHalfSummary(rows, d);
    expect(s.map((x) => [x.capability, x.reading])).toEqual([
      ["signal", "signal"],
      ["noise", "noise"],
    ]);
    // the noise median sits well inside ±1.96/√d, the signal one near ‖g‖²/(‖g‖² + dσ²) = (1/12)/(1/12 + 1) ≈ 0.077
    expect(Math.abs(s[1].median)).toBeLessThan(s[1].band);
    expect(s[0].median).toBeGreaterThan(0.05);
    // 40 of 40 signal halves agree (p = 2⁻³⁹); noise halves agree about half the time
    expect(s[0].p).toBeLessThan(1e-6);
    expect(s[1].p).toBeGreaterThan(0.05);
    expect(splitHalfSentence(s)).toMatch(/^For noise, the two halves' gradients agree no more often than chance/);
  });
  it("every capability above the band: says so; no dimension: unknown", () => {
    const rows = [0.1, 0.2, 0.3, 0.1, 0.2, 0.3].map((value) => ({ capability: "knowledge", value }));
    expect(splitHalfSentence(splitHalfSummary(rows, 10_000))).toMatch(/^For every capability/);
    // 3 of 3 agreeing halves: p = 0.25, not signal whatever the median
    expect(splitHalfSummary(rows.slice(0, 3), 10_000)[0].reading).toBe("noise");
    expect(splitHalfSummary(rows)[0].reading).toBe("unknown");
    expect(splitHalfSentence(splitHalfSummary(rows))).toMatch(/^No split-half/);
  });
  it("picks the chosen runs' split-half metrics only", () => {
    const metrics = [
      { run_id: "a", name: "grad/split_half_cos/knowledge", value: 0.2 },
      { run_id: "a", name: "grad/cos/knowledge/reasoning", value: 0.9 },
      { run_id: "b", name: "grad/split_half_cos/knowledge", value: 0.5 },
      { run_id: "a", name: "grad/split_half_cos/reasoning", value: null },
    ];
    expect(splitHalfRows(metrics, new Set(["a"]))).toEqual([
      { capability: "knowledge", value: 0.2 },
      { capability: "reasoning", value: Number.NaN },
    ]);
  });
});
