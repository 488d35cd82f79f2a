/**
 * Format corruptions: the content kept, one IFEval-style instruction broken.
 *   break_json, wrong_keys (json_array, json_object) · lower_case (all_caps) · upper_case (all_lower) ·
 *   exceed_words (max_words) · unsort_list (sorted_list) · drop_end_word (ends_with) ·
 *   wrong_sentence_count (n_sentences) · break_table (markdown_table) · add_commas (no_commas) ·
 *   merge_lines (n_lines, line_prefixes)
 */
import { pick, randInt } from "../../util/rng.ts";
import { countWords } from "../text.ts";
import {
  argsOf,
  cellsOf,
  esc,
  isJson,
  isUpperText,
  jsonObj,
  listed,
  rewriteList,
  rowText,
  stringify,
  tableLines,
  type Proposer,
} from "./context.ts";

export const breakJson: Proposer = (c) => {
  const g = c.gold.trim();
  if (!isJson(g)) return [];
  // no closing bracket, single quotes, a trailing comma, a missing comma / colon
  return [g.slice(0, -1), g.replace(/"/g, "'"), `${g.slice(0, -1)},${g.slice(-1)}`, g.replace(/",\s*"/, '" "').replace(/":/, '" ')];
};

const RENAME: Record<string, string> = { chromosome: "chr", band: "cytoband", symbol: "gene", evidence: "evidence_code", chain: "path" };
export const wrongKeys: Proposer = (c) => {
  const o = jsonObj(c.gold);
  const a = argsOf(c, "json_object")[0];
  if (!o || !a) return [];
  const ks = Object.keys(o);
  const out: string[] = [];
  const k = pick(c.rng, ks);
  out.push(stringify(Object.fromEntries(ks.map((x) => [x === k ? (RENAME[x] ?? `${x}_value`) : x, o[x]]))));
  if (a.ordered && ks.length >= 3) {
    // swap two keys after the first (the evidence-first rule is a workflow check, not this one)
    const i = 1 + randInt(c.rng, ks.length - 2);
    const order = ks.slice();
    [order[i], order[i + 1]] = [order[i + 1], order[i]];
    out.push(stringify(Object.fromEntries(order.map((x) => [x, o[x]]))));
  }
  return out;
};

export const lowerCase: Proposer = (c) => [
  c.gold.toLowerCase(),
  c.gold.replace(/\b([A-Z])([A-Z]+)\b/, (_m, a: string, b: string) => a + b.toLowerCase()),
];

const FILLER = "the cytogenetic band of this human gene is located at".split(" ");
export const exceedWords: Proposer = (c) => {
  const a = argsOf(c, "max_words")[0];
  if (!a) return [];
  const need = Number(a.n) - countWords(c.gold) + randInt(c.rng, 2);
  if (need <= 0) return [];
  const fill = Array.from({ length: need }, (_, i) => FILLER[i % FILLER.length]).join(" ");
  return [`${isUpperText(c.gold) ? fill.toUpperCase() : fill} ${c.gold}`];
};

export const unsortList: Proposer = (c) => {
  const a = argsOf(c, "sorted_list")[0];
  if (!a) return [];
  const old = listed(c.gold, a.strip_last);
  if (old.length < 2) return [];
  const swapped = old.slice();
  const i = randInt(c.rng, old.length - 1);
  [swapped[i], swapped[i + 1]] = [swapped[i + 1], swapped[i]];
  return [old.slice().reverse(), swapped].map((l) => rewriteList(c.gold, old, l)).filter((x): x is string => x !== null);
};

export const dropEndWord: Proposer = (c) => {
  const a = argsOf(c, "ends_with")[0];
  if (!a) return [];
  const w = String(a.word);
  const body = c.gold.replace(new RegExp(`\\s*\\b${esc(w)}\\W*$`), "");
  return [body, `${w} ${body}`];
};

export const wrongSentenceCount: Proposer = (c) => {
  if (!argsOf(c, "n_sentences").length) return [];
  const out = [`${c.gold.trim()} It is a term of the Gene Ontology.`];
  const merged = c.gold.replace(/\.\s+(\S)/, (_m, ch: string) => `; ${ch.toLowerCase()}`);
  if (merged !== c.gold) out.push(merged);
  return out;
};

export const breakTable: Proposer = (c) => {
  if (!argsOf(c, "markdown_table").length) return [];
  const ls = c.gold.split("\n");
  const t = tableLines(c.gold);
  if (t.length < 2) return [];
  const out: string[] = [];
  out.push(ls.filter((_, i) => i !== t[1].i).join("\n")); // no separator row
  const hdr = cellsOf(t[0].l);
  const k = randInt(c.rng, hdr.length);
  const renamed = hdr.map((h, i) => (i === k ? (h === "Term" ? "GO term" : `${h} code`) : h));
  out.push([...ls.slice(0, t[0].i), rowText(renamed), ...ls.slice(t[0].i + 1)].join("\n")); // wrong header
  out.push(ls.map((l, i) => (i > t[1].i && l.trim().startsWith("|") ? cellsOf(l.trim()).join(" | ") : l)).join("\n")); // rows without outer pipes
  return out;
};

export const addCommas: Proposer = (c) => {
  if (!argsOf(c, "no_commas").length) return [];
  const ws = c.gold.trim().split(/\s+/);
  if (ws.length < 2) return [];
  return [ws.join(", "), `${ws.slice(0, -1).join(", ")} and ${ws[ws.length - 1]}`];
};

export const mergeLines: Proposer = (c) => {
  if (!argsOf(c, "n_lines").length && !argsOf(c, "line_prefixes").length) return [];
  const ls = c.gold.split("\n");
  const out: string[] = [];
  if (ls.length >= 2) out.push(ls.join(" "), ls.join("; "));
  const unlabeled = c.gold.replace(/^(\s*)(answer)\s*:\s*/im, "$1");
  if (unlabeled !== c.gold) out.push(unlabeled);
  return out;
};

export const upperCase: Proposer = (c) => [c.gold.toUpperCase()];
