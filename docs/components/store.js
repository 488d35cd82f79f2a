// Reading the loader outputs: the members of the one site archive (docs/data/site.tar.ts → loaders/emit.ts, from the
// run store's complete runs), read as FileAttachment("../data/site/<file>").
// Every page goes through these functions, so a page never re-derives "which metric is the capability score"
// or "which runs share a config" on its own.
import { FileAttachment } from "observablehq:stdlib";
import * as Inputs from "npm:@observablehq/inputs";
import { tableFromIPC } from "npm:apache-arrow";

// The shared lists and the run model come from src/analysis (bundled into data/site/analysis.js), so the pages, the
// CLI and the unit tests share one copy: the capabilities, their labels, the methods' display order, the two score
// definitions, and the per-config estimates (capEstimate, bestConfig, ...).
const A = await import(FileAttachment("../data/site/analysis.js").href);
export const {
  CAPABILITIES,
  CAP_LABEL,
  METHOD_ORDER,
  SFT_ONLY,
  STAGE_ORDER,
  byMethodOrder,
  byStageOrder,
  SCORE_DEFINITIONS,
  DEFINITION_LABEL,
} = A;
// one colour per method (Okabe–Ito, fixed by name) and short run labels: src/analysis/labels.ts
export const { METHOD_COLOR, methodColor, methodColorScale, MAX_LABEL, clip, runLabels, groupLabels, fullConfig, differingKeys, shortKey } =
  A;

/** the URL hash as {key: value} ("#x=knowledge&config=…"): a page's main selections, so a view can be shared */
export const readHash = () => Object.fromEntries(new URLSearchParams(location.hash.slice(1)));
/** replace the hash's keys (null/undefined drops one) without a navigation or a history entry */
export function writeHash(state) {
  const h = new URLSearchParams(location.hash.slice(1));
  for (const [k, v] of Object.entries(state)) v == null || v === "" ? h.delete(k) : h.set(k, Array.isArray(v) ? v.join(",") : String(v));
  const next = h.toString();
  if (next !== location.hash.slice(1)) history.replaceState(history.state, "", next ? `#${next}` : location.pathname + location.search);
}
export const {
  withDefinition,
  scoredUnderAny,
  capEstimate,
  fmtEstimate,
  controlEstimate,
  fmtControl,
  bestConfig,
  missingScores,
  modelScale,
  worldScale,
} = A;

/** the definition select for pages that compare runs (Pareto, What-if, Ablations); value "strict" | "partial" */
export const scoreDefinitionInput = () =>
  Inputs.select(SCORE_DEFINITIONS, { label: "score definition", value: "strict", format: (d) => DEFINITION_LABEL[d], width: 660 });
/**
 * The sentence saying why that select exists, with the strict instruction and integration scores READ from the runs
 * (never a number written in prose): `definitionNote(runs)`.
 */
export function definitionNote(runs = []) {
  const p = document.createElement("p");
  p.className = "provenance";
  p.setAttribute("data-definition-note", "");
  const strict = (cap) => runs.map((r) => r.scoresBy?.strict?.[cap]?.value).filter(Number.isFinite);
  const range = (xs) => {
    const lo = Math.min(...xs),
      hi = Math.max(...xs);
    return lo === hi ? `${(100 * lo).toFixed(1)}` : `${(100 * lo).toFixed(1)}–${(100 * hi).toFixed(1)}`;
  };
  const [ins, int] = [strict("instruction"), strict("integration")];
  const measured =
    ins.length && int.length
      ? `Under the strict definition, the ${runs.length} stored run(s) score ${range(ins)} on instruction and ${range(int)} on integration (out of 100)`
      : "Strict instruction and integration pass rates are all-or-nothing per item";
  const low = ins.length && int.length && Math.max(...ins, ...int) < 0.1;
  p.textContent = `Why two definitions: ${measured}${low ? " — near the floor, so runs barely differ on those two axes" : ""}; partial credit (the mean rule-based score per item) shows movement the strict rates can hide — the paper's numbers, and this site's Home and Paper pages, are strict.`;
  return p;
}

/** Arrow table → plain row objects (numbers stay numbers; Int32/Float64/Utf8 only, see loaders/arrow.ts) */
export const rows = (table) => table.toArray().map((r) => r.toJSON());

// Read the whole body, then decode. (FileAttachment.arrow() decodes from the response stream and cancels it at the
// end-of-stream marker, which the browser reports as a failed request — ERR_ABORTED — on every page.)
const arrow = async (file) => tableFromIPC(new Uint8Array(await file.arrayBuffer()));

export const loadBuild = () => FileAttachment("../data/site/build.json").json();
/** the ablation sweep's expected runs ({name, axes, runs: [{id, name, values}]}) or null (loaders/sweep.ts) */
export const loadSweepSpec = () => FileAttachment("../data/site/sweep.json").json();
export const loadAnalysis = async () => A;
export const loadCompletions = async () => rows(await arrow(FileAttachment("../data/site/completions.arrow")));
export const loadEvals = async () => rows(await arrow(FileAttachment("../data/site/evals.arrow")));
export const loadMetrics = async () => rows(await arrow(FileAttachment("../data/site/metrics.arrow")));
export const loadGram = async () => rows(await arrow(FileAttachment("../data/site/gram.arrow")));
export const loadEvalItems = async () => rows(await arrow(FileAttachment("../data/site/eval_items.arrow")));
export const loadGramBlocks = async () => rows(await arrow(FileAttachment("../data/site/gram_blocks.arrow")));
export const loadWeights = async () => rows(await arrow(FileAttachment("../data/site/weights.arrow")));
export const loadItems = async () => rows(await arrow(FileAttachment("../data/site/items.arrow")));
export const loadRejects = async () => rows(await arrow(FileAttachment("../data/site/rejects.arrow")));
export const loadPairs = async () => rows(await arrow(FileAttachment("../data/site/pairs.arrow")));

/**
 * Runs joined with their differing config keys and final capability scores (src/analysis/runs.ts joinRuns):
 *   {id, name, method, seed, params: {key: value}, group, scores: {cap: {value, ci_lo, ci_hi, n, metric}}, complete,
 *    definition, scoresBy: {strict: scores, partial: scores}, conflict}
 * Conflict-control runs are left out unless `{conflict: true}` (the Orthogonality and Training pages ask for them).
 */
export async function loadRuns(definition = "strict", { conflict = false } = {}) {
  const [runs, params, scores] = await Promise.all([
    arrow(FileAttachment("../data/site/runs.arrow")),
    arrow(FileAttachment("../data/site/params.arrow")),
    arrow(FileAttachment("../data/site/scores.arrow")),
  ]).then((ts) => ts.map(rows));
  return A.joinRuns(runs, params, scores, definition, { conflict });
}

/** A clearly visible "no data yet" box (pages say so instead of erroring on an empty store). */
export function notice(message, command) {
  const div = document.createElement("div");
  div.className = "note";
  div.setAttribute("data-empty", "");
  div.textContent = message;
  if (command) {
    const code = document.createElement("code");
    code.textContent = command;
    div.append(" Run: ", code);
  }
  return div;
}

/** One line of provenance: commit + data hash (every page shows it). */
export function provenance(build) {
  const p = document.createElement("p");
  p.className = "provenance";
  const commit = build.commit ? build.commit.slice(0, 12) + (build.dirty ? " (uncommitted changes)" : "") : "unknown";
  p.textContent = `Built from commit ${commit} · data ${build.data_hashes.join(", ") || "none"} · store ${build.store_hash} · ${build.runs} complete run(s).`;
  return p;
}
