/**
 * Item and answer files (JSONL), shared by `bbio generate / validate / score`, SFT and evaluation.
 *
 *   readItems(path)          → Item[]  every line JSON + the item schema below; duplicate ids refused. Any problem is
 *                                       one BbioError (exit 2) naming the file and the line number of each bad line.
 *   parseItems(text)         → {rows, problems}  the same, collecting every problem instead of throwing (the
 *                                       validator reports schema failures as invalid items rather than bad input)
 *   itemsToJsonl(items)      → string  one JSON object per line, "\n"-terminated; key order as constructed, so the
 *                                       generator's output is byte-identical for the same KG + config + seed
 *   readAnswers(path)        → {id, answer, line}[]  lines {"id": "...", "answer": "..."} (other keys ignored)
 *
 * The schema is structural (types and required fields). Whether an item is TRUE — known kind, known check names,
 * facts that hold in the KG — is validate.ts's job.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { z } from "zod";
import { BbioError } from "../util/errors.ts";
import { jsonLines, toJsonl } from "../util/fsx.ts";
import { CAPABILITIES, type Capability, type Item } from "./types.ts";

const COMPONENTS = ["knowledge", "reasoning", "format", "workflow"] as const;

export const checkSpecSchema = z.object({
  name: z.string().min(1),
  component: z.enum(COMPONENTS),
  args: z.record(z.string(), z.unknown()),
});

/** An MKGSG item (types.ts), structurally. Extra keys are allowed (and kept) so newer files stay readable. */
export const itemSchema = z.looseObject({
  id: z.string().min(1),
  family: z.enum(CAPABILITIES as unknown as [Capability, ...Capability[]]),
  kind: z.string().min(1),
  split: z.enum(["train", "eval", "dev", "control"]),
  prompt: z.string(),
  gold: z.string(),
  checks: z.array(checkSpecSchema),
  provenance: z.object({
    genes: z.array(z.number().int()),
    terms: z.array(z.string()),
    evidence: z.array(z.string()),
  }),
  seed: z.number().int().nonnegative(),
  options: z.array(z.string()).optional(),
});

export const answerSchema = z.looseObject({
  id: z.string().min(1),
  answer: z.string(),
});

export type ProblemKind = "malformed_json" | "malformed_item" | "duplicate_id";
export interface LineProblem {
  /** 1-based line number in the file */
  line: number;
  kind: ProblemKind;
  /** the item/answer id when the line had one */
  id?: string;
  message: string;
}
export interface ParsedItems {
  /** the items that passed, with their line numbers (file order) */
  rows: { line: number; item: Item }[];
  problems: LineProblem[];
}

/** how many line problems a thrown error lists before "… and N more" */
const MAX_LISTED = 10;

const zodMessage = (e: z.ZodError) =>
  e.issues
    .slice(0, 4)
    .map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ") + (e.issues.length > 4 ? `; … ${e.issues.length - 4} more` : "");

/** JSON lines of a text: [line number, value] for every non-blank line; a line that is not JSON becomes a problem */
function parsedLines(text: string, out: LineProblem[]): [number, unknown][] {
  const rows: [number, unknown][] = [];
  for (const l of jsonLines(text))
    if (l.error !== undefined) out.push({ line: l.line, kind: "malformed_json", message: l.error });
    else rows.push([l.line, l.value]);
  return rows;
}

const idOf = (v: unknown): string | undefined =>
  v && typeof v === "object" && typeof (v as { id?: unknown }).id === "string" ? (v as { id: string }).id : undefined;

/** Parse items JSONL, collecting every problem (malformed JSON, schema failure, duplicate id) with its line number. */
export function parseItems(text: string): ParsedItems {
  const problems: LineProblem[] = [];
  const rows: ParsedItems["rows"] = [];
  const firstLine = new Map<string, number>();
  for (const [line, value] of parsedLines(text, problems)) {
    const r = itemSchema.safeParse(value);
    const id = idOf(value);
    if (!r.success) {
      problems.push({ line, kind: "malformed_item", id, message: `not an MKGSG item: ${zodMessage(r.error)}` });
      continue;
    }
    const item = value as Item; // the original object: key order (and any extra keys) preserved for round trips
    const prev = firstLine.get(item.id);
    if (prev !== undefined) {
      problems.push({ line, kind: "duplicate_id", id: item.id, message: `duplicate item id ${item.id} (first at line ${prev})` });
      continue;
    }
    firstLine.set(item.id, line);
    rows.push({ line, item });
  }
  problems.sort((a, b) => a.line - b.line);
  return { rows, problems };
}

/** One BbioError (exit 2) listing line problems as `file:line: message`. */
export function problemsError(source: string, problems: readonly LineProblem[], what = "line"): BbioError {
  const listed = problems.slice(0, MAX_LISTED).map((p) => `${source}:${p.line}: ${p.message}`);
  const more = problems.length > MAX_LISTED ? [`… and ${problems.length - MAX_LISTED} more bad ${what}s`] : [];
  return new BbioError([...listed, ...more].join("\n"));
}

/** Largest input file read whole (bytes): V8 cannot hold a string past ~512 MiB, so larger files fail deep inside. */
export const MAX_INPUT_BYTES = 512 * 1024 * 1024;

/** The text of an input file, or a clear error (missing file, a directory, too large) — exit 2, unreadable input. */
export function readInput(path: string): string {
  if (!existsSync(path)) throw new BbioError(`${path}: file not found`);
  const st = statSync(path);
  if (st.isDirectory()) throw new BbioError(`${path}: is a directory, expected a JSONL file`);
  if (st.size > MAX_INPUT_BYTES)
    throw new BbioError(
      `${path}: ${(st.size / 2 ** 20).toFixed(0)} MiB is over the ${MAX_INPUT_BYTES / 2 ** 20} MiB input limit`,
      2,
      "split the file into parts under 512 MiB and run the command on each",
    );
  return readFileSync(path, "utf8");
}

/** Read an items file (e.g. from `bbio generate --out`); any bad line, a duplicate id or no items at all is an error. */
export function readItems(path: string): Item[] {
  const { rows, problems } = parseItems(readInput(path));
  if (problems.length) throw problemsError(path, problems);
  if (rows.length === 0) throw new BbioError(`${path}: no items`);
  return rows.map((r) => r.item);
}

/** Items as JSONL: one object per line, each line "\n"-terminated (empty list → empty string). */
export function itemsToJsonl(items: readonly Item[]): string {
  return toJsonl(items);
}

export interface AnswerRow {
  id: string;
  answer: string;
  line: number;
}

/** Read an answers file: lines {"id", "answer"}; malformed lines and duplicate ids are one error with line numbers. */
export function readAnswers(path: string): AnswerRow[] {
  const problems: LineProblem[] = [];
  const out: AnswerRow[] = [];
  const firstLine = new Map<string, number>();
  for (const [line, value] of parsedLines(readInput(path), problems)) {
    const r = answerSchema.safeParse(value);
    if (!r.success) {
      problems.push({
        line,
        kind: "malformed_item",
        id: idOf(value),
        message: `not an answer line {"id": "...", "answer": "..."}: ${zodMessage(r.error)}`,
      });
      continue;
    }
    const prev = firstLine.get(r.data.id);
    if (prev !== undefined) {
      problems.push({ line, kind: "duplicate_id", id: r.data.id, message: `second answer for ${r.data.id} (first at line ${prev})` });
      continue;
    }
    firstLine.set(r.data.id, line);
    out.push({ id: r.data.id, answer: r.data.answer, line });
  }
  if (problems.length)
    throw problemsError(
      path,
      problems.sort((a, b) => a.line - b.line),
    );
  return out;
}
