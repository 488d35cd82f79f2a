/**
 * The live page's settings (docs/live.md): what the reader may choose, its defaults and limits, the check the form
 * runs before any training, and the rows its charts draw. Pure and browser-safe: the page imports it from the analysis
 * bundle, the worker's driver (src/live/driver.ts) and the tests from here, so all agree on one set of defaults.
 *
 *   const err = liveSettingsError({ method: "pcgrad", slotWeights: [3, 1], optim: "sgd", seed: 1, steps: 5 });
 */
import { SFT_ONLY } from "./labels.ts";

export const LIVE_METHODS = ["sum", "pcgrad", "mgda", "cagrpo"] as const;
export const LIVE_OPTIMS = ["sgd", "adamw"] as const;

export interface LiveSettings {
  method: (typeof LIVE_METHODS)[number];
  /** capitals : lower case (the instruction and integration slots of the conflict control) */
  slotWeights: [number, number];
  optim: (typeof LIVE_OPTIMS)[number];
  seed: number;
  steps: number;
}

/**
 * The page's defaults. Fewer steps and prompts than the stored control (12 steps × 4 prompts per capability) so a run
 * finishes within 90 s on 2 cores in Chromium on wasm; at these settings plain GRPO's lower-case slot still ends below
 * PCGrad's and the slot cosine stays negative (test/browser/live-page.test.ts measures both).
 */
export const LIVE_DEFAULTS: LiveSettings = { method: "sum", slotWeights: [3, 1], optim: "sgd", seed: 1, steps: 6 };

/** The GRPO batch the live page trains with, applied over the stored control's config when the site is built. */
export const LIVE_GRPO = { prompts_per_capability: 2, num_generations: 6 } as const;

/** The end score: this many held-out prompts per slot, `samples` completions each (the stored runs use 40 × 8). */
export const LIVE_HELD_OUT = { prompts: 10, samples: 2 } as const;

/**
 * What the stored checkpoint and the project's GRPO config accept: 1–24 steps (twice the stored control's 12; more is
 * minutes of training in a browser), an integer seed in 0 … 2³¹−1 (the RNG's seed range), slot weights finite, ≥ 0,
 * ≤ 100, not both 0.
 */
export const LIVE_LIMITS = { steps: [1, 24], seed: [0, 2 ** 31 - 1], weight: [0, 100] } as const;

/**
 * |browser − Node| allowed on each step's mean slot reward and slot cosine, both on the wasm backend: the page states
 * it, and test/browser/live.test.ts (a tiny checkpoint) and live-page.test.ts (the page at its defaults) check it
 * through liveStepDifference.
 */
export const LIVE_TOLERANCE = 1e-4;

/** null when the settings are acceptable, else one sentence saying what is refused and why. */
export function liveSettingsError(s: Partial<LiveSettings>): string | null {
  if (!LIVE_METHODS.includes(s.method as never)) return `update rule must be one of ${LIVE_METHODS.join(", ")}`;
  if (!LIVE_OPTIMS.includes(s.optim as never)) return `optimizer must be SGD or AdamW`;
  const [s0, s1] = LIVE_LIMITS.steps;
  if (!Number.isInteger(s.steps) || s.steps! < s0 || s.steps! > s1) return `steps must be a whole number from ${s0} to ${s1}`;
  const [d0, d1] = LIVE_LIMITS.seed;
  if (!Number.isInteger(s.seed) || s.seed! < d0 || s.seed! > d1) return `seed must be a whole number from ${d0} to ${d1}`;
  const w = s.slotWeights;
  const [w0, w1] = LIVE_LIMITS.weight;
  if (!Array.isArray(w) || w.length !== 2 || !w.every((x) => Number.isFinite(x) && x >= w0 && x <= w1))
    return `slot weights must be two numbers from ${w0} to ${w1} (capitals : lower case)`;
  if (w[0] + w[1] <= 0) return "slot weights cannot both be 0";
  return null;
}

/** "3:1", "3 : 1", "0.5:1" → [3, 1]; anything else → null (the form then refuses it). */
export function parseSlotWeights(text: string): [number, number] | null {
  const m = /^\s*([0-9]*\.?[0-9]+)\s*:\s*([0-9]*\.?[0-9]+)\s*$/.exec(text ?? "");
  return m ? [Number(m[1]), Number(m[2])] : null;
}

/** One step as the worker posts it (src/live/driver.ts LiveStep). */
export interface LiveStepRow {
  step: number;
  rewards: number[];
  cos: number | null;
  coef: number[];
}

/**
 * The largest |a − b| between two runs' per-step numbers (each step's mean reward per capability, and the slot
 * cosine): what LIVE_TOLERANCE bounds between the browser and Node. Two values that are both missing (null, or NaN
 * as JSON carries it from a worker) agree; a value on one side only — a step, a capability, or a cosine that one run
 * has and the other lacks (a zero gradient on one side) — is a disagreement no tolerance covers: Infinity.
 */
export function liveStepDifference(
  a: readonly Pick<LiveStepRow, "rewards" | "cos">[],
  b: readonly Pick<LiveStepRow, "rewards" | "cos">[],
): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  const diff = (x: number | null | undefined, y: number | null | undefined) => {
    const [fx, fy] = [typeof x === "number" && Number.isFinite(x), typeof y === "number" && Number.isFinite(y)];
    if (fx !== fy) return Number.POSITIVE_INFINITY;
    return fx ? Math.abs((x as number) - (y as number)) : 0;
  };
  let worst = 0;
  a.forEach((s, i) => {
    const t = b[i];
    if (s.rewards.length !== t.rewards.length) worst = Number.POSITIVE_INFINITY;
    s.rewards.forEach((r, c) => (worst = Math.max(worst, diff(r, t.rewards[c]))));
    worst = Math.max(worst, diff(s.cos, t.cos));
  });
  return worst;
}

/** Long rows for the per-step charts: each slot's mean reward, and each slot's coefficient under the method. */
export function liveStepRows(steps: readonly LiveStepRow[], caps: readonly string[]) {
  const slot = (c: string) => (c === "instruction" ? "capitals" : c === "integration" ? "lower case" : null);
  const rewards: { step: number; slot: string; reward: number }[] = [];
  const weights: { step: number; slot: string; weight: number }[] = [];
  for (const s of steps)
    caps.forEach((c, i) => {
      const name = slot(c);
      if (!name) return;
      if (Number.isFinite(s.rewards[i])) rewards.push({ step: s.step, slot: name, reward: s.rewards[i] });
      if (Number.isFinite(s.coef[i])) weights.push({ step: s.step, slot: name, weight: s.coef[i] });
    });
  const cosines = steps.filter((s) => s.cos !== null && Number.isFinite(s.cos)).map((s) => ({ step: s.step, cos: s.cos as number }));
  return { rewards, weights, cosines };
}

/** A stored conflict-control run's sampled slot scores (src/analysis/conflict.ts conflictControl's rows). */
export interface StoredSlotRow {
  method: string;
  "capitals (instruction)"?: number;
  "lower case (integration)"?: number;
}

/**
 * The end-of-run comparison: for each slot, the live score, the stored runs' range for the same method (min–max over
 * their seeds) and SFT-only's score (the start every run trains from).
 */
export function liveEndRows(
  live: { capitals: number; lower: number } | null,
  stored: readonly StoredSlotRow[],
  method: string,
): { slot: string; source: string; lo: number; hi: number; n: number }[] {
  const out: { slot: string; source: string; lo: number; hi: number; n: number }[] = [];
  for (const [slot, key, liveKey] of [
    ["capitals", "capitals (instruction)", "capitals"],
    ["lower case", "lower case (integration)", "lower"],
  ] as const) {
    if (live && Number.isFinite(live[liveKey])) out.push({ slot, source: "this run", lo: live[liveKey], hi: live[liveKey], n: 1 });
    for (const [source, m] of [
      [`stored ${method}`, method],
      ["stored SFT-only", SFT_ONLY],
    ] as const) {
      const xs = stored
        .filter((r) => r.method === m)
        .map((r) => r[key] as number)
        .filter(Number.isFinite);
      if (xs.length) out.push({ slot, source, lo: Math.min(...xs), hi: Math.max(...xs), n: xs.length });
    }
  }
  return out;
}

/** The form's raw values (weights as typed, "3:1"). */
export interface LiveFormValue {
  method: string;
  weights: string;
  optim: string;
  seed: number;
  steps: number;
}

/** The form's values as settings, or the sentence refusing them (shown in the form; Run stays disabled). */
export function liveFormSettings(v: LiveFormValue): { settings: LiveSettings | null; error: string | null } {
  const slotWeights = parseSlotWeights(v.weights);
  if (!slotWeights) return { settings: null, error: 'slot weights must read "capitals : lower case", e.g. 3 : 1' };
  const s = { method: v.method, slotWeights, optim: v.optim, seed: v.seed, steps: v.steps } as LiveSettings;
  const error = liveSettingsError(s);
  return error ? { settings: null, error } : { settings: s, error: null };
}
