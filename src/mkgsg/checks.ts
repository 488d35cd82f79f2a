/**
 * The rule-based scorer's check registry: `name → (answer, args, ctx) → {pass, detail}`.
 *
 * A CheckSpec in an item is data ({name, component, args}); this file gives each name its meaning. Checks are pure
 * functions of the answer text, the spec's args and (for ontology checks such as chain_valid) the KG, so the same
 * item scores the same everywhere (CLI, evaluation, GRPO's rule reward). IFEval-style format checks follow
 * Zhou et al. 2023 (arXiv 2311.07911); workflow checks are ours (see workflow.ts).
 */
import type { KG } from "../kg/types.ts";
import type { Item } from "./types.ts";
import type { CheckArgs, CheckName } from "./checkargs.ts";
import { kgIndex } from "./kgindex.ts";
import {
  commaList,
  conclusion,
  countWords,
  containsCi,
  field,
  goIds,
  lines,
  parseJsonStrict,
  parseLetter,
  parseMarkdownTable,
  parseYesNo,
  sentences,
  words,
} from "./text.ts";
import { workflowChecks } from "./workflow.ts";

export interface CheckCtx {
  kg: KG;
  item: Item;
}
export interface CheckOutcome {
  pass: boolean;
  detail?: string;
}
// args are JSON data from the item file; each check reads the fields checkargs.ts gives its name
export type CheckFn<N extends CheckName = CheckName> = (answer: string, args: CheckArgs[N], ctx: CheckCtx) => CheckOutcome;
export type CheckRegistry = { [N in CheckName]: CheckFn<N> };

const ok = (pass: boolean, detail?: string): CheckOutcome => ({ pass, detail });
const normValue = (s: string) => s.trim().replace(/\s+/g, " ").replace(/\.$/, "").toLowerCase();
const up = (s: string) => s.trim().toUpperCase();
const sameSet = (a: readonly string[], b: readonly string[]) => {
  const A = new Set(a.map(up));
  const B = new Set(b.map(up));
  return A.size === B.size && [...A].every((x) => B.has(x)) && a.length === A.size;
};

/** A chain of GO ids: the "Chain:" field, else a JSON object's "chain" array, else every GO id in the text. */
export function parseChain(answer: string): string[] {
  const f = field(answer, "chain");
  if (f !== null) return goIds(f);
  const j = parseJsonStrict(answer);
  if (j.ok && j.value && typeof j.value === "object" && Array.isArray((j.value as Record<string, unknown>).chain)) {
    return ((j.value as Record<string, unknown>).chain as unknown[]).filter((x): x is string => typeof x === "string");
  }
  return goIds(answer);
}

/** Is every consecutive pair a direct is_a/part_of edge of the KG? Returns the first bad edge, or null. */
export function badChainEdge(kg: KG, chain: readonly string[]): { from: string; to: string; why: string } | null {
  const ix = kgIndex(kg);
  for (let i = 0; i + 1 < chain.length; i++) {
    const [a, b] = [chain[i], chain[i + 1]];
    if (!kg.term(a)) return { from: a, to: b, why: `unknown term ${a}` };
    if (!kg.term(b)) return { from: a, to: b, why: `unknown term ${b}` };
    const rel = ix.edge(a, b);
    if (rel === null) return { from: a, to: b, why: `no edge ${a} → ${b}` };
    if (rel !== "isa" && rel !== "part_of") return { from: a, to: b, why: `${a} ${rel} ${b} is not is_a/part_of` };
  }
  return null;
}

/** the answer as a JSON object (strict: the whole answer), or null */
function jsonObject(answer: string): Record<string, unknown> | null {
  const j = parseJsonStrict(answer);
  return j.ok && j.value && typeof j.value === "object" && !Array.isArray(j.value) ? (j.value as Record<string, unknown>) : null;
}

/** symbols listed in the conclusion (optionally before a trailing end word such as DONE) */
function listedSymbols(answer: string, stripLast?: string): string[] {
  let text = conclusion(answer);
  if (stripLast) text = text.replace(new RegExp(`\\s*\\b${stripLast}\\W*$`), "");
  return commaList(text);
}

export const CHECKS: CheckRegistry = {
  // ── knowledge / reasoning content ──────────────────────────────────────────────────────────────────────────────
  /** MCQ: the first thing said is the gold letter */
  answer_letter: (a, { letter }) => {
    const got = parseLetter(a);
    return ok(got === letter, `got ${got ?? "no letter"}, want ${letter}`);
  },
  /** MCQ answered by value: the answer states the gold option's text in the item's sentence template (or is the bare
   *  value when there is none); case, spacing and a final period ignored */
  answer_value: (a, { value, template }) => {
    const got = normValue(conclusion(a));
    const want = normValue(template ? String(template).replace("{value}", value) : value);
    return ok(got === want, `got "${got.slice(0, 60)}", want "${want}"`);
  },
  /** a "Label:" line whose value is one of the values (case, spacing and a final period ignored) */
  field_equals: (a, { label, values }) => {
    const f = field(a, label);
    return ok(
      f !== null && (values as string[]).some((v) => normValue(v) === normValue(f)),
      `${label}: ${f ?? "missing"}, want ${(values as string[]).join(" | ")}`,
    );
  },
  /** the conclusion starts with Yes/No as expected */
  yes_no: (a, { expected }) => {
    const got = parseYesNo(a);
    return ok(got === expected, `got ${got ?? "no yes/no"}, want ${expected}`);
  },
  /** a GO-id chain start → … → target whose every step is a direct is_a/part_of edge in the KG */
  chain_valid: (a, { start, target }, { kg }) => {
    const chain = parseChain(a);
    if (chain.length === 0) return ok(false, "no chain");
    if (chain[0] !== start) return ok(false, `chain starts at ${chain[0]}, want ${start}`);
    if (chain[chain.length - 1] !== target) return ok(false, `chain ends at ${chain[chain.length - 1]}, want ${target}`);
    const bad = badChainEdge(kg, chain);
    return ok(!bad, bad ? bad.why : `${chain.length - 1} valid edges`);
  },
  /** the answer names the relation (e.g. "regulates") */
  mentions_relation: (a, { rel }) => ok(new RegExp(`\\b${rel}\\b`, "i").test(a), `must mention "${rel}"`),
  /** the conclusion's first GO id is in the set */
  go_in_set: (a, { set }) => {
    const id = goIds(conclusion(a))[0];
    return ok(!!id && (set as string[]).includes(id), id ? `${id}` : "no GO id");
  },
  /** the listed gene symbols equal the expected set (no extras, no duplicates) */
  symbol_set: (a, { expected, strip_last }) => {
    const got = listedSymbols(a, strip_last);
    return ok(sameSet(got, expected), `got [${got.join(", ")}], want [${(expected as string[]).join(", ")}]`);
  },
  /** the conclusion names the gene first */
  answer_symbol: (a, { symbol }) => {
    const first = words(conclusion(a))[0]?.replace(/[.,;:]+$/, "");
    return ok(!!first && up(first) === up(symbol), `got ${first ?? "nothing"}, want ${symbol}`);
  },
  /** a "Count:" field with the right number */
  count_equals: (a, { n }) => {
    const f = field(a, "count");
    const got = f === null ? NaN : Number.parseInt(f, 10);
    return ok(got === n, `got ${f ?? "no Count"}, want ${n}`);
  },
  /** the text contains one of the values (case-/space-insensitive) */
  contains_any: (a, { values, sentence }) => {
    const hay = sentence === undefined ? a : (sentences(a)[sentence] ?? "");
    return ok(
      (values as string[]).some((v) => containsCi(hay, v)),
      `one of: ${(values as string[]).join(" | ")}`,
    );
  },
  /** every item appears as a whitespace-separated word (case-insensitive) */
  contains_all: (a, { items }) => {
    const ws = new Set(words(a).map((w) => up(w.replace(/[.;]+$/, ""))));
    const missing = (items as string[]).filter((x) => !ws.has(up(x)));
    return ok(missing.length === 0, missing.length ? `missing ${missing.join(", ")}` : undefined);
  },
  /** JSON object field equals one of the values (case-insensitive) */
  json_field: (a, { key, values }) => {
    const o = jsonObject(a);
    const v = o?.[key];
    return ok(typeof v === "string" && (values as string[]).some((x) => up(x) === up(v)), `${key}=${JSON.stringify(v)}`);
  },
  /** every element of the JSON array (or obj[key]) is in the set */
  items_in_set: (a, { set, key }) => {
    const j = parseJsonStrict(a);
    if (!j.ok) return ok(false, "not JSON");
    const arr = key ? (j.value as Record<string, unknown>)?.[key] : j.value;
    if (!Array.isArray(arr) || arr.length === 0) return ok(false, "no array");
    const bad = arr.filter((x) => typeof x !== "string" || !(set as string[]).includes(x));
    return ok(bad.length === 0, bad.length ? `not true: ${bad.join(", ")}` : undefined);
  },
  /** markdown table rows (restricted to some columns) equal the expected rows as a set */
  table_rows: (a, { rows, cols }) => {
    const t = parseMarkdownTable(
      lines(a)
        .filter((l) => l.startsWith("|"))
        .join("\n"),
    );
    if (!t) return ok(false, "no table");
    const pickCols = (r: string[]) => (cols as number[]).map((c) => up(r[c] ?? "")).join(" | ");
    const got = t.rows.map(pickCols).sort();
    const want = (rows as string[][]).map(pickCols).sort();
    return ok(got.length === want.length && got.every((x, i) => x === want[i]), `got ${got.length} rows, want ${want.length}`);
  },
  /** every table row's namespace cell is the KG namespace of its GO id (needs ≥1 row) */
  term_ns_column: (a, { term_col, ns_col }, { kg }) => {
    const t = parseMarkdownTable(
      lines(a)
        .filter((l) => l.startsWith("|"))
        .join("\n"),
    );
    if (!t || t.rows.length === 0) return ok(false, "no table rows");
    const bad = t.rows.filter((r) => kg.term(r[term_col] ?? "")?.ns !== up(r[ns_col] ?? ""));
    return ok(bad.length === 0, bad.length ? `wrong namespace for ${bad.map((r) => r[term_col]).join(", ")}` : undefined);
  },

  // ── format (IFEval-style) ──────────────────────────────────────────────────────────────────────────────────────
  json_array: (a, { n }) => {
    const j = parseJsonStrict(a);
    if (!j.ok || !Array.isArray(j.value)) return ok(false, "not a JSON array");
    const xs = j.value;
    if (!xs.every((x) => typeof x === "string")) return ok(false, "non-string element");
    if (new Set(xs).size !== xs.length) return ok(false, "duplicates");
    return ok(n === undefined || xs.length === n, `${xs.length} elements, want ${n}`);
  },
  /** IFEval JsonFormat (fences stripped, text.ts) + the keys the prompt names: as a set, in order only when `ordered`
   *  (a prompt that states the order) */
  json_object: (a, { keys, ordered }) => {
    const o = jsonObject(a);
    if (!o) return ok(false, "not a JSON object");
    const got = Object.keys(o);
    const want = keys as string[];
    const pass = ordered ? got.join(",") === want.join(",") : sameSet(got, want);
    return ok(pass, `keys ${got.join(",")}, want ${want.join(",")}`);
  },
  /** IFEval CapitalLettersEnglishChecker's isupper(): a cased letter, and none in lower case (its language check is
   *  not reproduced: every prompt here is English) */
  all_caps: (a) => ok(/\p{Lu}/u.test(a) && a === a.toUpperCase(), "all capital letters"),
  /** IFEval LowercaseLettersEnglishChecker's islower() */
  all_lower: (a) => ok(/\p{Ll}/u.test(a) && a === a.toLowerCase(), "all lower-case letters"),
  /** IFEval NumberOfWords, relation "less than": fewer than n words as IFEval counts them (\w+ runs; text.ts) */
  max_words: (a, { n }) => ok(countWords(a) < n, `${countWords(a)} words, want fewer than ${n}`),
  n_sentences: (a, { n }) => ok(sentences(a).length === n, `${sentences(a).length} sentences, want ${n}`),
  /** IFEval EndChecker: the answer, stripped of whitespace and of surrounding double quotes, lower-cased, ends with
   *  the phrase (stripped, lower-cased) — nothing may follow it, not even a period */
  ends_with: (a, { word }) => {
    const text = a
      .trim()
      .replace(/^"+|"+$/g, "")
      .toLowerCase();
    const want = String(word).trim().toLowerCase();
    return ok(text.endsWith(want), `ends with "${text.slice(-20)}", want "${want}"`);
  },
  sorted_list: (a, { strip_last }) => {
    const xs = listedSymbols(a, strip_last).map(up);
    return ok(xs.length > 1 && xs.every((x, i) => i === 0 || xs[i - 1] <= x), `[${xs.join(", ")}]`);
  },
  /** a markdown table with this header; its row count only when the prompt states one (`rows`) */
  markdown_table: (a, { header, rows }) => {
    const t = parseMarkdownTable(
      lines(a)
        .filter((l) => l.startsWith("|"))
        .join("\n"),
    );
    if (!t) return ok(false, "no markdown table");
    const hdr = t.header.join("|") === (header as string[]).join("|");
    return ok(hdr && (rows === undefined || t.rows.length === rows), `header ${t.header.join("|")}, ${t.rows.length} rows`);
  },
  /** IFEval CommaChecker: no "," anywhere */
  no_commas: (a) => ok(!a.includes(","), "no commas"),
  n_lines: (a, { n }) => ok(lines(a).length === n, `${lines(a).length} lines, want ${n}`),
  /** the non-empty lines start with these labels, in this order */
  line_prefixes: (a, { prefixes }) => {
    const ls = lines(a);
    const pass = (prefixes as string[]).every((p, i) => ls[i]?.toLowerCase().startsWith(p.toLowerCase() + ":"));
    return ok(pass, `lines must start ${(prefixes as string[]).map((p) => p + ":").join(" / ")}`);
  },

  // ── workflow (ours; described in workflow.ts) ──────────────────────────────────────────────────────────────────
  ...workflowChecks,
};

/** Names the scorer knows; generation and validation refuse items with any other check name. */
export const CHECK_NAMES: ReadonlySet<string> = new Set(Object.keys(CHECKS));
