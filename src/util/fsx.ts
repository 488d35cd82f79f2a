import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { dirname, basename, join, resolve } from "node:path";
import { BbioError } from "./errors.ts";

/**
 * Write a file atomically: write to a temp file in the same directory, fsync, rename.
 * A crash leaves either the old file or the new one, never half of one.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, typeof data === "string" ? Buffer.from(data) : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Write a whole directory atomically: `fill` writes into a fresh temp sibling, which then replaces `dir` by rename
 * (old → .old, temp → dir, drop .old). A crash leaves the old directory or the new one, never a mix (checkpoints).
 */
export async function writeDirAtomic(dir: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = join(dirname(dir), `.${basename(dir)}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    await fill(tmp);
    const old = join(dirname(dir), `.${basename(dir)}.old-${process.pid}`);
    if (existsSync(dir)) renameSync(dir, old);
    renameSync(tmp, dir);
    rmSync(old, { recursive: true, force: true });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** Parse JSONL; a malformed line is a BbioError naming file and line number. */
export function readJsonl<T = unknown>(path: string): T[] {
  if (!existsSync(path)) throw new BbioError(`${path}: file not found`);
  const text = readFileSync(path, "utf8");
  return parseJsonl<T>(text, path);
}

/** A JSONL line: its 1-based number and its value, or why it is not JSON. */
export type JsonLine = { line: number; value: unknown; error?: undefined } | { line: number; error: string };

/** The one JSONL line parser: every non-blank line of a text, parsed (a bad line is reported, not thrown). */
export function jsonLines(text: string): JsonLine[] {
  const out: JsonLine[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    try {
      out.push({ line: i + 1, value: JSON.parse(line) });
    } catch (e) {
      out.push({ line: i + 1, error: `malformed JSON (${(e as Error).message})` });
    }
  }
  return out;
}

/** JSONL → rows; the first malformed line is one error naming it. */
export function parseJsonl<T = unknown>(text: string, source = "<input>"): T[] {
  return jsonLines(text).map((l) => {
    if (l.error !== undefined) throw new BbioError(`${source}:${l.line}: ${l.error.replace("malformed JSON", "malformed JSON line")}`);
    return l.value as T;
  });
}

export function toJsonl(rows: readonly unknown[]): string {
  return rows.map((r) => JSON.stringify(r)).join("\n") + (rows.length ? "\n" : "");
}

/**
 * The path a file is (or would be) at once symlinks are followed: realpath of the file, or of its nearest existing
 * parent plus the rest for a file not created yet. Two paths naming one file compare equal this way.
 */
export function realPathOf(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    const parent = dirname(abs);
    return parent === abs ? abs : join(realPathOf(parent), basename(abs));
  }
}

/** Do two paths name the same file (after symlinks; also a hard link: same device and inode)? */
export function sameFile(a: string, b: string): boolean {
  if (realPathOf(a) === realPathOf(b)) return true;
  try {
    const sa = statSync(a),
      sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}
