/**
 * The conflict control's outcome (docs/method.md §2.4): two capability slots ask the same prompts for opposite
 * outputs (capitals vs lower case), one slot weighted more than the other. Plain GRPO follows the heavier slot and the
 * other one collapses; a conflict-handling method should keep the lighter slot alive. Per run the outcome is each
 * slot's SAMPLED score (eval.samples completions per prompt at temperature 1: the policy's case mixture, which greedy
 * decoding hides) and the worse of the two. Per method: mean and range over its seeds.
 *
 * The verdict on the lighter slot states a p-value (docs/method.md §8.7): an exact one-sided Mann–Whitney test of the
 * method's lower-case seed scores against the reference's (plain GRPO), Holm-corrected across the methods compared.
 * Disjoint ranges alone are not enough: 3 vs 3 disjoint seeds are p = 0.05, no smaller, so "above every seed" is said
 * only when the ranges are disjoint AND the corrected p < 0.05 (5 vs 5 disjoint: p = 1/252 before correction).
 */
import { mean } from "../util/stats.ts";
import { SFT_ONLY } from "./labels.ts";
import { holm, mannWhitneyGreater } from "./rank_test.ts";

export interface ConflictRun {
  run: string;
  method: string;
  /** slot A's sampled score (the heavier, e.g. capitals / instruction) */
  a: number;
  /** slot B's sampled score (the lighter, e.g. lower case / integration) */
  b: number;
}

export interface Spread {
  mean: number;
  min: number;
  max: number;
}

export interface ConflictSummary {
  method: string;
  seeds: number;
  a: Spread;
  b: Spread;
  /** min(a, b) per run */
  worst: Spread;
}

function spread(xs: readonly number[]): Spread {
  if (xs.length === 0) return { mean: NaN, min: NaN, max: NaN };
  return { mean: mean(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/** one summary per method, in order of first appearance; runs with a non-finite slot score are skipped */
export function conflictOutcomes(runs: readonly ConflictRun[]): ConflictSummary[] {
  const by = new Map<string, ConflictRun[]>();
  for (const r of runs) {
    if (!Number.isFinite(r.a) || !Number.isFinite(r.b)) continue;
    by.set(r.method, [...(by.get(r.method) ?? []), r]);
  }
  return [...by].map(([method, rs]) => ({
    method,
    seeds: rs.length,
    a: spread(rs.map((r) => r.a)),
    b: spread(rs.map((r) => r.b)),
    worst: spread(rs.map((r) => Math.min(r.a, r.b))),
  }));
}

export type OutcomeKey = "a" | "b" | "worst";

/**
 * +1 when every seed of `other` is above every seed of `base` on `key`, −1 when below, 0 when the ranges overlap (or
 * either side has no seeds). One seed per side is allowed but says nothing about spread: callers report seeds.
 */
export function outcomeShift(base: ConflictSummary, other: ConflictSummary, key: OutcomeKey = "worst"): -1 | 0 | 1 {
  if (!base.seeds || !other.seeds) return 0;
  if (other[key].min > base[key].max) return 1;
  if (other[key].max < base[key].min) return -1;
  return 0;
}

/** one row per conflict-control run: each slot's score (sampled where the run has it, else the greedy headline) */
export interface ConflictRow {
  run: string;
  method: string;
  "capitals (instruction)": number | undefined;
  "lower case (integration)": number | undefined;
  worst: number;
  /** "sampled" (eval.samples: the policy's case mixture) or "greedy" (older runs without it) */
  measure: "sampled" | "greedy";
}

/** per method: each slot and the worst case over its seeds, and the verdict against the reference method */
export interface ConflictMethodRow {
  method: string;
  seeds: number;
  "capitals: mean": number;
  "lower case: mean": number;
  "lower case: min": number;
  "lower case: max": number;
  "worst: mean": number;
  "worst: min": number;
  "worst: max": number;
  /** each seed's lower-case score, "0.21 / 0.24 / 0.22" (the values beside the mean) */
  "lower case: seeds": string;
  /** exact one-sided Mann–Whitney p of "lower case above the reference's", and Holm-corrected over the methods (NaN: not tested) */
  p: number;
  "p (Holm)": number;
  /** the verdict on the lighter slot against the reference (conflictWording); "" for the reference and SFT-only */
  "lower case vs reference": string;
}

/** significance level of the conflict-control verdict (after Holm's correction) */
export const CONFLICT_ALPHA = 0.05;

/**
 * The words for one method's lower-case slot against the reference: "above every seed" only when the seed ranges are
 * disjoint and the Holm-corrected p < 0.05; "above (rank test)" when p < 0.05 with overlapping ranges; "below every
 * seed" for disjoint ranges the other way (descriptive, untested); otherwise "undecided at n seeds".
 */
export function conflictWording(shift: -1 | 0 | 1, pHolm: number, seeds: number): string {
  if (pHolm < CONFLICT_ALPHA) return shift === 1 ? "above every seed" : "above (rank test)";
  if (shift === -1) return "below every seed";
  return `undecided at ${seeds} seed${seeds === 1 ? "" : "s"}`;
}

interface SiteRun {
  id: string;
  name: string;
  method: string;
  conflict: boolean;
  scores: Partial<Record<string, { value: number }>>;
}
interface EvalMetric {
  run_id: string;
  capability: string;
  metric: string;
  value: number;
}

/**
 * The Orthogonality page's conflict-control tables. `evals` = evals.arrow rows (run_id, capability, metric, value): a run's
 * `sampled` instruction / integration metrics are its slots' scores; runs evaluated without eval.samples fall back to
 * the greedy headline (and say so). SFT-only runs are kept as the starting point. Methods in `order`.
 */
export function conflictControl(
  runs: readonly SiteRun[],
  evals: readonly EvalMetric[],
  order: (a: string, b: string) => number,
  opts: { reference?: string } = {},
): { rows: ConflictRow[]; perMethod: ConflictMethodRow[]; reference: string } {
  const reference = opts.reference ?? "sum";
  const sampled = new Map<string, number>();
  for (const e of evals) if (e.metric === "sampled") sampled.set(`${e.run_id}|${e.capability}`, e.value);
  const rows: ConflictRow[] = runs
    .filter((r) => r.conflict)
    .map((r) => {
      const up = sampled.get(`${r.id}|instruction`),
        low = sampled.get(`${r.id}|integration`);
      const has = up !== undefined && low !== undefined;
      const a = has ? up : r.scores.instruction?.value,
        b = has ? low : r.scores.integration?.value;
      return {
        run: r.name,
        method: r.method,
        "capitals (instruction)": a,
        "lower case (integration)": b,
        worst: Math.min(a ?? NaN, b ?? NaN),
        measure: has ? "sampled" : "greedy",
      } as ConflictRow;
    })
    .sort((x, y) => order(x.method, y.method) || (x.run < y.run ? -1 : 1));
  const summaries = conflictOutcomes(
    rows.map((r) => ({ run: r.run, method: r.method, a: r["capitals (instruction)"] ?? NaN, b: r["lower case (integration)"] ?? NaN })),
  );
  const ref = summaries.find((s) => s.method === reference);
  const lower = (m: string) => rows.filter((r) => r.method === m && Number.isFinite(r.worst)).map((r) => r["lower case (integration)"]!);
  const tested = summaries.filter((s) => ref && s.method !== reference && s.method !== SFT_ONLY);
  const raw = tested.map((s) => mannWhitneyGreater(lower(s.method), lower(reference)).p);
  const adjusted = holm(raw);
  const pOf = new Map(tested.map((s, k) => [s.method, [raw[k], adjusted[k]] as const]));
  const perMethod = summaries.map((s) => ({
    method: s.method,
    seeds: s.seeds,
    "capitals: mean": s.a.mean,
    "lower case: mean": s.b.mean,
    "lower case: min": s.b.min,
    "lower case: max": s.b.max,
    "worst: mean": s.worst.mean,
    "worst: min": s.worst.min,
    "worst: max": s.worst.max,
    "lower case: seeds": lower(s.method)
      .map((v) => v.toFixed(2))
      .join(" / "),
    p: pOf.get(s.method)?.[0] ?? NaN,
    "p (Holm)": pOf.get(s.method)?.[1] ?? NaN,
    "lower case vs reference": pOf.has(s.method) ? conflictWording(outcomeShift(ref!, s, "b"), pOf.get(s.method)![1], s.seeds) : "",
  }));
  return { rows, perMethod, reference };
}

const f2 = (v: number) => v.toFixed(2);
const pText = (p: number) => (p < 0.001 ? "p < 0.001" : `p = ${p.toFixed(3)}`);

/**
 * The Orthogonality page's sentence on the conflict control, computed from the per-method table: what plain GRPO does
 * to the lighter slot relative to its SFT-only start (in every seed, or not), and which methods the rank test puts
 * above plain GRPO. Nothing in it is typed in: a store where plain GRPO keeps lower case reads differently.
 */
export function conflictStory(perMethod: readonly ConflictMethodRow[], reference = "sum"): string {
  const ref = perMethod.find((m) => m.method === reference);
  if (!ref) return "No plain-GRPO conflict-control runs are stored, so there is nothing to compare against.";
  const start = perMethod.find((m) => m.method === SFT_ONLY)?.["lower case: mean"];
  const range = `${f2(ref["lower case: min"])}–${f2(ref["lower case: max"])}`;
  const first =
    start === undefined || !Number.isFinite(start)
      ? `Under plain GRPO the lower-case slot ends at ${range} over ${ref.seeds} seed(s) (no SFT-only start stored).`
      : ref["lower case: max"] < start
        ? `Under plain GRPO the lower-case slot falls below its SFT-only start (${f2(start)}) in every one of ${ref.seeds} seed(s) (${range}).`
        : ref["lower case: min"] > start
          ? `Under plain GRPO the lower-case slot rises above its SFT-only start (${f2(start)}) in every one of ${ref.seeds} seed(s) (${range}).`
          : `Under plain GRPO the lower-case slot ends at ${range} over ${ref.seeds} seed(s), on both sides of its SFT-only start (${f2(start)}).`;
  const tested = perMethod.filter((m) => Number.isFinite(m["p (Holm)"]));
  const above = tested.filter((m) => m["p (Holm)"] < CONFLICT_ALPHA);
  const rest = tested.filter((m) => !(m["p (Holm)"] < CONFLICT_ALPHA));
  const second = !tested.length
    ? ""
    : ` ${
        above.length
          ? `Above plain GRPO's lower case (exact one-sided rank test, Holm over ${tested.length} method(s)): ${above.map((m) => `${m.method} (${pText(m["p (Holm)"])})`).join(", ")}.`
          : `No method's lower case is above plain GRPO's at the 5% level after Holm's correction over ${tested.length} method(s).`
      }${rest.length ? ` Not shown above it: ${rest.map((m) => `${m.method} (${pText(m["p (Holm)"])}, ${m.seeds} seeds)`).join(", ")}.` : ""}`;
  return first + second;
}
