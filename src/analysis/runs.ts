/**
 * The site's run model: stored runs joined with their config keys and per-capability scores (the loader outputs
 * runs.arrow, params.arrow and scores.arrow), and the per-config estimates every page reads from them. Pages go
 * through these functions, so none re-derives "which runs share a config" or "which interval a score has" on its own.
 */
import { CAPABILITIES } from "./labels.ts";
import { meanCI } from "./summary.ts";

/** the two score definitions scores.arrow carries (loaders/outputs.ts); "strict" is the paper's and every page's default */
export const SCORE_DEFINITIONS = ["strict", "partial"] as const;
export type ScoreDefinition = (typeof SCORE_DEFINITIONS)[number];
export const DEFINITION_LABEL: Readonly<Record<ScoreDefinition, string>> = {
  strict: "strict (paper's definition: letter accuracy / answer+chain score / prompt-level strict / all components)",
  partial: "partial credit (mean rule-based score)",
};

/** one row of scores.arrow: a run's score on one capability under one definition, with the eval stage's bootstrap CI */
export interface CapScore {
  run_id?: string;
  capability?: string;
  definition?: string;
  metric?: string;
  value: number;
  ci_lo?: number | null;
  ci_hi?: number | null;
  n?: number | null;
}
export type Scores = Partial<Record<string, CapScore>>;

export interface StoredRun {
  id: string;
  name: string;
  method: string;
  seed?: number;
  backend?: string;
  config_hash?: string;
  data_hash?: string;
  git_commit?: string;
  git_dirty?: boolean;
}

export interface SiteRun extends StoredRun {
  /** config keys that differ between stored runs (params.arrow), values JSON-parsed */
  params: Record<string, unknown>;
  /** the differing config keys except seeds, as "key=value ..." (grpo.method first): seeds of one config share it */
  group: string;
  scoresBy: Record<ScoreDefinition, Scores>;
  /** a conflict-control run (data.conflict_control): an instrument check, not a capability run */
  conflict: boolean;
  definition: ScoreDefinition;
  /** the scores under `definition` */
  scores: Scores;
  /** the run has a score for every capability under `definition` (only those are points in capability space) */
  complete: boolean;
}

const isSeedKey = (k: string) => /(^|\.)seed$/.test(k);

function parseValue(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/**
 * Runs joined with their differing config keys and scores (the site's loadRuns). Conflict-control runs are left out
 * unless `conflict` (the Orthogonality and Training pages ask for them).
 */
export function joinRuns(
  runs: readonly StoredRun[],
  params: readonly { run_id: string; key: string; value: string }[],
  scores: readonly CapScore[],
  definition: ScoreDefinition = "strict",
  { conflict = false } = {},
): SiteRun[] {
  type Joined = Omit<SiteRun, "group" | "conflict" | "definition" | "scores" | "complete">;
  const byId = new Map<string, Joined>(runs.map((r) => [r.id, { ...r, params: {}, scoresBy: { strict: {}, partial: {} } }]));
  for (const p of params) {
    const r = byId.get(p.run_id);
    if (r) r.params[p.key] = parseValue(p.value);
  }
  for (const s of scores) {
    const r = s.run_id === undefined ? undefined : byId.get(s.run_id);
    const by = r?.scoresBy[s.definition as ScoreDefinition];
    if (by && s.capability !== undefined) by[s.capability] = s;
  }
  const all = [...byId.values()].map((r) => ({
    ...r,
    group: groupKey(r.params, r.method),
    conflict: r.params["data.conflict_control"] === true,
  }));
  return withDefinition(conflict ? all : all.filter((r) => !r.conflict), definition);
}

/** "grpo.method=pcgrad grpo.beta=0.04": the config keys except seeds, grpo.method first (the method alone if none differ) */
export function groupKey(params: Record<string, unknown>, method: string): string {
  const keys = Object.keys(params)
    .filter((k) => !isSeedKey(k))
    .sort((a, b) => (a === "grpo.method" ? -1 : b === "grpo.method" ? 1 : a < b ? -1 : 1));
  const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
  return keys.length ? keys.map((k) => `${k}=${show(params[k])}`).join(" ") : method;
}

/** The same runs scored under another definition: `scores` and `complete` follow it. */
export function withDefinition<R extends Omit<SiteRun, "definition" | "scores" | "complete">>(
  runs: readonly R[],
  definition: string,
): (R & Pick<SiteRun, "definition" | "scores" | "complete">)[] {
  if (!(SCORE_DEFINITIONS as readonly string[]).includes(definition)) throw new Error(`unknown score definition "${definition}"`);
  const d = definition as ScoreDefinition;
  return runs.map((r) => {
    const scores = r.scoresBy[d];
    return { ...r, definition: d, scores, complete: CAPABILITIES.every((c) => Number.isFinite(scores[c]?.value)) };
  });
}

/** whether a run has all four capability scores under at least one definition (the pages' filter choices use this) */
export const scoredUnderAny = (r: Pick<SiteRun, "scoresBy">): boolean =>
  SCORE_DEFINITIONS.some((d) => CAPABILITIES.every((c) => Number.isFinite(r.scoresBy[d][c]?.value)));

/** A config's score on one capability with a 95% interval, and where the interval comes from. */
export interface CapEstimate {
  mean: number;
  lo: number;
  hi: number;
  n: number;
  kind: "seeds" | "bootstrap" | "none";
  /** test items behind a single run's bootstrap CI */
  items?: number | null;
}

/**
 * One config's score on one capability with a 95% interval: over seeds (t-interval) when there are ≥ 2, else the
 * single run's own bootstrap CI from the eval stage.
 */
export function capEstimate(rs: readonly Pick<SiteRun, "scores">[], cap: string): CapEstimate {
  const vals = rs.map((r) => r.scores[cap]?.value).filter((v): v is number => Number.isFinite(v));
  if (vals.length >= 2) return { ...meanCI(vals), kind: "seeds" };
  const s = rs.find((r) => Number.isFinite(r.scores[cap]?.value))?.scores[cap];
  if (!s) return { mean: NaN, lo: NaN, hi: NaN, n: 0, kind: "none" };
  const ok = Number.isFinite(s.ci_lo) && Number.isFinite(s.ci_hi);
  return { mean: s.value, lo: ok ? s.ci_lo! : NaN, hi: ok ? s.ci_hi! : NaN, n: 1, kind: ok ? "bootstrap" : "none", items: s.n };
}

/**
 * "62.1 [58.0, 66.2] (3 seeds)" (×100, one decimal) with the interval's source. The interval is clipped to the
 * score's range (`range`, default [0, 1]: a t-interval over two seeds can reach past 100%, which no score can).
 */
export function fmtEstimate(
  e: CapEstimate,
  { scale = 100, digits = 1, source = true, range = [0, 1] as readonly [number, number] } = {},
): string {
  if (!Number.isFinite(e.mean)) return "—";
  const f = (v: number) => (v * scale).toFixed(digits);
  if (e.kind === "none" || !Number.isFinite(e.lo)) return `${f(e.mean)} (no CI)`;
  const src = e.kind === "seeds" ? `${e.n} seeds` : `bootstrap${e.items ? `, n=${e.items}` : ""}`;
  const [lo, hi] = clipInterval(e.lo, e.hi, range);
  return `${f(e.mean)} [${f(lo)}, ${f(hi)}]${source ? ` (${src})` : ""}`;
}

/** an interval clipped to a metric's range ([0, 1] for a score, [−1, 1] for a difference of two scores) */
export const clipInterval = (lo: number, hi: number, [min, max]: readonly [number, number] = [0, 1]): [number, number] => [
  Math.min(max, Math.max(min, lo)),
  Math.max(min, Math.min(max, hi)),
];

/** one row of evals.arrow (the eval stage's metrics per run and capability) */
export interface EvalRow {
  run_id: string;
  capability: string;
  metric: string;
  value: number;
  ci_lo?: number | null;
  ci_hi?: number | null;
  n?: number | null;
  step?: number | null;
}

export interface ControlEstimate {
  value: number;
  lo: number | null | undefined;
  hi: number | null | undefined;
  n: number | null | undefined;
}

/**
 * The unseen-gene control of some runs on one capability (eval metric `control`, gene world only): the mean over the
 * runs, with the evaluation's interval when there is one run, else the range of the runs.
 */
export function controlEstimate(
  evals: readonly EvalRow[],
  rs: readonly Pick<SiteRun, "id">[] | null | undefined,
  cap: string,
): ControlEstimate | null {
  const ids = new Set((rs ?? []).map((r) => r.id));
  const xs = evals.filter((e) => ids.has(e.run_id) && e.capability === cap && e.metric === "control");
  if (!xs.length) return null;
  const value = xs.reduce((a, e) => a + e.value, 0) / xs.length;
  return xs.length === 1
    ? { value, lo: xs[0].ci_lo, hi: xs[0].ci_hi, n: xs[0].n }
    : { value, lo: Math.min(...xs.map((e) => e.value)), hi: Math.max(...xs.map((e) => e.value)), n: xs[0].n };
}
export const fmtControl = (c: ControlEstimate | null): string =>
  c ? `${(100 * c.value).toFixed(1)} [${(100 * c.lo!).toFixed(1)}, ${(100 * c.hi!).toFixed(1)}] n=${c.n}` : "—";

/**
 * The config (its seeds together) of `method` with the best mean over the four capabilities: a best-of-N pick, used
 * symmetrically for every method on the Home and Paper pages (and said so there). Configs whose every seed is complete
 * are preferred; a run scored on only some capabilities is ranked by the mean of those. → that config's runs, or null.
 */
export function bestConfig<R extends Pick<SiteRun, "method" | "group" | "scores" | "complete">>(
  runs: readonly R[],
  method: string,
): R[] | null {
  const groups = new Map<string, R[]>();
  for (const r of runs)
    if (r.method === method && CAPABILITIES.some((c) => Number.isFinite(r.scores[c]?.value)))
      groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
  const meanOf = (r: R) => {
    const v = CAPABILITIES.map((c) => r.scores[c]?.value).filter((x): x is number => Number.isFinite(x));
    return v.reduce((a, b) => a + b, 0) / v.length;
  };
  let best: R[] | null = null,
    bestKey = [-1, -Infinity];
  for (const rs of groups.values()) {
    const key = [rs.every((r) => r.complete) ? 1 : 0, rs.reduce((a, r) => a + meanOf(r), 0) / rs.length];
    if (key[0] > bestKey[0] || (key[0] === bestKey[0] && key[1] > bestKey[1])) (best = rs), (bestKey = key);
  }
  return best;
}

/**
 * Why runs are not points in capability space: "6 of 6 stored run(s) lack a score for reasoning (6), integration (4)
 * — …". null when every run is complete.
 */
export function missingScores(runs: readonly Pick<SiteRun, "complete" | "scores" | "definition">[]): string | null {
  const incomplete = runs.filter((r) => !r.complete);
  if (!incomplete.length) return null;
  const counts = CAPABILITIES.map((c) => [c, incomplete.filter((r) => !Number.isFinite(r.scores[c]?.value)).length] as const).filter(
    ([, n]) => n,
  );
  const def = incomplete[0].definition === "partial" ? " partial-credit" : "";
  return `${incomplete.length} of ${runs.length} stored run(s) lack a${def} score for ${counts.map(([c, n]) => `${c} (${n})`).join(", ")} — the evaluation split had no items of that capability, or the eval stage did not report it.`;
}

/** A run's RL seed: grpo.seed where the runs differ in it, else the config's seed (0 when neither is known). */
export const rlSeedOf = (r: Pick<SiteRun, "params"> & { seed?: number }): number => {
  const v = r.params["grpo.seed"] ?? r.params.seed ?? r.seed;
  return typeof v === "number" ? v : Number(v ?? 0);
};

/**
 * Runs in RL-seed order (ties by id): the order of every per-seed list ("0.84 / 0.81 / …" = seeds 0, 1, …) and of the
 * runs a seed-level bootstrap resamples, so its draws follow the seeds rather than the run ids a config hash gives.
 */
export function bySeed<R extends Pick<SiteRun, "id" | "params"> & { seed?: number }>(runs: readonly R[]): R[] {
  return [...runs].sort((a, b) => rlSeedOf(a) - rlSeedOf(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** A run's config keys without its seeds (a config's identity across seeds). */
export const paramsWithoutSeed = (params: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(params).filter(([k]) => !isSeedKey(k)));

/** How a config value is shown in tables and labels ("–" for a key the config does not set). */
export const showValue = (v: unknown): string => (v === undefined ? "–" : typeof v === "string" ? v : JSON.stringify(v));
