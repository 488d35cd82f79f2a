/**
 * Text parsing shared by the scorer's checks. Deliberately small and explicit: each parser says what it accepts,
 * so a check's pass/fail is easy to explain in its `detail`.
 */

export const GO_ID_G = /GO:\d{7}/g;

export function words(s: string): string[] {
  return s.split(/\s+/).filter(Boolean);
}

/** sentences: split after . ! ? followed by whitespace or end; GO ids and decimals ("11p15.4") do not split */
export function sentences(s: string): string[] {
  return s
    .trim()
    .split(/(?<=[.!?])\s+/)
    .map((x) => x.trim())
    .filter(Boolean);
}

export function lines(s: string): string[] {
  return s
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

export function goIds(s: string): string[] {
  return s.match(GO_ID_G) ?? [];
}

/** The text after a "Label:" line prefix (case-insensitive), or null. */
export function field(s: string, label: string): string | null {
  const re = new RegExp(`^\\s*${label}\\s*:\\s*(.*)$`, "im");
  const m = re.exec(s);
  return m ? m[1].trim() : null;
}

/**
 * The answer's conclusion: the "Answer:" field when there is one, else the whole text.
 * (Workflow-formatted golds put the conclusion on an "Answer:" line after the evidence.)
 */
export function conclusion(s: string): string {
  return field(s, "answer") ?? s.trim();
}

/** MCQ letter: "B", "B)", "(B)", "B. text", "Answer: B" — the first thing said. */
export function parseLetter(s: string): string | null {
  const m = /^\s*(?:answer\s*[:-]?\s*)?\(?([A-Da-d])\)?(?=$|[\s).:,])/i.exec(conclusion(s));
  return m ? m[1].toUpperCase() : null;
}

/** yes/no as the first word of the conclusion */
export function parseYesNo(s: string): "yes" | "no" | null {
  const m = /^\s*(yes|no)\b/i.exec(conclusion(s));
  return m ? (m[1].toLowerCase() as "yes" | "no") : null;
}

/** a comma-separated list (a trailing "DONE"-like word is removed by the caller) */
export function commaList(s: string): string[] {
  return s
    .split(",")
    .map((x) => x.trim().replace(/[.;]+$/, ""))
    .filter(Boolean);
}

/**
 * IFEval's word count (instructions_util.count_words: nltk's RegexpTokenizer(r"\w+")): runs of letters, digits and
 * underscores, so "16q21.3" is 2 words and "GO:0006821" 2.
 */
export function countWords(s: string): number {
  return (s.match(/[\p{L}\p{N}\p{M}_]+/gu) ?? []).length;
}

/** IFEval's JsonFormat: strip, then one leading ```json / ```Json / ```JSON / ``` fence and one trailing ``` */
export function stripJsonFence(s: string): string {
  let t = s.trim();
  for (const p of ["```json", "```Json", "```JSON"]) if (t.startsWith(p)) t = t.slice(p.length);
  if (t.startsWith("```")) t = t.slice(3);
  if (t.endsWith("```")) t = t.slice(0, -3);
  return t.trim();
}

const JSON_START = /^[{["\-0-9tfn]/;

/**
 * Parse the answer as one JSON value that is the whole text — no prose around it — after IFEval's fence stripping
 * (an answer fenced in ```json … ``` is JSON, as IFEval's JsonFormat decides).
 */
export function parseJsonStrict(s: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const t = stripJsonFence(s);
  // A JSON text can only start with one of these; most answers are prose, and letting JSON.parse throw on each of
  // them was the generator's hottest spot (an exception per check). Same outcome, no exception.
  if (!JSON_START.test(t)) return { ok: false, error: `not JSON (starts with ${JSON.stringify(t.slice(0, 1))})` };
  try {
    return { ok: true, value: JSON.parse(t) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/** A markdown table: header cells, data rows (cells trimmed); null if the text is not one table. */
export function parseMarkdownTable(s: string): { header: string[]; rows: string[][] } | null {
  const ls = lines(s);
  if (ls.length < 2 || !ls.every((l) => l.startsWith("|") && l.endsWith("|"))) return null;
  const cells = (l: string) =>
    l
      .slice(1, -1)
      .split("|")
      .map((c) => c.trim());
  const header = cells(ls[0]);
  const sep = cells(ls[1]);
  if (sep.length !== header.length || !sep.every((c) => /^:?-{3,}:?$/.test(c))) return null;
  const rows = ls.slice(2).map(cells);
  if (rows.some((r) => r.length !== header.length)) return null;
  return { header, rows };
}

/**
 * IFEval "loose" variants of a response: the response, with markdown emphasis/backticks stripped, and each of those
 * with the first line, the last line, or both removed. A loose check passes if it passes on any variant
 * (Zhou et al. 2023, IFEval, arXiv 2311.07911, §3 "loose accuracy").
 */
export function looseVariants(s: string): string[] {
  const stripped = s.replace(/[*`]/g, "");
  const out: string[] = [];
  for (const base of [s, stripped]) {
    const ls = base.split(/\r?\n/);
    out.push(base, ls.slice(1).join("\n"), ls.slice(0, -1).join("\n"), ls.slice(1, -1).join("\n"));
  }
  return [...new Set(out)].filter((v) => v.trim() !== "");
}

/** case-/space-insensitive containment at word boundaries ("chromosome 1" is not inside "chromosome 11") */
export function containsCi(hay: string, needle: string): boolean {
  const norm = (x: string) => x.toLowerCase().replace(/\s+/g, " ").trim();
  const h = norm(hay);
  const n = norm(needle);
  if (!n) return false;
  const isWord = (ch: string | undefined) => !!ch && /[a-z0-9]/.test(ch);
  for (let i = h.indexOf(n); i >= 0; i = h.indexOf(n, i + 1)) {
    if (!(isWord(n[0]) && isWord(h[i - 1])) && !(isWord(n[n.length - 1]) && isWord(h[i + n.length]))) return true;
  }
  return false;
}
