/**
 * The lists every page and every analysis share: the four capabilities (in their one home
 * src/util/capabilities.ts), their display labels, and the order methods and pipeline stages are listed in. The site gets
 * them from this bundle (docs/components/store.js re-exports them), so no page or component keeps its own copy.
 */
import { CAPABILITIES, type Capability } from "../util/capabilities.ts";

export type { Capability };
/** the capabilities in the paper's order (MKGSG generates one item family per capability), for the pages */
export { CAPABILITIES };

export const CAP_LABEL: Readonly<Record<Capability, string>> = {
  knowledge: "Domain knowledge",
  reasoning: "Reasoning",
  instruction: "Instruction following",
  integration: "Integration",
};

/**
 * runs.method of a run without RL (the SFT starting point every method is compared with). The pipeline stores runs
 * under it (src/pipeline/stages.ts imports it from here), and every analysis and page compares with it.
 */
export const SFT_ONLY = "sft-only";

/**
 * Methods in display order: the SFT starting point, plain GRPO, the conflict-handling baselines, ours last. The names
 * are runs.method values: SFT_ONLY and the gradient registry's method names (src/weighting/registry.ts METHOD_NAMES;
 * test/analysis/labels.test.ts checks that every one of them is here).
 */
export const METHOD_ORDER: readonly string[] = [SFT_ONLY, "sum", "pcgrad", "mgda", "cagrad", "aligned_mtl", "cagrpo"];

/** the methods that handle gradient conflict (everything but the SFT starting point and plain GRPO's sum) */
export const CONFLICT_HANDLING_METHODS: readonly string[] = METHOD_ORDER.filter((m) => m !== SFT_ONLY && m !== "sum");

/** position in `order`, unknown names last (99), then alphabetically */
const byOrder =
  (order: readonly string[]) =>
  (a: string, b: string): number =>
    (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || (a < b ? -1 : a > b ? 1 : 0);

/** methods in display order (known ones first, then any other name alphabetically) */
export const byMethodOrder = byOrder(METHOD_ORDER);

/** the pipeline's stages in the order they run (the metrics table's `stage` column) */
export const STAGE_ORDER: readonly string[] = ["generate", "sft", "rm", "grpo", "eval"];
/** stages in pipeline order; an unknown stage comes last */
export const byStageOrder = (a: string, b: string): number => (STAGE_ORDER.indexOf(a) + 1 || 99) - (STAGE_ORDER.indexOf(b) + 1 || 99);

// ---------------------------------------------------------------------------------------------------------------
// One colour per method, on every page. Okabe & Ito's colour-blind-safe palette, fixed by method NAME (a
// filter never reassigns a colour: a page's Plot scale is built from this table, not from the methods it shows).
// The conflict control's key pair, sum and pcgrad, is blue vs vermillion: apart under every common colour-vision
// deficiency. Yellow (#F0E442) is not used (1.2:1 against white). Marks only: text is never drawn in these colours
// (the lighter ones are below 4.5:1 against white) — legends and labels stay in the page's text colour.

/** method (runs.method) → Okabe–Ito colour */
export const METHOD_COLOR: Readonly<Record<string, string>> = {
  [SFT_ONLY]: "#000000",
  sum: "#0072B2",
  pcgrad: "#D55E00",
  mgda: "#009E73",
  cagrad: "#E69F00",
  aligned_mtl: "#56B4E9",
  cagrpo: "#CC79A7",
};
/** any method not in METHOD_COLOR */
export const OTHER_COLOR = "#999999";
export const methodColor = (method: string): string => METHOD_COLOR[method] ?? OTHER_COLOR;

/**
 * A Plot color scale for some methods: domain = those methods in display order, range = their fixed colours, so the
 * same method has the same colour whatever else is shown. `{...methodColorScale(ms), legend: true}` on a plot.
 */
export function methodColorScale(methods: Iterable<string>): { type: "categorical"; domain: string[]; range: string[] } {
  const domain = [...new Set(methods)].sort(byMethodOrder);
  return { type: "categorical", domain, range: domain.map(methodColor) };
}

// ---------------------------------------------------------------------------------------------------------------
// Short run labels: a run is named by its method and the config keys in which it differs from the runs it
// is compared with ("pcgrad · seed 2"), never by its whole config. Every page labels runs and configs with these.

/** the longest label (table cell, legend entry, axis label) any page shows */
export const MAX_LABEL = 80;

const KEY_NAME: Readonly<Record<string, string>> = {
  "grpo.seed": "seed",
  "sft.seed": "SFT seed",
  seed: "seed",
  "data.conflict_control": "conflict",
  "grpo.weight_strategy": "weights",
  "grpo.max_steps": "steps",
};
/** how a config key is shown in a label: "grpo.seed" → "seed", "grpo.beta" → "beta", "data.conflict_control" → "conflict" */
export const shortKey = (key: string): string => KEY_NAME[key] ?? key.split(".").pop()!.replace(/_/g, " ");

const show = (v: unknown): string => (v === undefined ? "–" : typeof v === "string" ? v : JSON.stringify(v));

/** cut a label to at most `max` characters (an ellipsis marks the cut) */
export const clip = (s: string, max = MAX_LABEL): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/** the keys whose values differ among some configs (a key one config lacks differs from one that sets it) */
export function differingKeys(paramsList: readonly Record<string, unknown>[], { except = [] as readonly string[] } = {}): string[] {
  const keys = [...new Set(paramsList.flatMap((p) => Object.keys(p)))].filter((k) => !except.includes(k));
  return keys.filter((k) => new Set(paramsList.map((p) => show(p[k]))).size > 1).sort(bySeedLast);
}
const isSeed = (k: string) => /(^|\.)seed$/.test(k);
const bySeedLast = (a: string, b: string) => Number(isSeed(a)) - Number(isSeed(b)) || (a < b ? -1 : a > b ? 1 : 0);

/** "pcgrad · beta 0.04 · seed 2": a method and the values of `keys` (a boolean key is its name, or "no <name>") */
export function labelOf(method: string, params: Readonly<Record<string, unknown>>, keys: readonly string[]): string {
  const parts = keys
    .filter((k) => k !== "grpo.method" && params[k] !== undefined) // a key this config does not set is not named
    .map((k) => {
      const v = params[k];
      if (v === true) return shortKey(k);
      if (v === false) return `no ${shortKey(k)}`;
      return `${shortKey(k)} ${show(v)}`;
    });
  return clip([method, ...parts].join(" · "));
}

/**
 * Short labels for runs compared with each other: each run's method and the keys that differ within THIS set (and
 * its seeds unless `seeds: false`, e.g. to name a config). Labels that would still collide get "#2", "#3", ….
 */
export function runLabels<R extends { id: string; method: string; params: Readonly<Record<string, unknown>> }>(
  runs: readonly R[],
  { seeds = true } = {},
): Map<string, string> {
  const keys = differingKeys(
    runs.map((r) => r.params),
    { except: ["grpo.method"] },
  ).filter((k) => seeds || !isSeed(k));
  const out = new Map<string, string>();
  const seen = new Map<string, number>();
  for (const r of runs) {
    let l = labelOf(r.method, r.params, keys);
    const n = (seen.get(l) ?? 0) + 1;
    seen.set(l, n);
    if (n > 1 && seeds) l = clip(`${l} #${n}`);
    out.set(r.id, l);
  }
  return out;
}

/** one run's label among `runs` (runLabels for a single lookup) */
export const runLabel = <R extends { id: string; method: string; params: Readonly<Record<string, unknown>> }>(
  run: R,
  runs: readonly R[],
): string => runLabels(runs).get(run.id) ?? run.method;

/**
 * Short labels for config groups (seeds pooled): group key → "pcgrad · weights uniform". `groups` are {group, method,
 * params} (one member's params per group).
 */
export function groupLabels(
  groups: readonly { group: string; method: string; params: Readonly<Record<string, unknown>> }[],
): Map<string, string> {
  const m = runLabels(
    groups.map((g) => ({ id: g.group, method: g.method, params: g.params })),
    { seeds: false },
  );
  return m;
}

/** the full config as "key=value" lines, for a collapsible <details> beside a short label */
export const fullConfig = (params: Readonly<Record<string, unknown>>): string =>
  Object.keys(params)
    .sort()
    .map((k) => `${k}=${show(params[k])}`)
    .join("\n");
