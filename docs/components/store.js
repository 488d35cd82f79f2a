// Reading the loader outputs (docs/data/*.arrow, produced by loaders/ from the run store's complete runs).
// Every page goes through these functions, so a page never re-derives "which metric is the capability score"
// or "which runs share a config" on its own.
import {FileAttachment} from "observablehq:stdlib";
import * as Inputs from "npm:@observablehq/inputs";
import {tableFromIPC} from "npm:apache-arrow";

export const CAPS = ["knowledge", "reasoning", "instruction", "integration"];
export const CAP_LABEL = {
  knowledge: "Domain knowledge",
  reasoning: "Reasoning",
  instruction: "Instruction following",
  integration: "Integration"
};
export const METHOD_ORDER = ["sft-only", "sum", "pcgrad", "mgda", "cagrad", "aligned_mtl", "cagrpo"];
/** methods in display order (known ones first, then any other name alphabetically) */
export const byMethodOrder = (a, b) => ((METHOD_ORDER.indexOf(a) + 1 || 99) - (METHOD_ORDER.indexOf(b) + 1 || 99)) || (a < b ? -1 : a > b ? 1 : 0);

/**
 * The two score definitions scores.arrow carries (chosen in loaders/outputs.ts). "strict" is the paper's meaning and
 * every page's default; "partial" is the eval stage's partial credit (score_mean).
 */
export const SCORE_DEFINITIONS = ["strict", "partial"];
export const DEFINITION_LABEL = {
  strict: "strict (paper's definition: letter accuracy / answer+chain score / prompt-level strict / all components)",
  partial: "partial credit (mean rule-based score)"
};
/** the definition select for pages that compare runs (Pareto, What-if, Ablations); value "strict" | "partial" */
export const scoreDefinitionInput = () =>
  Inputs.select(SCORE_DEFINITIONS, {label: "score definition", value: "strict", format: (d) => DEFINITION_LABEL[d], width: 660});
/** the one sentence saying why that select exists */
export function definitionNote() {
  const p = document.createElement("p");
  p.className = "provenance";
  p.setAttribute("data-definition-note", "");
  p.textContent =
    "Why two definitions: at this scale (a tiny model trained from scratch for minutes) the strict pass rates of instruction and integration are 0, so runs differ on only two axes; partial credit (the mean rule-based score per item) shows the movement the strict rates hide — the paper's numbers, and this site's Home and Paper pages, are strict.";
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
export const loadAnalysis = () => import(FileAttachment("../data/site/analysis.js").href);
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
 * Runs joined with their differing config keys and final capability scores:
 *   {id, name, method, seed, params: {key: value}, group, scores: {cap: {value, ci_lo, ci_hi, n, metric}}, complete,
 *    definition, scoresBy: {strict: scores, partial: scores}}
 * `scores` are the strict (headline) ones unless `definition` is "partial" (see withDefinition).
 * `group` = the differing config keys except seeds, so seeds of one config can be averaged (mean ± spread).
 * `complete` = the run has a score for every capability (only those are points in capability space).
 * Conflict-control runs (data.conflict_control: two capability slots answer the same prompts in opposite case) are an
 * instrument check, not capability runs: they are left out unless `{conflict: true}` (the Orthogonality and Training
 * pages ask for them).
 */
export async function loadRuns(definition = "strict", {conflict = false} = {}) {
  const [runs, params, scores] = await Promise.all([
    arrow(FileAttachment("../data/site/runs.arrow")),
    arrow(FileAttachment("../data/site/params.arrow")),
    arrow(FileAttachment("../data/site/scores.arrow"))
  ]).then((ts) => ts.map(rows));
  const byId = new Map(runs.map((r) => [r.id, {...r, params: {}, scoresBy: Object.fromEntries(SCORE_DEFINITIONS.map((d) => [d, {}]))}]));
  for (const p of params) {
    const r = byId.get(p.run_id);
    if (r) r.params[p.key] = parseValue(p.value);
  }
  for (const s of scores) {
    const r = byId.get(s.run_id);
    if (r && r.scoresBy[s.definition]) r.scoresBy[s.definition][s.family] = s;
  }
  for (const r of byId.values()) {
    const keys = Object.keys(r.params).filter((k) => !/(^|\.)seed$/.test(k)).sort((a, b) => (a === "grpo.method" ? -1 : b === "grpo.method" ? 1 : a < b ? -1 : 1));
    const show = (v) => (typeof v === "string" ? v : JSON.stringify(v));
    r.group = keys.length ? keys.map((k) => `${k}=${show(r.params[k])}`).join(" ") : r.method;
  }
  const all = [...byId.values()].map((r) => ({...r, conflict: r.params["data.conflict_control"] === true}));
  return withDefinition(conflict ? all : all.filter((r) => !r.conflict), definition);
}

/** whether a run has all four capability scores under at least one definition (pages' filter choices use this) */
export const scoredUnderAny = (r) => SCORE_DEFINITIONS.some((d) => CAPS.every((c) => Number.isFinite(r.scoresBy[d][c]?.value)));

/** The same runs scored under another definition ("strict" | "partial"): `scores` and `complete` follow it. */
export function withDefinition(runs, definition) {
  if (!SCORE_DEFINITIONS.includes(definition)) throw new Error(`unknown score definition "${definition}"`);
  return runs.map((r) => {
    const scores = r.scoresBy[definition];
    return {...r, definition, scores, complete: CAPS.every((c) => Number.isFinite(scores[c]?.value))};
  });
}

function parseValue(v) {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
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

/**
 * One config's score on one capability with a 95% interval: over seeds (t-interval) when there are ≥ 2, else the single
 * run's own bootstrap CI from the eval stage. → {mean, lo, hi, n, kind: "seeds" | "bootstrap" | "none"}
 * `A` is the analysis module (loadAnalysis()).
 */
export function capEstimate(A, rs, cap) {
  const vals = rs.map((r) => r.scores[cap]?.value).filter(Number.isFinite);
  if (vals.length >= 2) return {...A.meanCI(vals), kind: "seeds"};
  const s = rs.find((r) => Number.isFinite(r.scores[cap]?.value))?.scores[cap];
  if (!s) return {mean: NaN, lo: NaN, hi: NaN, n: 0, kind: "none"};
  const ok = Number.isFinite(s.ci_lo) && Number.isFinite(s.ci_hi);
  return {mean: s.value, lo: ok ? s.ci_lo : NaN, hi: ok ? s.ci_hi : NaN, n: 1, kind: ok ? "bootstrap" : "none", items: s.n};
}

/** "62.1 [58.0, 66.2]" (×100, one decimal) with the interval's source */
export function fmtEstimate(e, {scale = 100, digits = 1, source = true} = {}) {
  if (!Number.isFinite(e.mean)) return "—";
  const f = (v) => (v * scale).toFixed(digits);
  if (e.kind === "none" || !Number.isFinite(e.lo)) return `${f(e.mean)} (no CI)`;
  const src = e.kind === "seeds" ? `${e.n} seeds` : `bootstrap${e.items ? `, n=${e.items}` : ""}`;
  return `${f(e.mean)} [${f(e.lo)}, ${f(e.hi)}]${source ? ` (${src})` : ""}`;
}

/** Our model's size from the stored configs (build.json `models`), e.g. "141,056 parameters (2 layers, d=64, vocab 512)". */
export function modelScale(build) {
  const ms = build.models ?? [];
  if (!ms.length) return null;
  const one = (m) => `${m.params.toLocaleString("en-US")} parameters (${m.n_layer} layers, d=${m.n_embd}, ${m.n_head} heads, vocab ${m.vocab_size}, context ${m.block_size})`;
  return {params: Math.max(...ms.map((m) => m.params)), text: ms.length === 1 ? one(ms[0]) : ms.map((m) => `${one(m)} in ${m.runs} run(s)`).join("; ")};
}

/** The gene world(s) of the shown runs in words, or null when no run uses one (build.json `worlds`). */
export function worldScale(build) {
  const ws = build.worlds ?? [];
  if (!ws.length) return null;
  const one = (w) => {
    const ex = Math.max(1, Math.round(w.genes * w.extraction_fraction));
    return `W = ${w.genes} genes with cards (${w.genes - ex} with trained QA, ${ex} extraction), K = ${w.variants} paraphrased variants per card, ${w.control_genes || ex} control genes without card or QA`;
  };
  return {genes: Math.max(...ws.map((w) => w.genes)), text: ws.length === 1 ? one(ws[0]) : ws.map((w) => `${one(w)} in ${w.runs} run(s)`).join("; ")};
}

/**
 * The unseen-gene control of some runs on one capability (eval metric `control`, gene world only): the mean over the
 * runs, with the evaluation's interval when there is one run, else the range of the runs. → {value, lo, hi, n} | null
 */
export function controlEstimate(evals, rs, cap) {
  const ids = new Set((rs ?? []).map((r) => r.id));
  const xs = evals.filter((e) => ids.has(e.run_id) && e.family === cap && e.metric === "control");
  if (!xs.length) return null;
  const value = xs.reduce((a, e) => a + e.value, 0) / xs.length;
  return xs.length === 1
    ? {value, lo: xs[0].ci_lo, hi: xs[0].ci_hi, n: xs[0].n}
    : {value, lo: Math.min(...xs.map((e) => e.value)), hi: Math.max(...xs.map((e) => e.value)), n: xs[0].n};
}
export const fmtControl = (c) => (c ? `${(100 * c.value).toFixed(1)} [${(100 * c.lo).toFixed(1)}, ${(100 * c.hi).toFixed(1)}] n=${c.n}` : "—");

/**
 * The config (its seeds together) of `method` with the best mean over the four capabilities: a best-of-N pick, used
 * symmetrically for every method on the Home and Paper pages (and said so there). → runs of that config, or null.
 */
export function bestConfig(runs, method) {
  const groups = new Map();
  for (const r of runs) if (r.method === method && CAPS.some((c) => Number.isFinite(r.scores[c]?.value))) groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
  // mean over the capabilities a run was scored on (complete runs have all four; the pick prefers them)
  const meanOf = (r) => {
    const v = CAPS.map((c) => r.scores[c]?.value).filter(Number.isFinite);
    return v.reduce((a, b) => a + b, 0) / v.length;
  };
  let best = null, bestKey = [-1, -Infinity];
  for (const rs of groups.values()) {
    const key = [rs.every((r) => r.complete) ? 1 : 0, rs.reduce((a, r) => a + meanOf(r), 0) / rs.length];
    if (key[0] > bestKey[0] || (key[0] === bestKey[0] && key[1] > bestKey[1])) (best = rs), (bestKey = key);
  }
  return best;
}

/**
 * Why runs are not points in capability space: "6 of 6 stored runs lack a score for reasoning (6), integration (4)"
 * (the eval split had no items of that family, or the eval stage did not report it). null when every run is complete.
 */
export function missingScores(runs) {
  const incomplete = runs.filter((r) => !r.complete);
  if (!incomplete.length) return null;
  const counts = CAPS.map((c) => [c, incomplete.filter((r) => !Number.isFinite(r.scores[c]?.value)).length]).filter(([, n]) => n);
  const def = incomplete[0].definition === "partial" ? " partial-credit" : "";
  return `${incomplete.length} of ${runs.length} stored run(s) lack a${def} score for ${counts.map(([c, n]) => `${c} (${n})`).join(", ")} — the evaluation split had no items of that family, or the eval stage did not report it.`;
}
