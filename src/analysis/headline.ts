/**
 * The Home page's tables: the headline table (the paper's number per capability beside ours, with the gap to our best
 * other method, SFT-only, the unseen-gene control and chance) and the paired method comparisons.
 */
import { differenceCI } from "./summary.ts";
import { comparisonText, comparisonWording, pairedComparison, perSeedText, type EvalItemRow, type SeedComparison } from "./compare.ts";
import { CAPABILITIES, CAP_LABEL, SFT_ONLY, byMethodOrder, groupLabels } from "./labels.ts";
import {
  bestConfig,
  bySeed,
  capEstimate,
  clipInterval,
  controlEstimate,
  fmtControl,
  fmtEstimate,
  type CapEstimate,
  type EvalRow,
  type SiteRun,
} from "./runs.ts";

/** one row of paper-claims.json `headline`: the abstract's number for a capability and its "+x over the best baseline" */
export interface PaperHeadline {
  capability: string;
  label: string;
  paper: number;
  gain: number;
}

export interface HeadlineTable {
  /** one row per capability, keyed by the table's column titles */
  rows: Record<string, string>[];
  /** the configs the table shows (capability-aware GRPO's, then every other method's best config), for the caption */
  shown: SiteRun[][];
  /** the best capability-aware GRPO and SFT-only configs (null: no such run) */
  ours: SiteRun[] | null;
  sft: SiteRun[] | null;
}

/** mean of the finite values (NaN when there are none) */
const meanOf = (xs: readonly number[]) => {
  const v = xs.filter((x) => Number.isFinite(x));
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
};

/** one knowledge item's options (MKGSG's cloze: the gold letter and three distractors) */
export const KNOWLEDGE_OPTIONS = 4;

/**
 * The "Chance" cell per capability. Knowledge is a 4-option cloze: chance is 1/4 by construction. Instruction and
 * integration are scored on free text against rules: there is no chance level to state (a guess is not a random
 * option), so the cell points to the control column — the same questions on genes the model never read about, i.e.
 * the score of the trained model without the knowledge. Reasoning: the eval stage's `baseline/chance` (answering each
 * item with another item's gold answer).
 */
export function chanceCell(cap: string, measured: number): string {
  if (cap === "knowledge") return `${(100 / KNOWLEDGE_OPTIONS).toFixed(1)} (1 of ${KNOWLEDGE_OPTIONS})`;
  if (cap === "instruction" || cap === "integration") return "none (see control)";
  return Number.isFinite(measured) ? (100 * measured).toFixed(1) : "—";
}

/**
 * Per capability: the paper's number, ours (the best capability-aware GRPO config: a best-of-N pick, the same for
 * every method), the gap to our strongest other method on that capability (SFT-only included; the paper's "+x over
 * the best baseline"), SFT-only, SFT-only's unseen-gene control, and chance (the eval stage's `baseline/chance`).
 */
export function headlineTable(
  headline: readonly PaperHeadline[],
  runs: readonly SiteRun[],
  evals: readonly EvalRow[],
  evalItems: readonly EvalItemRow[] = [],
): HeadlineTable {
  const ours = bestConfig(runs, "cagrpo");
  const sft = bestConfig(runs, SFT_ONLY);
  const otherMethods = [...new Set(runs.map((r) => r.method))].filter((m) => m !== "cagrpo").sort(byMethodOrder);
  const others = otherMethods.map((m) => bestConfig(runs, m));
  const chance = (cap: string) => meanOf(evals.filter((e) => e.capability === cap && e.metric === "baseline/chance").map((e) => e.value));
  const rows = headline.map((h) => {
    const o = ours ? capEstimate(ours, h.capability) : null;
    const candidates = others
      .filter((rs): rs is SiteRun[] => rs !== null)
      .map((rs) => ({ rs, e: capEstimate(rs, h.capability) }))
      .filter((d) => Number.isFinite(d.e.mean));
    // the strongest other method (the first one on a tie)
    const bestOther = candidates.reduce<{ rs: SiteRun[]; e: CapEstimate } | undefined>(
      (top, d) => (top === undefined || d.e.mean > top.e.mean ? d : top),
      undefined,
    );
    // seed-level paired comparison over the same items where per-item rows exist (compare.ts), else the unpaired
    // difference of the two configs' intervals
    const paired =
      ours && bestOther
        ? pairedComparison(
            evalItems,
            bySeed(ours).map((r) => r.id),
            bySeed(bestOther.rs).map((r) => r.id),
            h.capability,
          )
        : null;
    const gap = o && Number.isFinite(o.mean) && bestOther ? differenceCI(o, bestOther.e) : null;
    const c = chance(h.capability);
    return {
      Capability: h.label,
      "Paper (0.5B)": `${h.paper} (+${h.gain})`,
      "Ours: CA-GRPO": o ? fmtEstimate(o, { source: false }) : "—",
      "gap vs best other": paired
        ? // per-seed scores are in the paired table (pairedComparisonRows): a cell stays short enough to read
          `${comparisonText(paired)} (${bestOther!.rs[0].method})`
        : gap
          ? `${gap.diff >= 0 ? "+" : ""}${(100 * gap.diff).toFixed(1)}${
              Number.isFinite(gap.lo)
                ? ` [${clipInterval(gap.lo, gap.hi, [-1, 1])
                    .map((v) => (100 * v).toFixed(1))
                    .join(", ")}]`
                : ""
            } (${bestOther!.rs[0].method})`
          : "—",
      "Ours: SFT only": sft ? fmtEstimate(capEstimate(sft, h.capability), { source: false }) : "—",
      "Control (unseen genes): SFT only": fmtControl(controlEstimate(evals, sft, h.capability)),
      Chance: chanceCell(h.capability, c),
    };
  });
  const shown = [...new Set([ours, ...others])].filter((rs): rs is SiteRun[] => rs !== null);
  return { rows, shown, ours, sft };
}

/** "sum · beta 0.04 (2 seeds); …": the caption's config list, each config by its short label (labels.ts) */
export const configsCaption = (shown: readonly SiteRun[][]): string => {
  const label = groupLabels(shown.map((rs) => ({ group: rs[0].group, method: rs[0].method, params: rs[0].params })));
  return shown.map((rs) => `${label.get(rs[0].group)} (${rs.length} seed${rs.length > 1 ? "s" : ""})`).join("; ");
};

/** short labels for every config of some runs (the paired table's "config" column): labels.ts groupLabels */
const configLabels = (runs: readonly SiteRun[]) =>
  groupLabels([...new Map(runs.map((r) => [r.group, { group: r.group, method: r.method, params: r.params }])).values()]);

/** one seed-level comparison of a GRPO config against a reference config on one capability */
export interface ConfigComparison {
  /** the config's short label (labels.ts groupLabels: "pcgrad · beta 0.1") */
  config: string;
  method: string;
  /** "SFT-only" or "sum" */
  vs: string;
  capability: string;
  comparison: SeedComparison | null;
}

/**
 * Every GRPO config against SFT-only's best config and against plain GRPO's (`sum`; not for sum configs themselves):
 * per capability, the two-level (seeds × items) comparison over the same extraction items (compare.ts).
 */
export function configComparisons(
  runs: readonly SiteRun[],
  evalItems: readonly EvalItemRow[],
  opts: { iters?: number } = {},
): ConfigComparison[] {
  const configs = new Map<string, SiteRun[]>();
  for (const r of runs) if (r.method !== SFT_ONLY) configs.set(r.group, [...(configs.get(r.group) ?? []), r]);
  const sft = bestConfig(runs, SFT_ONLY);
  const sum = bestConfig(runs, "sum");
  const labels = configLabels(runs);
  return [...configs].flatMap(([group, rs]) =>
    (
      [
        ["SFT-only", sft],
        ["sum", rs[0].method === "sum" ? null : sum],
      ] as [string, SiteRun[] | null][]
    )
      .filter((e): e is [string, SiteRun[]] => e[1] !== null)
      .flatMap(([label, ref]) =>
        CAPABILITIES.map((c) => ({
          config: labels.get(group) ?? rs[0].method,
          method: rs[0].method,
          vs: label,
          capability: c,
          comparison: pairedComparison(
            evalItems,
            bySeed(rs).map((r) => r.id),
            bySeed(ref).map((r) => r.id),
            c,
            opts,
          ),
        })),
      ),
  );
}

/**
 * The Home page's paired table: one row per config × reference × capability with the seed-level difference and
 * interval (×100 points), its MDD, the wording (comparisonWording: "higher" / "lower" only when the seed-level
 * interval excludes 0) and each seed's score on both sides.
 */
export function pairedComparisonRows(runs: readonly SiteRun[], evalItems: readonly EvalItemRow[]): Record<string, string | number>[] {
  return configComparisons(runs, evalItems).map((x) => {
    const c = x.comparison;
    return {
      config: x.config,
      vs: x.vs,
      capability: CAP_LABEL[x.capability as keyof typeof CAP_LABEL] ?? x.capability,
      "difference [95% CI]": c
        ? `${c.estimate >= 0 ? "+" : ""}${(100 * c.estimate).toFixed(1)} [${(100 * c.lo).toFixed(1)}, ${(100 * c.hi).toFixed(1)}]`
        : "—",
      MDD: c ? (100 * c.mdd).toFixed(1) : "—",
      verdict: comparisonWording(c),
      "per seed": c ? perSeedText(c.seedsA) : "—",
      "per seed (vs)": c ? perSeedText(c.seedsB) : "—",
    };
  });
}
