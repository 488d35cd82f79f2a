/**
 * The Ablations page's grid of every complete config: mean and 95% interval per capability, only the config keys that
 * differ, and Δm against plain GRPO (`sum`) with the settings the config shares.
 */
import { deltaM } from "./deltaM.ts";
import { groupSummary } from "./summary.ts";
import { CAPABILITIES, byMethodOrder, labelOf, type Capability } from "./labels.ts";
import { capEstimate, paramsWithoutSeed, showValue, type SiteRun } from "./runs.ts";

export interface AblationConfig {
  key: string;
  method: string;
  n: number;
  /** the config keys (differing between runs) without the seeds */
  params: Record<string, unknown>;
  mean: Record<Capability, number>;
  /** 95% interval: a t-interval over seeds (n ≥ 2), else the single run's bootstrap CI (none: [mean, mean]) */
  ci: Record<Capability, [number, number]>;
}

const perCap = <T>(f: (c: Capability) => T) => Object.fromEntries(CAPABILITIES.map((c) => [c, f(c)])) as Record<Capability, T>;

/** The configs of some complete runs, methods in display order, then by config key. */
export function ablationConfigs(runs: readonly SiteRun[]): AblationConfig[] {
  const groups = groupSummary(
    runs,
    (r) => r.group,
    perCap((c) => (r: SiteRun) => r.scores[c]!.value),
  );
  return groups
    .map((g) => {
      const members = runs.filter((r) => r.group === g.key);
      const interval = (c: Capability): [number, number] => {
        const e = capEstimate(members, c);
        return Number.isFinite(e.lo) ? [e.lo, e.hi] : [e.mean, e.mean];
      };
      return {
        key: g.key,
        method: members[0].method,
        n: g.n,
        params: paramsWithoutSeed(members[0].params),
        mean: perCap((c) => g.stats[c].mean),
        ci: perCap(interval),
      };
    })
    .sort((a, b) => byMethodOrder(a.method, b.method) || (a.key < b.key ? -1 : 1));
}

/** the config keys whose values differ between the configs shown, sorted: the grid's columns (a constant key is no column) */
export const ablationKeys = (configs: readonly AblationConfig[]): string[] => {
  const keys = [...new Set(configs.flatMap((c) => Object.keys(c.params)))].sort();
  return keys.filter((k) => new Set(configs.map((c) => showValue(c.params[k]))).size > 1);
};

const sameExceptMethod = (a: AblationConfig, b: AblationConfig) =>
  JSON.stringify(
    Object.entries(a.params)
      .filter(([k]) => k !== "grpo.method")
      .sort(),
  ) ===
  JSON.stringify(
    Object.entries(b.params)
      .filter(([k]) => k !== "grpo.method")
      .sort(),
  );

/** Δm's baseline for a config: the plain-GRPO (sum) config with the same settings apart from the method, else the first sum config */
export function deltaMBaseline(configs: readonly AblationConfig[], c: AblationConfig): AblationConfig | undefined {
  const sums = configs.filter((s) => s.method === "sum");
  return sums.find((s) => sameExceptMethod(s, c)) ?? sums[0];
}

/**
 * Δm (%) of a config against a baseline over the capabilities whose baseline score is not 0 (a relative change from 0
 * is undefined): the value (NaN when none is left) and the capabilities left out.
 */
export function deltaMAgainst(c: AblationConfig, b: AblationConfig): { value: number; skipped: Capability[] } {
  const keep = CAPABILITIES.filter((k) => b.mean[k] !== 0);
  return {
    value: keep.length
      ? deltaM(
          keep.map((k) => c.mean[k]),
          keep.map((k) => b.mean[k]),
        ).deltaM
      : NaN,
    skipped: CAPABILITIES.filter((k) => !keep.includes(k)),
  };
}

/** "sum · beta 0.04 · weights static": a config's method and its differing keys (labels.ts labelOf, ≤ 80 characters) */
export const configLabel = (c: AblationConfig, keys: readonly string[]): string => labelOf(c.method, c.params, keys);

/**
 * The grid's rows: each differing key, the seeds, the mean per capability, and Δm vs sum with what it leaves out and
 * which sum config it is measured against (empty columns when no sum config exists).
 */
export function ablationRows(configs: readonly AblationConfig[]): Record<string, string | number>[] {
  const keys = ablationKeys(configs);
  const baseline = configs.find((c) => c.method === "sum");
  return configs.map((c) => {
    const b = baseline ? deltaMBaseline(configs, c)! : undefined;
    const dm = b ? deltaMAgainst(c, b) : undefined;
    return {
      ...Object.fromEntries(keys.map((k) => [k, showValue(c.params[k])])),
      seeds: c.n,
      ...Object.fromEntries(CAPABILITIES.map((k) => [k, c.mean[k]])),
      "Δm vs sum (%)": dm ? dm.value : NaN,
      "Δm leaves out": dm ? dm.skipped.join(", ") || "–" : "",
      "Δm baseline": b
        ? b === c
          ? "(itself)"
          : keys
              .filter((k) => k !== "grpo.method")
              .map((k) => `${k.split(".").pop()}=${showValue(b.params[k])}`)
              .join(" ") || "sum"
        : "",
    };
  });
}

/** the bars: one per config and capability, with the 95% interval */
export function ablationBars(
  configs: readonly AblationConfig[],
  labels: Readonly<Record<Capability, string>>,
): { label: string; method: string; cap: string; value: number; lo: number; hi: number }[] {
  const keys = ablationKeys(configs);
  return configs.flatMap((c) =>
    CAPABILITIES.map((k) => ({
      label: configLabel(c, keys),
      method: c.method,
      cap: labels[k],
      value: c.mean[k],
      lo: Math.max(0, c.ci[k][0]),
      hi: Math.min(1, c.ci[k][1]),
    })),
  );
}
