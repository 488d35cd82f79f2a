/**
 * Reasoning corruptions: one broken step of an otherwise intact derivation.
 *   wrong_yes_no    the Yes/No conclusion flipped                                        (yes_no)
 *   broken_chain    a hop skipped, a detour through a non-path parent, a wrong ancestor as target, or the chain
 *                   reversed                                                             (chain_valid)
 *   wrong_member    a set member swapped for / extended by a near miss (gene at the same band, term of only one of
 *                   the genes), or dropped        (symbol_set, go_in_set, items_in_set, table_rows, contains_all)
 *   wrong_count     Count off by one / a JSON array of the wrong length                  (count_equals, json_array n)
 *   wrong_relation  "regulates" restated as is_a / part_of                               (mentions_relation)
 */
import { pick, randInt, shuffled } from "../../util/rng.ts";
import { parseChain } from "../checks.ts";
import { UNINFORMATIVE } from "../kgindex.ts";
import { conclusion, field, goIds, parseJsonStrict } from "../text.ts";
import {
  argsOf,
  cellsOf,
  esc,
  firstNot,
  jsonObj,
  listed,
  otherSymbols,
  otherTerms,
  rewriteList,
  rowText,
  setField,
  stringify,
  tableLines,
  upper,
  type Proposer,
} from "./context.ts";

export const wrongYesNo: Proposer = (c) => {
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

export const brokenChain: Proposer = (c) => {
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

export const wrongMember: Proposer = (c) => {
  const out: string[] = [];
  const sortedUpper = c.checks.some((k) => k.name === "sorted_list");
  for (const a of argsOf(c, "symbol_set")) {
    const old = listed(c.gold, a.strip_last);
    if (old.length === 0) continue;
    const expected = (a.expected as string[]) ?? old;
    const outsiders = otherSymbols(c, expected, a.band, 2);
    const order = (xs: string[]) =>
      sortedUpper ? xs.slice().sort((x, y) => (upper(x) < upper(y) ? -1 : upper(x) > upper(y) ? 1 : 0)) : xs.slice().sort();
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
      next[1] = pick(
        c.rng,
        ["IEA", "ISS", "IBA", "TAS", "IDA", "IMP", "IPI"].filter((x) => !cells[1].split(", ").includes(x)),
      );
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

export const wrongCount: Proposer = (c) => {
  const out: string[] = [];
  for (const a of argsOf(c, "count_equals")) {
    const n = Number(a.n);
    for (const m of shuffled(
      c.rng,
      [n + 1, n - 1].filter((x) => x >= 0),
    )) {
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

export const wrongRelation: Proposer = (c) => {
  const out: string[] = [];
  for (const a of argsOf(c, "mentions_relation")) {
    const re = new RegExp(`\\b(?:positively |negatively )?${esc(String(a.rel))}\\b`, "i");
    if (!re.test(c.gold)) continue;
    for (const r of shuffled(c.rng, ["is a", "is part of"])) out.push(c.gold.replace(re, r));
  }
  return out;
};
