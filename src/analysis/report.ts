/**
 * `bbio report`: the README's result tables as Markdown, printed from a store so that no number in the README is
 * typed by hand. Pure: it takes the same rows the site's loaders export (runs joined by joinRuns with the
 * conflict runs, evals, eval_items) plus the provenance the command reads, and calls the same analysis functions the
 * pages call — per-capability estimates (runs.ts), the seed-level comparisons (headline.ts → compare.ts, docs/method.md
 * §8.4) and the conflict control with its exact rank test (conflict.ts, §8.7) — so the README, the Home page and the
 * Orthogonality page cannot disagree.
 *
 * Conclusions: only comparisons whose seed-level interval excludes 0 (comparisonWording "higher" / "lower") and
 * conflict-control methods whose Holm-corrected p < 0.05 are listed as conclusions; everything else is in the tables.
 */
import { nullCosineBand } from "./null_cosine.ts";
import { splitHalfSummary } from "./split_half.ts";
import { perSeedText } from "./compare.ts";
import { conflictControl, conflictStory, CONFLICT_ALPHA, type ConflictMethodRow } from "./conflict.ts";
import { configComparisons, pairedComparisonRows } from "./headline.ts";
import { CAPABILITIES, CAP_LABEL, SFT_ONLY, byMethodOrder } from "./labels.ts";
import { bestConfig, bySeed, capEstimate, controlEstimate, type EvalRow, type SiteRun } from "./runs.ts";
import type { EvalItemRow } from "./compare.ts";

/** where the numbers came from; fields the store does not record are null and printed as "not recorded" */
export interface ReportProvenance {
  /** git commit(s) the runs were made at (runs.git_commit; "+" = dirty) */
  runCommits: string[];
  /** the checkout that printed the report */
  commit: string | null;
  dirty: boolean | null;
  /** hash over (run id, config hash, updated_at) of every complete run: the site's build.json store_hash */
  storeHash: string;
  /** backends the runs recorded (runs.backend) */
  backends: string[];
  /** CPU model recorded with the runs (null: not recorded) and the CPU of the machine printing the report */
  cpu: string | null;
  printedOn?: string | null;
  /** recorded floating-point / threading settings: config or environment keys that pin them, "key=value" */
  pinned: string[];
}

export interface ReportInput {
  /** every complete run, conflict-control runs included (joinRuns(..., { conflict: true })) */
  runs: readonly SiteRun[];
  evals: readonly EvalRow[];
  evalItems: readonly EvalItemRow[];
  provenance: ReportProvenance;
  /** seconds of every stage a run computed itself (reused stages left out), with the run's part ("default", "conflict") */
  stageTimes?: readonly { part: string; stage: string; seconds: number }[];
  /** per-step split-half gradient cosines (grad/split_half_cos/<capability>) of plain-GRPO runs, default world */
  splitHalf?: readonly { capability: string; value: number }[];
  /** the gradient's dimension (parameters) of those runs, for the null band */
  gradDim?: number;
}

/** the median of some numbers (NaN for none) */
const median = (xs: readonly number[]): number => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** stage × part: runs that computed it, median and range of their seconds, total CPU-seconds */
export function stageTimeRows(times: NonNullable<ReportInput["stageTimes"]>): Record<string, string>[] {
  const groups = new Map<string, number[]>();
  for (const t of times) groups.set(`${t.part}\u0000${t.stage}`, [...(groups.get(`${t.part}\u0000${t.stage}`) ?? []), t.seconds]);
  return [...groups].map(([k, xs]) => {
    const [part, stage] = k.split("\u0000");
    return {
      part,
      stage,
      runs: String(xs.length),
      "median s": median(xs).toFixed(1),
      "range s": `${Math.min(...xs).toFixed(1)} – ${Math.max(...xs).toFixed(1)}`,
      "total s": xs.reduce((a, b) => a + b, 0).toFixed(0),
    };
  });
}

/** per capability: median and quartiles of the split-half cosines, and whether the median clears the null band */
export function splitHalfRows(rows: NonNullable<ReportInput["splitHalf"]>, d?: number): Record<string, string>[] {
  return splitHalfSummary(rows, d).map((s) => ({
    capability: s.capability,
    steps: String(s.steps),
    median: s.median.toFixed(4),
    quartiles: `${s.q1.toFixed(4)} – ${s.q3.toFixed(4)}`,
    "cos > 0": `${(100 * s.positive).toFixed(0)}% (sign test p ${s.p < 0.001 ? "< 0.001" : s.p.toFixed(3)})`,
    reading: s.reading === "signal" ? "signal" : s.reading === "noise" ? "noise" : "",
  }));
}

/** SFT-only's knowledge metrics on extraction and control genes: the cloze (acc, acc_norm), generation and letter MCQ */
export function knowledgeRows(input: Pick<ReportInput, "runs" | "evals">): Record<string, string>[] {
  const sft = input.runs.filter((r) => !r.conflict && r.method === SFT_ONLY).map((r) => r.id);
  const metrics = ["acc", "acc_norm", "acc_generate", "acc_letter_loglik"];
  return metrics.flatMap((m) => {
    const ev = input.evals.find((e) => sft.includes(e.run_id) && e.capability === "knowledge" && e.metric === m);
    const ctl = input.evals.find((e) => sft.includes(e.run_id) && e.capability === "knowledge" && e.metric === `control/${m}`);
    if (!ev) return [];
    const ci = (e: EvalRow | undefined) =>
      e ? `${f2(e.value)}${Number.isFinite(e.ci_lo ?? NaN) ? ` [${f2(e.ci_lo ?? NaN)}, ${f2(e.ci_hi ?? NaN)}]` : ""}` : "—";
    return [{ metric: m, "extraction genes": ci(ev), "control genes": ci(ctl) }];
  });
}

/** a Markdown table: header, separator, one line per row; "|" inside a cell is escaped */
export function markdownTable(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const cell = (v: unknown) => String(v ?? "").replace(/\|/g, "\\|");
  return [
    `| ${columns.map(cell).join(" | ")} |`,
    `|${columns.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${columns.map((c) => cell(r[c])).join(" | ")} |`),
  ].join("\n");
}

const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : "—");

/**
 * The default suite's per-capability table: SFT-only on extraction genes (its estimate), SFT-only on control genes,
 * then every GRPO method's best config as "mean (seed / seed / …)" — each seed's score beside the mean.
 */
export function capabilityTable(
  runs: readonly SiteRun[],
  evals: readonly EvalRow[],
): { columns: string[]; rows: Record<string, string>[] } {
  const capRuns = runs.filter((r) => !r.conflict);
  const sft = bestConfig(capRuns, SFT_ONLY);
  const methods = [...new Set(capRuns.map((r) => r.method))].filter((m) => m !== SFT_ONLY).sort(byMethodOrder);
  const best = methods.map((m) => [m, bestConfig(capRuns, m)] as const).filter((e): e is [string, SiteRun[]] => e[1] !== null);
  const columns = [
    "capability",
    "SFT-only, extraction",
    "SFT-only, control genes",
    ...best.map(([m, rs]) => `${m} (${rs.length} seed${rs.length === 1 ? "" : "s"})`),
  ];
  const rows = CAPABILITIES.map((cap) => {
    const e = sft ? capEstimate(sft, cap) : null;
    const c = controlEstimate(evals, sft, cap);
    const row: Record<string, string> = {
      capability: CAP_LABEL[cap],
      "SFT-only, extraction":
        e && Number.isFinite(e.mean) ? `${f2(e.mean)}${Number.isFinite(e.lo) ? ` [${f2(e.lo)}, ${f2(e.hi)}]` : ""}` : "—",
      "SFT-only, control genes": c ? `${f2(c.value)}` : "—",
    };
    best.forEach(([, rs], k) => {
      const vals = bySeed(rs).map((r) => r.scores[cap]?.value ?? NaN);
      const mean = capEstimate(rs, cap).mean;
      row[columns[3 + k]] = Number.isFinite(mean) ? `${f2(mean)} (${vals.map(f2).join(" / ")})` : "—";
    });
    return row;
  });
  return { columns, rows };
}

export const PAIRED_COLUMNS = ["config", "vs", "capability", "difference [95% CI]", "MDD", "verdict", "per seed", "per seed (vs)"];

export const CONFLICT_COLUMNS = [
  "method",
  "seeds",
  "capitals: mean",
  "lower case: seeds",
  "lower case: range",
  "p",
  "p (Holm)",
  "lower case vs reference",
];

const pFmt = (p: number) => (Number.isFinite(p) ? (p < 0.001 ? "< 0.001" : p.toFixed(3)) : "");

function conflictRows(perMethod: readonly ConflictMethodRow[]): Record<string, string>[] {
  return perMethod.map((m) => ({
    method: m.method,
    seeds: String(m.seeds),
    "capitals: mean": f2(m["capitals: mean"]),
    "lower case: seeds": m["lower case: seeds"],
    "lower case: range": `${f2(m["lower case: min"])} – ${f2(m["lower case: max"])}`,
    p: pFmt(m.p),
    "p (Holm)": pFmt(m["p (Holm)"]),
    "lower case vs reference": m["lower case vs reference"],
  }));
}

/** the conclusions the seed-level statistics support, one line each (none: says so) */
export function conclusions(input: Pick<ReportInput, "runs" | "evalItems" | "evals">): string[] {
  const capRuns = input.runs.filter((r) => !r.conflict);
  const out = configComparisons(capRuns, input.evalItems)
    .filter((x) => x.comparison?.significant)
    .map((x) => {
      const c = x.comparison!;
      const w = c.estimate > 0 ? "higher" : "lower";
      return `${x.config} vs ${x.vs}, ${x.capability}: ${w}, ${c.estimate >= 0 ? "+" : ""}${(100 * c.estimate).toFixed(1)} points [${(100 * c.lo).toFixed(1)}, ${(100 * c.hi).toFixed(1)}] over ${c.seedsA.length} vs ${c.seedsB.length} run(s) (per seed ${perSeedText(c.seedsA)} vs ${perSeedText(c.seedsB)})`;
    });
  const conflict = conflictControl(
    input.runs.filter((r) => r.conflict),
    input.evals,
    byMethodOrder,
  );
  for (const m of conflict.perMethod)
    if (m["p (Holm)"] < CONFLICT_ALPHA)
      out.push(
        `conflict control: ${m.method}'s lower case is above plain GRPO's (exact rank test, Holm p = ${pFmt(m["p (Holm)"])}, ${m.seeds} seeds)`,
      );
  return out;
}

/** the whole report: provenance, the three tables, and the conclusions */
export function reportMarkdown(input: ReportInput): string {
  const p = input.provenance;
  const cap = capabilityTable(input.runs, input.evals);
  const paired = pairedComparisonRows(
    input.runs.filter((r) => !r.conflict),
    input.evalItems,
  );
  const conflict = conflictControl(
    input.runs.filter((r) => r.conflict),
    input.evals,
    byMethodOrder,
  );
  const concl = conclusions(input);
  const lines = [
    "<!-- printed by `bbio report` from the run store; edit the code or the runs, not these lines -->",
    "",
    `**Where these numbers come from.** ${input.runs.length} complete run(s); store hash \`${p.storeHash}\`; runs made at commit ${
      p.runCommits.length ? p.runCommits.map((c) => `\`${c}\``).join(", ") : "not recorded"
    }; report printed at commit ${p.commit ? `\`${p.commit}${p.dirty ? "+" : ""}\`` : "unknown"}. Backend: ${p.backends.join(", ") || "not recorded"}. CPU: ${
      p.cpu ?? `not recorded with the runs${p.printedOn ? ` (report printed on ${p.printedOn})` : ""}`
    }. Pinned floating-point settings: ${p.pinned.length ? p.pinned.map((s) => `\`${s}\``).join(", ") : "none recorded with the runs"}.`,
    "",
    "**Per capability** (extraction genes; SFT-only with its 95% interval, each GRPO method's best config as mean (each seed's score)):",
    "",
    markdownTable(cap.columns, cap.rows),
    "",
    '**Method comparisons** (×100 points; two-level bootstrap over RL seeds and items, docs/method.md §8.4; MDD at 80% power, 5% level; "undecided at n seeds" = the interval covers 0):',
    "",
    paired.length ? markdownTable(PAIRED_COLUMNS, paired) : "No GRPO run with per-item eval rows.",
    "",
    "**Conflict control** (sampled slot scores; exact one-sided rank test of each method's lower-case seeds against plain GRPO's, Holm over the methods, docs/method.md §8.7):",
    "",
    conflict.perMethod.length ? markdownTable(CONFLICT_COLUMNS, conflictRows(conflict.perMethod)) : "No conflict-control runs.",
    "",
    conflict.perMethod.length ? conflictStory(conflict.perMethod) : "",
    "",
    ...(knowledgeRows(input).length
      ? [
          "**Knowledge, SFT-only** (4-option items; `acc` / `acc_norm`: lm-evaluation-harness's cloze over the value after the answer prefix; `acc_generate`: the greedy value, exact match; `acc_letter_loglik`: the letter MCQ):",
          "",
          markdownTable(["metric", "extraction genes", "control genes"], knowledgeRows(input)),
          "",
        ]
      : []),
    ...(input.splitHalf?.length
      ? [
          `**RL signal under plain GRPO** (default world): cosine between the gradients of two disjoint halves of each capability's completions, per step (docs/method.md §5.1)${
            input.gradDim
              ? `; 95% of random direction pairs in d = ${input.gradDim} dimensions have |cos| ≤ ${nullCosineBand(input.gradDim).halfWidth.toFixed(4)} (null_cosine.ts)`
              : ""
          }:`,
          "",
          markdownTable(
            ["capability", "steps", "median", "quartiles", "cos > 0", "reading"],
            splitHalfRows(input.splitHalf, input.gradDim),
          ),
          "",
        ]
      : []),
    ...(input.stageTimes?.length
      ? [
          "**Stage times** (each run's own computation; reused cached stages left out; one thread per run):",
          "",
          markdownTable(["part", "stage", "runs", "median s", "range s", "total s"], stageTimeRows(input.stageTimes)),
          "",
        ]
      : []),
    "**Conclusions the seed-level intervals support:**",
    "",
    ...(concl.length ? concl.map((c) => `- ${c}`) : ["- none: every comparison is undecided at this number of seeds."]),
  ];
  return `${lines.join("\n").replace(/\n{3,}/g, "\n\n")}\n`;
}

export const REPORT_BEGIN = "<!-- report:begin -->";
export const REPORT_END = "<!-- report:end -->";

/** `text` with the region between the report markers replaced by `report`; an error when the markers are missing */
export function replaceReportRegion(text: string, report: string): string {
  const a = text.indexOf(REPORT_BEGIN),
    b = text.indexOf(REPORT_END);
  if (a < 0 || b < 0 || b < a) throw new Error(`no ${REPORT_BEGIN} … ${REPORT_END} region to fill`);
  if (text.indexOf(REPORT_BEGIN, a + 1) >= 0) throw new Error(`more than one ${REPORT_BEGIN} marker`);
  return `${text.slice(0, a + REPORT_BEGIN.length)}\n${report.trimEnd()}\n${text.slice(b)}`;
}
