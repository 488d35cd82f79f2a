/**
 * corrupt(item, kind, rng, kg) — a plausible WRONG answer of a named type, made from the item's gold (the "rejected"
 * side of a reward-model preference pair; docs/method.md §3.4, §4.2: the RM is trained on validated gold vs. perturbed samples).
 *
 * A corruption edits the gold the way a near-miss answer would be wrong — one wrong fact, one broken hop, one violated
 * constraint — and keeps everything else. Types (CORRUPTIONS), by the checks they attack:
 *
 *   knowledge   wrong_option          MCQ: another option letter                                (answer_letter)
 *               wrong_fact            one stated fact swapped for a plausible wrong one: another
 *                                     chromosome / band on the same chromosome / gene at the same
 *                                     band / sibling term / namespace      (json_field, contains_any, answer_symbol,
 *                                                                           term_ns_column)
 *   reasoning   wrong_yes_no          the Yes/No conclusion flipped                             (yes_no)
 *               broken_chain          a hop skipped, a detour through a non-path parent, a wrong
 *                                     ancestor as target, or the chain reversed                (chain_valid)
 *               wrong_member          a set member swapped for / extended by a near-miss (gene at
 *                                     the same band, term of only one of the genes), or dropped
 *                                     (symbol_set, go_in_set, items_in_set, table_rows, contains_all)
 *               wrong_count           Count off by one / JSON array of the wrong length         (count_equals, json_array n)
 *               wrong_relation        "regulates" restated as is_a / part_of                    (mentions_relation)
 *   format      break_json, wrong_keys, lower_case, upper_case, exceed_words, unsort_list, drop_end_word, wrong_sentence_count,
 *               break_table, add_commas, merge_lines                                            (IFEval-style checks)
 *   workflow    drop_evidence, answer_before_evidence, wrong_evidence_code, out_of_scope, hedge (workflow_* checks)
 *
 * Integration items carry checks of every component, so every component has its corruptions there.
 *
 * Guarantee: a returned answer scores STRICTLY lower than the gold under score(item, ·, kg). Each type proposes a
 * few candidate edits; candidates that do not lower the score are discarded, and among the rest the one that fails
 * the fewest checks outside the attacked ones wins (the most "near-miss" wrong answer), ties in rng order. null when
 * the type does not apply to the item or no candidate lowers the score. Deterministic given the rng state.
 */
import type { KG, Namespace } from "../kg/types.ts";
import { BbioError } from "../util/errors.ts";
import { pick, randInt, shuffled, type Rng } from "../util/rng.ts";
import { parseChain } from "./checks.ts";
import { bandChr, kgIndex, UNINFORMATIVE, type KGIndex } from "./kgindex.ts";
import { score } from "./score.ts";
import { commaList, conclusion, field, goIds, parseJsonStrict, sentences, words } from "./text.ts";
import type { CheckSpec, Item } from "./types.ts";

export const CORRUPTIONS = [
  "wrong_option",
  "wrong_fact",
  "wrong_yes_no",
  "broken_chain",
  "wrong_member",
  "wrong_count",
  "wrong_relation",
  "break_json",
  "wrong_keys",
  "lower_case",
  "upper_case",
  "exceed_words",
  "unsort_list",
  "drop_end_word",
  "wrong_sentence_count",
  "break_table",
  "add_commas",
  "merge_lines",
  "drop_evidence",
  "answer_before_evidence",
  "wrong_evidence_code",
  "out_of_scope",
  "hedge",
] as const;
export type Corruption = (typeof CORRUPTIONS)[number];

/** which checks each corruption attacks (an item with none of them cannot get that corruption) */
export const CORRUPTION_TARGETS: Record<Corruption, readonly string[]> = {
  wrong_option: ["answer_letter", "answer_value"],
  wrong_fact: ["json_field", "contains_any", "answer_symbol", "term_ns_column", "field_equals"],
  wrong_yes_no: ["yes_no"],
  broken_chain: ["chain_valid"],
  wrong_member: ["symbol_set", "go_in_set", "items_in_set", "table_rows", "contains_all"],
  wrong_count: ["count_equals", "json_array"],
  wrong_relation: ["mentions_relation"],
  break_json: ["json_array", "json_object"],
  wrong_keys: ["json_object"],
  lower_case: ["all_caps"],
  upper_case: ["all_lower"],
  exceed_words: ["max_words"],
  unsort_list: ["sorted_list"],
  drop_end_word: ["ends_with"],
  wrong_sentence_count: ["n_sentences"],
  break_table: ["markdown_table"],
  add_commas: ["no_commas"],
  merge_lines: ["n_lines", "line_prefixes"],
  drop_evidence: ["workflow_evidence_first", "workflow_evidence_code"],
  answer_before_evidence: ["workflow_evidence_first"],
  wrong_evidence_code: ["workflow_evidence_code"],
  out_of_scope: ["workflow_in_scope"],
  hedge: ["workflow_single_conclusion"],
};

// ── small text / JSON helpers ──────────────────────────────────────────────────────────────────────────────────────
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const upper = (s: string) => s.toUpperCase();
const isUpperText = (s: string) => /[A-Z]/.test(s) && s === s.toUpperCase();

function jsonObj(s: string): Record<string, unknown> | null {
  const j = parseJsonStrict(s);
  return j.ok && j.value && typeof j.value === "object" && !Array.isArray(j.value) ? (j.value as Record<string, unknown>) : null;
}
const isJson = (s: string) => parseJsonStrict(s).ok;

/** replace the value of a "Label: …" line (first one), keeping everything else */
function setField(text: string, label: string, value: string): string | null {
  const re = new RegExp(`^(\\s*${label}\\s*:[ \\t]*)(.*)$`, "im");
  return re.test(text) ? text.replace(re, (_m, pre: string) => `${pre}${value}`) : null;
}

/** a JSON object re-serialised with the same compactness as the gold (golds are JSON.stringify without spaces) */
const stringify = (v: unknown) => JSON.stringify(v);

/** the list of symbols of a list answer, as the scorer reads it (conclusion minus a trailing end word) */
function listed(answer: string, stripLast?: string): string[] {
  let text = conclusion(answer);
  if (stripLast) text = text.replace(new RegExp(`\\s*\\b${esc(stripLast)}\\W*$`), "");
  return commaList(text);
}

/** replace the written list `old` (joined with ", ") by `next` inside the gold */
function rewriteList(gold: string, old: string[], next: string[]): string | null {
  const a = old.join(", ");
  const i = gold.indexOf(a);
  return i < 0 ? null : gold.slice(0, i) + next.join(", ") + gold.slice(i + a.length);
}

const tableLines = (s: string) => s.split("\n").map((l, i) => ({ l: l.trim(), i })).filter((x) => x.l.startsWith("|"));
const cellsOf = (l: string) => l.slice(1, -1).split("|").map((c) => c.trim());
const rowText = (cells: string[]) => `| ${cells.join(" | ")} |`;

// ── near-miss values from the KG ───────────────────────────────────────────────────────────────────────────────────
interface Ctx {
  item: Item;
  kg: KG;
  ix: KGIndex;
  rng: Rng;
  gold: string;
  checks: CheckSpec[];
}

function firstNot<T>(rng: Rng, xs: readonly T[], bad: (x: T) => boolean, n = 1): T[] {
  return shuffled(rng, xs).filter((x) => !bad(x)).slice(0, n);
}

function otherChromosomes(c: Ctx, exclude: readonly string[], n = 2): string[] {
  const ex = new Set(exclude.map(upper));
  return firstNot(c.rng, c.ix.chromosomes, (x) => ex.has(upper(x)), n);
}

function otherBands(c: Ctx, band: string, exclude: readonly string[], n = 2): string[] {
  const ex = new Set(exclude.map(upper));
  const same = firstNot(c.rng, c.ix.bandsOfChr.get(bandChr(band)) ?? [], (x) => ex.has(upper(x)), n);
  if (same.length) return same;
  const chr = otherChromosomes(c, [bandChr(band)], 1)[0];
  return chr ? firstNot(c.rng, c.ix.bandsOfChr.get(chr) ?? [], (x) => ex.has(upper(x)), n) : [];
}

/** gene symbols not in `exclude`: genes at `band` first (the plausible confusion), then random annotated genes */
function otherSymbols(c: Ctx, exclude: readonly string[], band?: string, n = 2): string[] {
  const ex = new Set(exclude.map(upper));
  const near = band ? (c.ix.genesAtBand.get(band) ?? []).map((e) => c.kg.geneByEntrez(e)!.symbol) : [];
  const out = firstNot(c.rng, near, (s) => ex.has(upper(s)) || !/^[A-Za-z0-9-]+$/.test(s), n);
  for (let i = 0; out.length < n && i < 40; i++) {
    const s = pick(c.rng, c.ix.annotatedGenes).symbol;
    if (!ex.has(upper(s)) && !out.includes(s) && /^[A-Za-z0-9-]+$/.test(s)) out.push(s);
  }
  return out;
}

/** terms near `id` (siblings over any relation, same namespace) not in `exclude`, topped up from the namespace */
function otherTerms(c: Ctx, id: string, exclude: readonly string[], n = 2): string[] {
  const t = c.kg.term(id);
  const ex = new Set([...exclude, id]);
  const sib = new Set<string>();
  if (t) for (const p of t.parents) for (const s of c.ix.childrenAnyRel.get(p.id) ?? []) if (c.kg.term(s)?.ns === t.ns && !UNINFORMATIVE.has(s)) sib.add(s);
  const out = firstNot(c.rng, [...sib].sort(), (x) => ex.has(x), n);
  const pool = c.ix.termsByNs.get(t?.ns ?? "BP") ?? [];
  for (let i = 0; out.length < n && i < 40 && pool.length; i++) {
    const x = pick(c.rng, pool);
    if (!ex.has(x) && !out.includes(x) && !UNINFORMATIVE.has(x)) out.push(x);
  }
  return out;
}

/** a plausible wrong value of the same type as `value` (chromosome, band, GO id, term name, symbol), or [] */
function wrongLike(c: Ctx, value: string, exclude: readonly string[]): string[] {
  let m: RegExpExecArray | null;
  if ((m = /^chromosome (\S+)$/i.exec(value))) return otherChromosomes(c, [m[1], ...exclude.map((x) => x.replace(/^chromosome /i, ""))]).map((x) => `chromosome ${x}`);
  if (/^(\d{1,2}|X|Y|MT)$/.test(value)) return otherChromosomes(c, [value, ...exclude]);
  if (/^(\d{1,2}|X|Y)[pq]/i.test(value)) return otherBands(c, value, [value, ...exclude]);
  if (/^GO:\d{7}$/.test(value)) return otherTerms(c, value, exclude);
  const ids = c.ix.termsByName.get(value);
  if (ids?.length) {
    const names = new Set(exclude);
    return otherTerms(c, ids[0], [], 6).map((x) => c.kg.term(x)!.name).filter((x) => !names.has(x)).slice(0, 2);
  }
  if (c.kg.geneBySymbol(value)) return otherSymbols(c, [value, ...exclude]);
  return [];
}

/** case of the replacement follows the text it replaces */
const likeCase = (orig: string, repl: string) => (isUpperText(orig) ? repl.toUpperCase() : repl);

// ── the corruptions: each proposes candidate answers (the guard in corrupt() keeps only strictly-worse ones) ──────
type Proposer = (c: Ctx) => string[];

const argsOf = (c: Ctx, name: string) => c.checks.filter((k) => k.name === name).map((k) => k.args as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any

const wrongOption: Proposer = (c) => {
  const out: string[] = [];
  for (const { letter } of argsOf(c, "answer_letter")) {
    const n = c.item.options?.length ?? 4;
    const others = ["A", "B", "C", "D"].slice(0, n).filter((l) => l !== letter);
    const re = new RegExp(`\\b${esc(String(letter))}\\b`);
    for (const o of shuffled(c.rng, others)) out.push(c.gold.trim() === letter ? o : c.gold.replace(re, o));
  }
  // value-answered MCQs (gene world): another option's text
  for (const { value, template } of argsOf(c, "answer_value"))
    for (const o of shuffled(c.rng, (c.item.options ?? []).filter((x) => x !== value))) out.push(template ? String(template).replace("{value}", o) : o);
  return out;
};

const wrongFact: Proposer = (c) => {
  const out: string[] = [];
  for (const a of argsOf(c, "json_field")) {
    const o = jsonObj(c.gold);
    const v = o?.[a.key];
    if (!o || typeof v !== "string") continue;
    const vals = (a.values as string[]) ?? [];
    const repl = a.key === "chromosome" ? otherChromosomes(c, vals) : a.key === "band" ? otherBands(c, v, vals) : a.key === "symbol" ? otherSymbols(c, vals) : wrongLike(c, v, vals);
    for (const r of repl) out.push(stringify({ ...o, [a.key]: r }));
  }
  for (const a of argsOf(c, "contains_any")) {
    const vals = (a.values as string[]) ?? [];
    // where the value sits: the whole gold, or one sentence of it
    let from = 0, to = c.gold.length;
    if (typeof a.sentence === "number") {
      const s = sentences(c.gold)[a.sentence];
      if (!s) continue;
      from = c.gold.indexOf(s);
      to = from + s.length;
    }
    const hay = c.gold.slice(from, to).toLowerCase();
    for (const v of vals) {
      const i = hay.indexOf(v.toLowerCase());
      if (i < 0) continue;
      const orig = c.gold.slice(from + i, from + i + v.length);
      for (const r of wrongLike(c, v, vals)) out.push(c.gold.slice(0, from + i) + likeCase(orig, r) + c.gold.slice(from + i + v.length));
      break;
    }
  }
  for (const a of argsOf(c, "answer_symbol")) {
    const concl = conclusion(c.gold);
    const first = words(concl)[0]?.replace(/[.,;:]+$/, "");
    if (!first) continue;
    const at = c.gold.indexOf(concl) + concl.indexOf(first);
    for (const r of otherSymbols(c, [a.symbol], a.band)) out.push(c.gold.slice(0, at) + r + c.gold.slice(at + first.length));
  }
  for (const a of argsOf(c, "field_equals")) {
    // a "Label: value" line (gene world): another gene's symbol, chromosome or band in its place
    const m = new RegExp(`^(\\s*${esc(String(a.label))}\\s*:\\s*)(.*)$`, "im").exec(c.gold);
    if (!m) continue;
    const vals = (a.values as string[]) ?? [];
    const repl = a.alias !== undefined ? otherSymbols(c, vals) : a.fact === "band" ? otherBands(c, m[2], vals) : otherChromosomes(c, vals);
    for (const r of repl) out.push(c.gold.slice(0, m.index) + m[1] + r + c.gold.slice(m.index + m[0].length));
  }
  for (const a of argsOf(c, "term_ns_column")) {
    const ls = c.gold.split("\n");
    const rows = tableLines(c.gold).slice(2);
    for (const r of shuffled(c.rng, rows).slice(0, 2)) {
      const cells = cellsOf(r.l);
      const ns = cells[a.ns_col];
      for (const other of shuffled(c.rng, (["BP", "MF", "CC"] as Namespace[]).filter((x) => x !== ns)).slice(0, 1)) {
        const next = cells.slice();
        next[a.ns_col] = other;
        out.push([...ls.slice(0, r.i), rowText(next), ...ls.slice(r.i + 1)].join("\n"));
      }
    }
  }
  return out;
};

const wrongYesNo: Proposer = (c) => {
  if (!argsOf(c, "yes_no").length) return [];
  const flip = (w: string) => {
    const to = /^yes$/i.test(w) ? "no" : "yes";
    return w[0] === w[0].toUpperCase() ? to[0].toUpperCase() + to.slice(1) : to;
  };
  const withField = c.gold.replace(/^(\s*answer\s*:\s*)(yes|no)\b/im, (_m, pre: string, w: string) => pre + flip(w));
  if (withField !== c.gold) return [withField];
  return [c.gold.replace(/^(\s*)(yes|no)\b/i, (_m, pre: string, w: string) => pre + flip(w))];
};

/** the gold with its chain replaced ("Chain:" line or JSON "chain" array) */
function writeChain(gold: string, chain: string[]): string | null {
  if (field(gold, "chain") !== null) return setField(gold, "chain", chain.join(" > "));
  const o = jsonObj(gold);
  if (o && Array.isArray(o.chain)) return stringify({ ...o, chain });
  return null;
}

const brokenChain: Proposer = (c) => {
  if (!argsOf(c, "chain_valid").length) return [];
  const chain = parseChain(c.gold);
  if (chain.length < 2) return [];
  const cands: string[][] = [];
  // skip a hop: a → c where a → b → c
  for (let i = 1; i < chain.length - 1; i++) cands.push([...chain.slice(0, i), ...chain.slice(i + 1)]);
  // detour: leave chain[i] through another of its parents, then jump back on the path
  for (let i = 0; i < chain.length - 1; i++) {
    const ps = (c.kg.term(chain[i])?.parents ?? []).map((p) => p.id).filter((p) => !chain.includes(p) && !UNINFORMATIVE.has(p));
    for (const p of shuffled(c.rng, ps).slice(0, 1)) {
      if (i + 1 < chain.length - 1) cands.push([...chain.slice(0, i + 1), p, ...chain.slice(i + 2)]);
      else cands.push([...chain.slice(0, i + 1), p, ...chain.slice(i + 1)]);
    }
  }
  // a wrong ancestor as target, and the direction error
  for (const t of otherTerms(c, chain[chain.length - 1], chain, 1)) cands.push([...chain.slice(0, -1), t]);
  cands.push(chain.slice().reverse());
  return cands.map((ch) => writeChain(c.gold, ch)).filter((x): x is string => x !== null);
};

const wrongMember: Proposer = (c) => {
  const out: string[] = [];
  const sortedUpper = c.checks.some((k) => k.name === "sorted_list");
  for (const a of argsOf(c, "symbol_set")) {
    const old = listed(c.gold, a.strip_last);
    if (old.length === 0) continue;
    const expected = (a.expected as string[]) ?? old;
    const outsiders = otherSymbols(c, expected, a.band, 2);
    const order = (xs: string[]) => (sortedUpper ? xs.slice().sort((x, y) => (upper(x) < upper(y) ? -1 : upper(x) > upper(y) ? 1 : 0)) : xs.slice().sort());
    const lists: string[][] = [];
    const k = randInt(c.rng, old.length);
    for (const o of outsiders.slice(0, 1)) lists.push(order(old.map((x, i) => (i === k ? o : x)))); // swap one
    if (old.length >= 2) lists.push(old.filter((_, i) => i !== k)); // drop one
    for (const o of outsiders.slice(1, 2)) lists.push(order([...old, o])); // add a near miss
    for (const l of lists) {
      let s = rewriteList(c.gold, old, l);
      // a consistent wrong answer: the count follows the list
      if (s !== null && field(s, "count") !== null) s = setField(s, "count", String(l.length));
      if (s !== null) out.push(s);
    }
  }
  for (const a of argsOf(c, "go_in_set")) {
    const id = goIds(conclusion(c.gold))[0];
    if (!id) continue;
    const set = (a.set as string[]) ?? [];
    const genes = (a.genes as number[]) ?? [];
    // a term of only one of the genes: the classic "shared?" mistake
    const onlyOne = genes.flatMap((g) => c.ix.directTerms(g)).filter((t) => !set.includes(t));
    const repl = [...firstNot(c.rng, [...new Set(onlyOne)], () => false, 1), ...otherTerms(c, id, set, 1)];
    for (const r of repl) out.push(c.gold.replace(id, r));
  }
  for (const a of argsOf(c, "items_in_set")) {
    const j = parseJsonStrict(c.gold);
    if (!j.ok) continue;
    const arr = a.key ? (j.value as Record<string, unknown>)?.[a.key] : j.value;
    if (!Array.isArray(arr) || arr.length === 0) continue;
    const set = (a.set as string[]) ?? [];
    const k = randInt(c.rng, arr.length);
    const other = typeof a.gene === "number" ? c.ix.directTerms(a.gene).filter((t) => !set.includes(t)) : [];
    const repl = [...firstNot(c.rng, other, () => false, 1), ...otherTerms(c, String(arr[k]), [...set, ...(arr as string[])], 1)];
    for (const r of repl) {
      const next = (arr as string[]).map((x, i) => (i === k ? r : x));
      out.push(stringify(a.key ? { ...(j.value as object), [a.key]: next } : next));
    }
  }
  for (const a of argsOf(c, "table_rows")) {
    const ls = c.gold.split("\n");
    const rows = tableLines(c.gold).slice(2);
    if (rows.length === 0) continue;
    const r = pick(c.rng, rows);
    const cells = cellsOf(r.l);
    const want = ((a.rows as string[][]) ?? []).map((x) => x[0]);
    const genes: number[] = Array.isArray(a.genes) ? a.genes : typeof a.gene === "number" ? [a.gene] : [];
    const pool = [...new Set(genes.flatMap((g) => c.ix.directTerms(g)))].filter((t) => !want.includes(t));
    const terms = [...firstNot(c.rng, pool, () => false, 1), ...otherTerms(c, cells[0], want, 1)];
    for (const t of terms) {
      const next = cells.slice();
      next[0] = t;
      // a namespace column stays right for the new term (only the membership is wrong)
      if ((a.cols as number[]).length === 1 && next.length > 1 && /^(BP|MF|CC)$/.test(next[1])) next[1] = c.kg.term(t)?.ns ?? next[1];
      out.push([...ls.slice(0, r.i), rowText(next), ...ls.slice(r.i + 1)].join("\n"));
    }
    // an evidence-code column: a code the KG does not record for that fact
    if ((a.cols as number[]).includes(1) && cells.length > 1 && /^[A-Z]{2,3}(, [A-Z]{2,3})*$/.test(cells[1])) {
      const next = cells.slice();
      next[1] = pick(c.rng, ["IEA", "ISS", "IBA", "TAS", "IDA", "IMP", "IPI"].filter((x) => !cells[1].split(", ").includes(x)));
      out.push([...ls.slice(0, r.i), rowText(next), ...ls.slice(r.i + 1)].join("\n"));
    }
  }
  for (const a of argsOf(c, "contains_all")) {
    const items = (a.items as string[]) ?? [];
    const ws = c.gold.split(" ");
    if (ws.length !== items.length || ws.length === 0) continue;
    const k = randInt(c.rng, ws.length);
    // another gene's alias (a confusion between genes)
    let alias: string | undefined;
    for (let i = 0; !alias && i < 30; i++) {
      const g = pick(c.rng, c.ix.annotatedGenes);
      alias = g.aliases.find((x) => !items.map(upper).includes(upper(x)) && /^[^\s,]+$/.test(x));
    }
    if (alias) out.push(ws.map((w, i) => (i === k ? alias : w)).join(" "));
    if (ws.length >= 2) out.push(ws.filter((_, i) => i !== k).join(" "));
  }
  return out;
};

const wrongCount: Proposer = (c) => {
  const out: string[] = [];
  for (const a of argsOf(c, "count_equals")) {
    const n = Number(a.n);
    for (const m of shuffled(c.rng, [n + 1, n - 1].filter((x) => x >= 0))) {
      const s = setField(c.gold, "count", String(m));
      if (s) out.push(s);
    }
  }
  for (const a of argsOf(c, "json_array")) {
    if (a.n === undefined) continue;
    const j = parseJsonStrict(c.gold);
    if (!j.ok || !Array.isArray(j.value)) continue;
    const arr = j.value as string[];
    if (arr.length >= 2) out.push(stringify(arr.filter((_, i) => i !== randInt(c.rng, arr.length))));
    // one more true term (only the length is wrong), else a near one
    const set = (argsOf(c, "items_in_set")[0]?.set as string[] | undefined) ?? [];
    const more = [...firstNot(c.rng, set, (x) => arr.includes(x), 1), ...otherTerms(c, arr[0] ?? "", arr, 1)];
    if (more[0]) out.push(stringify([...arr, more[0]].sort()));
  }
  return out;
};

const wrongRelation: Proposer = (c) => {
  const out: string[] = [];
  for (const a of argsOf(c, "mentions_relation")) {
    const re = new RegExp(`\\b(?:positively |negatively )?${esc(String(a.rel))}\\b`, "i");
    if (!re.test(c.gold)) continue;
    for (const r of shuffled(c.rng, ["is a", "is part of"])) out.push(c.gold.replace(re, r));
  }
  return out;
};

const breakJson: Proposer = (c) => {
  const g = c.gold.trim();
  if (!isJson(g)) return [];
  // no closing bracket, single quotes, a trailing comma, a missing comma / colon
  return [g.slice(0, -1), g.replace(/"/g, "'"), `${g.slice(0, -1)},${g.slice(-1)}`, g.replace(/",\s*"/, '" "').replace(/":/, '" ')];
};

const RENAME: Record<string, string> = { chromosome: "chr", band: "cytoband", symbol: "gene", evidence: "evidence_code", chain: "path" };
const wrongKeys: Proposer = (c) => {
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

const lowerCase: Proposer = (c) => [c.gold.toLowerCase(), c.gold.replace(/\b([A-Z])([A-Z]+)\b/, (_m, a: string, b: string) => a + b.toLowerCase())];

const FILLER = "the cytogenetic band of this human gene is located at".split(" ");
const exceedWords: Proposer = (c) => {
  const a = argsOf(c, "max_words")[0];
  if (!a) return [];
  const need = Number(a.n) - words(c.gold).length + 1 + randInt(c.rng, 2);
  if (need <= 0) return [];
  const fill = Array.from({ length: need }, (_, i) => FILLER[i % FILLER.length]).join(" ");
  return [`${isUpperText(c.gold) ? fill.toUpperCase() : fill} ${c.gold}`];
};

const unsortList: Proposer = (c) => {
  const a = argsOf(c, "sorted_list")[0];
  if (!a) return [];
  const old = listed(c.gold, a.strip_last);
  if (old.length < 2) return [];
  const swapped = old.slice();
  const i = randInt(c.rng, old.length - 1);
  [swapped[i], swapped[i + 1]] = [swapped[i + 1], swapped[i]];
  return [old.slice().reverse(), swapped].map((l) => rewriteList(c.gold, old, l)).filter((x): x is string => x !== null);
};

const dropEndWord: Proposer = (c) => {
  const a = argsOf(c, "ends_with")[0];
  if (!a) return [];
  const w = String(a.word);
  const body = c.gold.replace(new RegExp(`\\s*\\b${esc(w)}\\W*$`), "");
  return [body, `${w} ${body}`];
};

const wrongSentenceCount: Proposer = (c) => {
  if (!argsOf(c, "n_sentences").length) return [];
  const out = [`${c.gold.trim()} It is a term of the Gene Ontology.`];
  const merged = c.gold.replace(/\.\s+(\S)/, (_m, ch: string) => `; ${ch.toLowerCase()}`);
  if (merged !== c.gold) out.push(merged);
  return out;
};

const breakTable: Proposer = (c) => {
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

const addCommas: Proposer = (c) => {
  if (!argsOf(c, "no_commas").length) return [];
  const ws = c.gold.trim().split(/\s+/);
  if (ws.length < 2) return [];
  return [ws.join(", "), `${ws.slice(0, -1).join(", ")} and ${ws[ws.length - 1]}`];
};

const mergeLines: Proposer = (c) => {
  if (!argsOf(c, "n_lines").length && !argsOf(c, "line_prefixes").length) return [];
  const ls = c.gold.split("\n");
  const out: string[] = [];
  if (ls.length >= 2) out.push(ls.join(" "), ls.join("; "));
  const unlabeled = c.gold.replace(/^(\s*)(answer)\s*:\s*/im, "$1");
  if (unlabeled !== c.gold) out.push(unlabeled);
  return out;
};

const EV_LINE = /^\s*evidence\s*:.*$/im;

const dropEvidence: Proposer = (c) => {
  const o = jsonObj(c.gold);
  if (o) {
    if (!("evidence" in o)) return [];
    const { evidence: _e, ...rest } = o;
    return [stringify(rest)];
  }
  if (!EV_LINE.test(c.gold)) return [];
  return [c.gold.split("\n").filter((l) => !/^\s*evidence\s*:/i.test(l)).join("\n")];
};

const answerBeforeEvidence: Proposer = (c) => {
  const o = jsonObj(c.gold);
  if (o) {
    if (!("evidence" in o)) return [];
    const { evidence, ...rest } = o;
    return [stringify({ ...rest, evidence })];
  }
  const ls = c.gold.split("\n");
  const i = ls.findIndex((l) => /^\s*evidence\s*:/i.test(l));
  if (i < 0 || ls.length < 2) return [];
  return [[...ls.slice(0, i), ...ls.slice(i + 1), ls[i]].join("\n")];
};

const CODES = ["IEA", "ISS", "IBA", "ND", "IDA", "IMP", "IPI", "EXP", "TAS", "IGI", "IEP"];
const wrongEvidenceCode: Proposer = (c) => {
  const a = argsOf(c, "workflow_evidence_code")[0];
  if (!a) return [];
  const codes = (a.codes as string[]) ?? [];
  const wrong = firstNot(c.rng, CODES, (x) => codes.includes(x), 2);
  const o = jsonObj(c.gold);
  const out: string[] = [];
  for (const w of wrong) {
    const stated = [w, `${codes.join(", ")}${codes.length ? ", " : ""}${w}`];
    for (const s of stated) {
      if (o) {
        if (typeof o.evidence === "string") out.push(stringify({ ...o, evidence: s }));
      } else {
        const x = setField(c.gold, "evidence", s);
        if (x) out.push(x);
      }
    }
  }
  return out;
};

const outOfScope: Proposer = (c) => {
  const a = argsOf(c, "workflow_in_scope")[0];
  if (!a || isJson(c.gold.trim())) return [];
  const terms = (a.terms as string[]) ?? [];
  const genes = (a.genes as string[]) ?? [];
  const xs: string[] = [];
  // a parent just outside the scope (over-reaching up the DAG), and a gene not asked about
  const near = terms.flatMap((t) => (c.kg.term(t)?.parents ?? []).map((p) => p.id)).filter((t) => !terms.includes(t) && !UNINFORMATIVE.has(t));
  xs.push(...firstNot(c.rng, [...new Set(near)], () => false, 1));
  if (xs.length === 0 && terms[0]) xs.push(...otherTerms(c, terms[0], terms, 1));
  xs.push(...otherSymbols(c, genes, undefined, 1));
  const out: string[] = [];
  for (const x of xs) {
    out.push(`${c.gold}\nSee also: ${x}`);
    const withAnswer = c.gold.replace(/^(\s*answer\s*:.*)$/im, `$1 (see also ${x})`);
    if (withAnswer !== c.gold) out.push(withAnswer);
  }
  return out;
};

const hedge: Proposer = (c) => {
  if (!argsOf(c, "workflow_single_conclusion").length || isJson(c.gold.trim())) return [];
  const out: string[] = [];
  const yn = /^(\s*answer\s*:\s*)(yes|no)\b(.*)$/im.exec(c.gold);
  if (yn) out.push(c.gold.replace(yn[0], `${yn[1]}${yn[2]}${yn[3]}, or possibly ${/^yes$/i.test(yn[2]) ? "no" : "yes"}`));
  // a second, hedged conclusion line (two Answer lines; and a hedged one where the gold has none)
  out.push(`${c.gold}\nAnswer: ${/^\s*answer\s*:/im.test(c.gold) ? "uncertain" : "yes, or possibly no"}`);
  return out;
};

const PROPOSERS: Record<Corruption, Proposer> = {
  wrong_option: wrongOption,
  wrong_fact: wrongFact,
  wrong_yes_no: wrongYesNo,
  broken_chain: brokenChain,
  wrong_member: wrongMember,
  wrong_count: wrongCount,
  wrong_relation: wrongRelation,
  break_json: breakJson,
  wrong_keys: wrongKeys,
  lower_case: lowerCase,
  upper_case: (c) => [c.gold.toUpperCase()],
  exceed_words: exceedWords,
  unsort_list: unsortList,
  drop_end_word: dropEndWord,
  wrong_sentence_count: wrongSentenceCount,
  break_table: breakTable,
  add_commas: addCommas,
  merge_lines: mergeLines,
  drop_evidence: dropEvidence,
  answer_before_evidence: answerBeforeEvidence,
  wrong_evidence_code: wrongEvidenceCode,
  out_of_scope: outOfScope,
  hedge,
};

/**
 * The corruption types that may apply to an item (it has a check the type attacks; JSON golds take no line-based
 * workflow edits). Cheap and structural: corrupt() can still return null for one of them (nothing strictly worse).
 */
export function applicableCorruptions(item: Item): Corruption[] {
  const names = new Set(item.checks.map((c) => c.name));
  const json = isJson(item.gold.trim());
  return CORRUPTIONS.filter((k) => {
    if (!CORRUPTION_TARGETS[k].some((n) => names.has(n))) return false;
    if (json && (k === "out_of_scope" || k === "hedge")) return false;
    if (k === "wrong_count" && !names.has("count_equals") && !item.checks.some((c) => c.name === "json_array" && c.args.n !== undefined)) return false;
    if (k === "drop_evidence" || k === "answer_before_evidence") return json ? /"evidence"\s*:/.test(item.gold) : /^\s*evidence\s*:/im.test(item.gold);
    return true;
  });
}

/** The item components (knowledge / reasoning / format / workflow) a corruption attacks in this item. */
export function corruptionComponents(item: Item, kind: Corruption): CheckSpec["component"][] {
  const t = new Set(CORRUPTION_TARGETS[kind]);
  return [...new Set(item.checks.filter((c) => t.has(c.name)).map((c) => c.component))];
}

export function corrupt(item: Item, kind: Corruption, rng: Rng, kg: KG): string | null {
  const proposer = PROPOSERS[kind];
  if (!proposer) throw new BbioError(`unknown corruption "${String(kind)}" (choose one of: ${CORRUPTIONS.join(", ")})`);
  if (!applicableCorruptions(item).includes(kind)) return null;
  const c: Ctx = { item, kg, ix: kgIndex(kg), rng, gold: item.gold, checks: item.checks };
  const base = score(item, item.gold, kg);
  const passedBefore = new Set(base.checks.map((r, i) => (r.pass ? i : -1)).filter((i) => i >= 0));
  const targets = new Set(CORRUPTION_TARGETS[kind]);
  const seen = new Set<string>([item.gold]);
  const cands = shuffled(rng, proposer(c)).filter((s) => s.trim() !== "" && !seen.has(s) && (seen.add(s), true));
  let best: string | null = null, bestCollateral = Infinity;
  for (const s of cands) {
    const r = score(item, s, kg);
    if (!(r.score < base.score)) continue;
    // collateral damage: checks outside the attacked ones that the gold passed and this answer fails
    const collateral = r.checks.filter((x, i) => !x.pass && passedBefore.has(i) && !targets.has(x.name)).length;
    if (collateral < bestCollateral) [best, bestCollateral] = [s, collateral];
    if (collateral === 0) break;
  }
  return best;
}
