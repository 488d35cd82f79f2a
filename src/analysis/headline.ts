/**
 * The Home page's tables: the headline table (the paper's number per capability beside ours, with the gap to our best
 * other method, SFT-only, the unseen-gene control and chance) and the paired method comparisons.
 */
import { differenceCI } from "./summary.ts";
import { pairedComparison, type EvalItemRow } from "./compare.ts";
import type { PairedResult } from "./paired.ts";
import { CAPS, CAP_LABEL, byMethodOrder, groupLabels } from "./labels.ts";
import {
  bestConfig,
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
 * The "Chance" cell per family. Knowledge is a 4-option cloze: chance is 1/4 by construction. Instruction and
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
export function headlineTable(headline: readonly PaperHeadline[], runs: readonly SiteRun[], evals: readonly EvalRow[]): HeadlineTable {
  const ours = bestConfig(runs, "cagrpo");
  const sft = bestConfig(runs, "sft-only");
  const otherMethods = [...new Set(runs.map((r) => r.method))].filter((m) => m !== "cagrpo").sort(byMethodOrder);
  const others = otherMethods.map((m) => bestConfig(runs, m));
  const chance = (cap: string) => meanOf(evals.filter((e) => e.family === cap && e.metric === "baseline/chance").map((e) => e.value));
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
    const gap = o && Number.isFinite(o.mean) && bestOther ? differenceCI(o, bestOther.e) : null;
    const c = chance(h.capability);
    return {
      Capability: h.label,
      "Paper (0.5B)": `${h.paper} (+${h.gain})`,
      "Ours: CA-GRPO": o ? fmtEstimate(o, { source: false }) : "—",
      "gap vs best other": gap
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

/** "+12.0 [4.0, 20.0] MDD 9.5 *" (×100; * = the interval excludes 0) */
export const fmtPaired = (c: PairedResult | null): string =>
  c
    ? `${c.estimate >= 0 ? "+" : ""}${(100 * c.estimate).toFixed(1)} [${(100 * c.lo).toFixed(1)}, ${(100 * c.hi).toFixed(1)}] MDD ${(100 * c.mdd).toFixed(1)}${c.excludesZero ? " *" : ""}`
    : "—";

/**
 * Every GRPO config against SFT-only's best config and against plain GRPO's (`sum`; not for sum configs themselves):
 * per capability, the paired difference over the same extraction items × seeds (fmtPaired).
 */
export function pairedComparisonRows(runs: readonly SiteRun[], evalItems: readonly EvalItemRow[]): Record<string, string | number>[] {
  const configs = new Map<string, SiteRun[]>();
  for (const r of runs) if (r.method !== "sft-only") configs.set(r.group, [...(configs.get(r.group) ?? []), r]);
  const sft = bestConfig(runs, "sft-only");
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
      .map(([label, ref]) => ({
        config: labels.get(group) ?? rs[0].method,
        seeds: rs.length,
        vs: label,
        ...Object.fromEntries(
          CAPS.map((c) => [
            CAP_LABEL[c],
            fmtPaired(
              pairedComparison(
                evalItems,
                rs.map((r) => r.id),
                ref.map((r) => r.id),
                c,
              ),
            ),
          ]),
        ),
      })),
  );
}
