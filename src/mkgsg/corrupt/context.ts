/**
 * What every corruption works from: the item, its gold and checks, the KG, a seeded rng (Ctx); the args of the
 * checks it attacks (argsOf, typed by check name); small text / JSON edits of the gold; and near-miss values drawn
 * from the KG (another chromosome, a band on the same chromosome, a gene at the same band, a sibling term).
 */
import type { KG } from "../../kg/types.ts";
import { pick, shuffled, type Rng } from "../../util/rng.ts";
import { bandChr, UNINFORMATIVE, type KGIndex } from "../kgindex.ts";
import { commaList, conclusion, parseJsonStrict } from "../text.ts";
import { argsOf as specArgs, type CheckArgs, type CheckName } from "../checkargs.ts";
import type { CheckSpec, Item } from "../types.ts";

export interface Ctx {
  item: Item;
  kg: KG;
  ix: KGIndex;
  rng: Rng;
  gold: string;
  checks: CheckSpec[];
}

/** a corruption: candidate wrong answers (corrupt() keeps only strictly-worse ones) */
export type Proposer = (c: Ctx) => string[];

/** the args of the item's checks of one name */
export const argsOf = <N extends CheckName>(c: Ctx, name: N): CheckArgs[N][] => specArgs(c.checks, name);

// ── small text / JSON helpers ──────────────────────────────────────────────────────────────────────────────────────
export const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
export const upper = (s: string) => s.toUpperCase();
export const isUpperText = (s: string) => /[A-Z]/.test(s) && s === s.toUpperCase();

export function jsonObj(s: string): Record<string, unknown> | null {
  const j = parseJsonStrict(s);
  return j.ok && j.value && typeof j.value === "object" && !Array.isArray(j.value) ? (j.value as Record<string, unknown>) : null;
}
export const isJson = (s: string) => parseJsonStrict(s).ok;

/** replace the value of a "Label: …" line (first one), keeping everything else */
export function setField(text: string, label: string, value: string): string | null {
  const re = new RegExp(`^(\\s*${label}\\s*:[ \\t]*)(.*)$`, "im");
  return re.test(text) ? text.replace(re, (_m, pre: string) => `${pre}${value}`) : null;
}

/** a JSON object re-serialised with the same compactness as the gold (golds are JSON.stringify without spaces) */
export const stringify = (v: unknown) => JSON.stringify(v);

/** the list of symbols of a list answer, as the scorer reads it (conclusion minus a trailing end word) */
export function listed(answer: string, stripLast?: string): string[] {
  let text = conclusion(answer);
  if (stripLast) text = text.replace(new RegExp(`\\s*\\b${esc(stripLast)}\\W*$`), "");
  return commaList(text);
}

/** replace the written list `old` (joined with ", ") by `next` inside the gold */
export function rewriteList(gold: string, old: string[], next: string[]): string | null {
  const a = old.join(", ");
  const i = gold.indexOf(a);
  return i < 0 ? null : gold.slice(0, i) + next.join(", ") + gold.slice(i + a.length);
}

export const tableLines = (s: string) =>
  s
    .split("\n")
    .map((l, i) => ({ l: l.trim(), i }))
    .filter((x) => x.l.startsWith("|"));
export const cellsOf = (l: string) =>
  l
    .slice(1, -1)
    .split("|")
    .map((c) => c.trim());
export const rowText = (cells: string[]) => `| ${cells.join(" | ")} |`;

// ── near-miss values from the KG ───────────────────────────────────────────────────────────────────────────────────
export function firstNot<T>(rng: Rng, xs: readonly T[], bad: (x: T) => boolean, n = 1): T[] {
  return shuffled(rng, xs)
    .filter((x) => !bad(x))
    .slice(0, n);
}

export function otherChromosomes(c: Ctx, exclude: readonly string[], n = 2): string[] {
  const ex = new Set(exclude.map(upper));
  return firstNot(c.rng, c.ix.chromosomes, (x) => ex.has(upper(x)), n);
}

export function otherBands(c: Ctx, band: string, exclude: readonly string[], n = 2): string[] {
  const ex = new Set(exclude.map(upper));
  const same = firstNot(c.rng, c.ix.bandsOfChr.get(bandChr(band)) ?? [], (x) => ex.has(upper(x)), n);
  if (same.length) return same;
  const chr = otherChromosomes(c, [bandChr(band)], 1)[0];
  return chr ? firstNot(c.rng, c.ix.bandsOfChr.get(chr) ?? [], (x) => ex.has(upper(x)), n) : [];
}

/** gene symbols not in `exclude`: genes at `band` first (the plausible confusion), then random annotated genes */
export function otherSymbols(c: Ctx, exclude: readonly string[], band?: string, n = 2): string[] {
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
export function otherTerms(c: Ctx, id: string, exclude: readonly string[], n = 2): string[] {
  const t = c.kg.term(id);
  const ex = new Set([...exclude, id]);
  const sib = new Set<string>();
  if (t)
    for (const p of t.parents)
      for (const s of c.ix.childrenAnyRel.get(p.id) ?? []) if (c.kg.term(s)?.ns === t.ns && !UNINFORMATIVE.has(s)) sib.add(s);
  const out = firstNot(c.rng, [...sib].sort(), (x) => ex.has(x), n);
  const pool = c.ix.termsByNs.get(t?.ns ?? "BP") ?? [];
  for (let i = 0; out.length < n && i < 40 && pool.length; i++) {
    const x = pick(c.rng, pool);
    if (!ex.has(x) && !out.includes(x) && !UNINFORMATIVE.has(x)) out.push(x);
  }
  return out;
}

/** a plausible wrong value of the same type as `value` (chromosome, band, GO id, term name, symbol), or [] */
export function wrongLike(c: Ctx, value: string, exclude: readonly string[]): string[] {
  let m: RegExpExecArray | null;
  if ((m = /^chromosome (\S+)$/i.exec(value)))
    return otherChromosomes(c, [m[1], ...exclude.map((x) => x.replace(/^chromosome /i, ""))]).map((x) => `chromosome ${x}`);
  if (/^(\d{1,2}|X|Y|MT)$/.test(value)) return otherChromosomes(c, [value, ...exclude]);
  if (/^(\d{1,2}|X|Y)[pq]/i.test(value)) return otherBands(c, value, [value, ...exclude]);
  if (/^GO:\d{7}$/.test(value)) return otherTerms(c, value, exclude);
  const ids = c.ix.termsByName.get(value);
  if (ids?.length) {
    const names = new Set(exclude);
    return otherTerms(c, ids[0], [], 6)
      .map((x) => c.kg.term(x)!.name)
      .filter((x) => !names.has(x))
      .slice(0, 2);
  }
  if (c.kg.geneBySymbol(value)) return otherSymbols(c, [value, ...exclude]);
  return [];
}

/** case of the replacement follows the text it replaces */
export const likeCase = (orig: string, repl: string) => (isUpperText(orig) ? repl.toUpperCase() : repl);
