/**
 * Knowledge corruptions: one wrong fact in an otherwise intact answer.
 *   wrong_option   MCQ: another option letter, or another option's text in the answer sentence (answer_letter, answer_value)
 *   wrong_fact     one stated fact swapped for a plausible wrong one: another chromosome / a band on the same
 *                  chromosome / a gene at the same band / a sibling term / another namespace
 *                  (json_field, contains_any, answer_symbol, field_equals, term_ns_column)
 */
import type { Namespace } from "../../kg/types.ts";
import { shuffled } from "../../util/rng.ts";
import { conclusion, sentences, words } from "../text.ts";
import {
  argsOf,
  cellsOf,
  esc,
  jsonObj,
  likeCase,
  otherBands,
  otherChromosomes,
  otherSymbols,
  rowText,
  stringify,
  tableLines,
  wrongLike,
  type Proposer,
} from "./context.ts";

export const wrongOption: Proposer = (c) => {
  const out: string[] = [];
  for (const { letter } of argsOf(c, "answer_letter")) {
    const n = c.item.options?.length ?? 4;
    const others = ["A", "B", "C", "D"].slice(0, n).filter((l) => l !== letter);
    const re = new RegExp(`\\b${esc(String(letter))}\\b`);
    for (const o of shuffled(c.rng, others)) out.push(c.gold.trim() === letter ? o : c.gold.replace(re, o));
  }
  // value-answered MCQs (gene world): another option's text
  for (const { value, template } of argsOf(c, "answer_value"))
    for (const o of shuffled(
      c.rng,
      (c.item.options ?? []).filter((x) => x !== value),
    ))
      out.push(template ? String(template).replace("{value}", o) : o);
  return out;
};

export const wrongFact: Proposer = (c) => {
  const out: string[] = [];
  for (const a of argsOf(c, "json_field")) {
    const o = jsonObj(c.gold);
    const v = o?.[a.key];
    if (!o || typeof v !== "string") continue;
    const vals = (a.values as string[]) ?? [];
    const repl =
      a.key === "chromosome"
        ? otherChromosomes(c, vals)
        : a.key === "band"
          ? otherBands(c, v, vals)
          : a.key === "symbol"
            ? otherSymbols(c, vals)
            : wrongLike(c, v, vals);
    for (const r of repl) out.push(stringify({ ...o, [a.key]: r }));
  }
  for (const a of argsOf(c, "contains_any")) {
    const vals = (a.values as string[]) ?? [];
    // where the value sits: the whole gold, or one sentence of it
    let from = 0,
      to = c.gold.length;
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
      for (const other of shuffled(
        c.rng,
        (["BP", "MF", "CC"] as Namespace[]).filter((x) => x !== ns),
      ).slice(0, 1)) {
        const next = cells.slice();
        next[a.ns_col] = other;
        out.push([...ls.slice(0, r.i), rowText(next), ...ls.slice(r.i + 1)].join("\n"));
      }
    }
  }
  return out;
};
