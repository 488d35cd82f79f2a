/**
 * Configs as points in capability space: the Pareto explorer's points, fronts and hypervolume, and the What-if
 * page's weighted ranking. A config is a group of runs that differ only in their seed (SiteRun.group); its point is
 * the mean over those seeds.
 */
import { front2d, nonDominated, weightedScores } from "./pareto.ts";
import { normalizedHypervolume } from "./hypervolume.ts";
import { groupSummary } from "./summary.ts";
import { CAPABILITIES, type Capability } from "./labels.ts";
import { showValue, type SiteRun } from "./runs.ts";

/** a config's point: mean per capability over its seeds, the spread it is drawn with, and whether it is on the 4-D front */
export interface ConfigPoint {
  group: string;
  method: string;
  /** seeds (runs) in the config */
  n: number;
  runIds: string[];
  names: string[];
  values: Record<Capability, number>;
  /** ± one sample standard deviation over seeds; with one seed, half its bootstrap CI's width (0 without one) */
  spread: Record<Capability, number>;
  /** no other config is at least as good on all four capabilities and better on one */
  onFront: boolean;
}

const perCap = <T>(f: (c: Capability) => T) => Object.fromEntries(CAPABILITIES.map((c) => [c, f(c)])) as Record<Capability, T>;

/** The configs of some complete runs (every run has all four scores), in first-seen order, with the 4-D front marked. */
export function configPoints(runs: readonly SiteRun[]): ConfigPoint[] {
  const groups = groupSummary(
    runs,
    (r) => r.group,
    perCap((c) => (r: SiteRun) => r.scores[c]!.value),
  );
  const points = groups.map((g) => {
    const members = runs.filter((r) => r.group === g.key);
    const one = (c: Capability) => members[0].scores[c]!;
    const spread = (c: Capability) => (g.n > 1 ? g.stats[c].sd : Number.isFinite(one(c).ci_lo) ? (one(c).ci_hi! - one(c).ci_lo!) / 2 : 0);
    return {
      group: g.key,
      method: members[0].method,
      n: g.n,
      runIds: members.map((r) => r.id),
      names: members.map((r) => r.name),
      values: perCap((c) => g.stats[c].mean),
      spread: perCap(spread),
      onFront: false,
    };
  });
  const front = new Set(points.length ? nonDominated(pointVectors(points)) : []);
  points.forEach((p, i) => (p.onFront = front.has(i)));
  return points;
}

/** each point's capability scores in CAPABILITIES order */
export const pointVectors = (points: readonly Pick<ConfigPoint, "values">[]): number[][] =>
  points.map((p) => CAPABILITIES.map((c) => p.values[c]));

/** a point placed on two capability axes, with its error bars' ends */
export interface AxisPoint extends ConfigPoint {
  x: number;
  y: number;
  xlo: number;
  xhi: number;
  ylo: number;
  yhi: number;
}

/**
 * The points on the axes (x, y) = (xCap, yCap), and the 2-D front of that projection ordered by x: what the scatter
 * joins with its staircase. (A config can be on the 4-D front and dominated in the pair shown.)
 */
export function onAxes(points: readonly ConfigPoint[], xCap: Capability, yCap: Capability): { points: AxisPoint[]; front: AxisPoint[] } {
  const xy = points.map((p) => ({
    ...p,
    x: p.values[xCap],
    y: p.values[yCap],
    xlo: p.values[xCap] - p.spread[xCap],
    xhi: p.values[xCap] + p.spread[xCap],
    ylo: p.values[yCap] - p.spread[yCap],
    yhi: p.values[yCap] + p.spread[yCap],
  }));
  const front = points.length
    ? front2d(pointVectors(points), CAPABILITIES.indexOf(xCap), CAPABILITIES.indexOf(yCap)).map((i) => xy[i])
    : [];
  return { points: xy, front };
}

/**
 * Hypervolume of the points, normalised by the box [r = 0, ideal = 1] (scores are in [0, 1], maximised): over all
 * four capabilities, and over the two on the axes.
 */
export function capabilityHypervolume(points: readonly ConfigPoint[], xCap: Capability, yCap: Capability): { all: number; axes: number } {
  const vecs = pointVectors(points);
  const xi = CAPABILITIES.indexOf(xCap),
    yi = CAPABILITIES.indexOf(yCap);
  return {
    all: normalizedHypervolume(
      vecs,
      CAPABILITIES.map(() => 0),
      CAPABILITIES.map(() => 1),
    ),
    axes: normalizedHypervolume(
      vecs.map((v) => [v[xi], v[yi]]),
      [0, 0],
      [1, 1],
    ),
  };
}

/**
 * The Pareto explorer's extra filters: every config key that differs between runs except the method and the seeds,
 * with the values it takes (as shown, sorted).
 */
export function paramFilters(runs: readonly Pick<SiteRun, "params">[]): { key: string; values: string[] }[] {
  // only where there is a choice (a key with one value among these runs is no filter); the RL seed (grpo.seed) is one
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.params)))]
    .filter((k) => k !== "grpo.method" && (k === "grpo.seed" || !/(^|\.)seed$/.test(k)))
    .sort();
  const num = (a: string, b: string) => (Number.isFinite(+a) && Number.isFinite(+b) ? +a - +b : a < b ? -1 : a > b ? 1 : 0);
  return keys
    .map((key) => ({ key, values: [...new Set(runs.map((r) => showValue(r.params[key])))].sort(num) }))
    .filter((f) => f.values.length > 1);
}

/** whether a run passes the filters: its method, its seed, and each filtered key's value among those chosen */
export function passesFilters(
  r: Pick<SiteRun, "method" | "seed" | "params">,
  methods: readonly string[],
  seeds: readonly (number | undefined)[],
  params: Record<string, readonly string[]>,
): boolean {
  return (
    methods.includes(r.method) && seeds.includes(r.seed) && Object.entries(params).every(([k, vs]) => vs.includes(showValue(r.params[k])))
  );
}

/** a config under the What-if page's weights */
export interface WeightedConfig {
  group: string;
  method: string;
  n: number;
  /** mean per capability, in CAPABILITIES order */
  values: number[];
  /** Σ w_k·score_k / Σ w_k (NaN when every weight is 0) */
  score: number;
  /** on the front over the capabilities with a positive weight */
  onFront: boolean;
}

/**
 * The configs of some complete runs ranked by their weighted score (best first; stable among equal scores). A
 * capability with weight 0 drops out of the dominance test, so the front shrinks to what still matters.
 */
export function weightedRanking(
  runs: readonly SiteRun[],
  w: Readonly<Record<Capability, number>>,
): { ranked: WeightedConfig[]; active: number[]; total: number } {
  const groups = groupSummary(
    runs,
    (r) => r.group,
    perCap((c) => (r: SiteRun) => r.scores[c]!.value),
  );
  const configs = groups.map((g) => ({
    group: g.key,
    method: runs.find((r) => r.group === g.key)!.method,
    n: g.n,
    values: CAPABILITIES.map((c) => g.stats[c].mean),
  }));
  const weights = CAPABILITIES.map((c) => w[c]);
  const total = weights.reduce((a, b) => a + b, 0);
  const active = CAPABILITIES.map((_, k) => k).filter((k) => weights[k] > 0);
  const scores =
    total > 0 && configs.length
      ? weightedScores(
          configs.map((c) => c.values),
          weights,
        ).map((s) => s / total)
      : configs.map(() => NaN);
  const front = active.length && configs.length ? nonDominated(configs.map((c) => active.map((k) => c.values[k]))) : [];
  const ranked = configs.map((c, i) => ({ ...c, score: scores[i], onFront: front.includes(i) })).sort((a, b) => b.score - a.score);
  return { ranked, active, total };
}

/**
 * The What-if scatter: the two most heavily weighted capabilities as axes (the earlier one on a tie), the ranked
 * configs on them, and the 2-D front of those axes among the configs on the weighted front.
 */
export function weightedScatter(
  ranked: readonly WeightedConfig[],
  w: Readonly<Record<Capability, number>>,
): {
  x: Capability;
  y: Capability;
  points: (WeightedConfig & Omit<AxisPoint, keyof ConfigPoint>)[];
  front: (WeightedConfig & Omit<AxisPoint, keyof ConfigPoint>)[];
} {
  const [i, j] = CAPABILITIES.map((_, k) => k)
    .sort((a, b) => w[CAPABILITIES[b]] - w[CAPABILITIES[a]])
    .slice(0, 2);
  const points = ranked.map((d) => ({
    ...d,
    x: d.values[i],
    y: d.values[j],
    xlo: d.values[i],
    xhi: d.values[i],
    ylo: d.values[j],
    yhi: d.values[j],
  }));
  const onF = points.filter((d) => d.onFront);
  const front = onF.length
    ? front2d(
        onF.map((d) => [d.x, d.y]),
        0,
        1,
      ).map((k) => onF[k])
    : [];
  return { x: CAPABILITIES[i], y: CAPABILITIES[j], points, front };
}
