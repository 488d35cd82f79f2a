/**
 * Is a capability's GRPO gradient signal or sampling noise? The trainer splits each capability's completions into two
 * disjoint halves every step and logs the cosine between the two halves' gradients (`grad/split_half_cos/<cap>`,
 * docs/method.md §8). Two halves of one noisy estimate of the same direction agree only as far as that direction
 * outweighs the noise: with signal g and per-half noise of variance σ² per coordinate, cos ≈ ‖g‖² / (‖g‖² + dσ²).
 * When the halves look like unrelated directions — the median inside the null band of a d-parameter model,
 * |cos| ≤ 1.96/√d — the capability's gradient is noise at this batch size, and its cosines with other capabilities
 * (the orthogonality page's heatmaps) say nothing about interference.
 */
import { quantileSorted } from "./bootstrap.ts";
import { nullCosineBand } from "./null_cosine.ts";
import { signTest } from "./rank_test.ts";

export interface SplitHalfRow {
  capability: string;
  value: number;
}

export interface SplitHalfSummary {
  capability: string;
  /** step × run values that were finite (a capability with a zero gradient in either half logs NaN) */
  steps: number;
  median: number;
  q1: number;
  q3: number;
  /** the null band's upper edge for this dimension (NaN when d is unknown) */
  band: number;
  /** share of steps whose halves point the same way (cos > 0), and the exact two-sided sign test of that share
   * against ½: the band assumes isotropic gradients, which they are not (the per-step spread is far wider than the
   * band), so the sign test says whether the halves agree more often than chance whatever the effective dimension */
  positive: number;
  p: number;
  /** "signal": median above the band's upper edge AND halves agreeing more often than chance (sign test p < 0.05);
   * "noise": either fails; "unknown": no d */
  reading: "signal" | "noise" | "unknown";
}

/** per capability (in first-seen order): median and quartiles over every step of every run, read against the band */
export function splitHalfSummary(rows: readonly SplitHalfRow[], d?: number): SplitHalfSummary[] {
  const band = d && d >= 2 ? nullCosineBand(d, { q: 0.95 }).halfWidth : NaN;
  const by = new Map<string, number[]>();
  for (const r of rows) {
    if (!by.has(r.capability)) by.set(r.capability, []);
    if (Number.isFinite(r.value)) by.get(r.capability)!.push(r.value);
  }
  return [...by].map(([capability, xs]) => {
    const s = [...xs].sort((a, b) => a - b);
    // an empty list (every step NaN) has no quantiles
    const quantile = (p: number) => (s.length ? quantileSorted(s, p) : NaN);
    const median = quantile(0.5);
    const agree = s.filter((x) => x > 0).length;
    const p = signTest(agree, s.filter((x) => x !== 0).length);
    return {
      capability,
      steps: s.length,
      median,
      q1: quantile(0.25),
      q3: quantile(0.75),
      band,
      positive: s.length ? agree / s.length : NaN,
      p,
      reading: !Number.isFinite(band) || !s.length ? "unknown" : median > band && p < 0.05 ? "signal" : "noise",
    };
  });
}

/** metric rows (run_id, name, value) of the chosen runs → split-half rows; other metrics are ignored */
export function splitHalfRows(
  metrics: readonly { run_id: string; name: string; value: number | null }[],
  runIds: ReadonlySet<string>,
): SplitHalfRow[] {
  const prefix = "grad/split_half_cos/";
  return metrics
    .filter((m) => runIds.has(m.run_id) && m.name.startsWith(prefix))
    .map((m) => ({ capability: m.name.slice(prefix.length), value: m.value ?? NaN }));
}

/** one sentence for the page: which capabilities' gradients are noise at this batch size */
export function splitHalfSentence(summary: readonly SplitHalfSummary[]): string {
  const known = summary.filter((s) => s.reading !== "unknown");
  if (!known.length) return "No split-half cosines (or no model size) in the store.";
  const noise = known.filter((s) => s.reading === "noise").map((s) => s.capability);
  const band = known[0].band.toFixed(4);
  if (!noise.length)
    return `For every capability the two halves' gradients agree more often than chance (sign test p < 0.05) and the median cosine lies above the null band's upper edge (${band}): each gradient carries signal beyond sampling noise, so its cosines with the others can be read.`;
  const list = noise.join(", ");
  return `For ${list}, the two halves' gradients agree no more often than chance (sign test p ≥ 0.05) or the median cosine lies inside the null band (≤ ${band}): at this batch size ${noise.length === 1 ? "that gradient is" : "those gradients are"} indistinguishable from noise, and ${noise.length === 1 ? "its" : "their"} cosines with other capabilities say nothing about interference.`;
}
