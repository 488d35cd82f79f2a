// Reading the loader outputs (docs/data/*.arrow, produced by loaders/ from the run store's complete runs).
// Every page goes through these functions, so a page never re-derives "which metric is the capability score"
// or "which runs share a config" on its own.
import {FileAttachment} from "observablehq:stdlib";
import {tableFromIPC} from "npm:apache-arrow";

export const CAPS = ["knowledge", "reasoning", "instruction", "integration"];
export const CAP_LABEL = {
  knowledge: "Domain knowledge",
  reasoning: "Reasoning",
  instruction: "Instruction following",
  integration: "Integration"
};
export const METHOD_ORDER = ["sft-only", "sum", "pcgrad", "mgda", "cagrpo"];

/** Arrow table → plain row objects (numbers stay numbers; Int32/Float64/Utf8 only, see loaders/arrow.ts) */
export const rows = (table) => table.toArray().map((r) => r.toJSON());

// Read the whole body, then decode. (FileAttachment.arrow() decodes from the response stream and cancels it at the
// end-of-stream marker, which the browser reports as a failed request — ERR_ABORTED — on every page.)
const arrow = async (file) => tableFromIPC(new Uint8Array(await file.arrayBuffer()));

export const loadBuild = () => FileAttachment("../data/build.json").json();
export const loadAnalysis = () => import(FileAttachment("../data/analysis.js").href);
export const loadMetrics = async () => rows(await arrow(FileAttachment("../data/metrics.arrow")));
export const loadGram = async () => rows(await arrow(FileAttachment("../data/gram.arrow")));
export const loadWeights = async () => rows(await arrow(FileAttachment("../data/weights.arrow")));
export const loadItems = async () => rows(await arrow(FileAttachment("../data/items.arrow")));
export const loadRejects = async () => rows(await arrow(FileAttachment("../data/rejects.arrow")));
export const loadPairs = async () => rows(await arrow(FileAttachment("../data/pairs.arrow")));

/**
 * Runs joined with their differing config keys and final capability scores:
 *   {id, name, method, seed, params: {key: value}, group, scores: {cap: {value, ci_lo, ci_hi, n, metric}}, complete}
 * `group` = the differing config keys except seeds, so seeds of one config can be averaged (mean ± spread).
 * `complete` = the run has a score for every capability (only those are points in capability space).
 */
export async function loadRuns() {
  const [runs, params, scores] = await Promise.all([
    arrow(FileAttachment("../data/runs.arrow")),
    arrow(FileAttachment("../data/params.arrow")),
    arrow(FileAttachment("../data/scores.arrow"))
  ]).then((ts) => ts.map(rows));
  const byId = new Map(runs.map((r) => [r.id, {...r, params: {}, scores: {}}]));
  for (const p of params) {
    const r = byId.get(p.run_id);
    if (r) r.params[p.key] = parseValue(p.value);
  }
  for (const s of scores) {
    const r = byId.get(s.run_id);
    if (r) r.scores[s.family] = s;
  }
  for (const r of byId.values()) {
    const keys = Object.keys(r.params).filter((k) => !/(^|\.)seed$/.test(k)).sort((a, b) => (a === "grpo.method" ? -1 : b === "grpo.method" ? 1 : a < b ? -1 : 1));
    const show = (v) => (typeof v === "string" ? v : JSON.stringify(v));
    r.group = keys.length ? keys.map((k) => `${k}=${show(r.params[k])}`).join(" ") : r.method;
    r.complete = CAPS.every((c) => Number.isFinite(r.scores[c]?.value));
  }
  return [...byId.values()];
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
