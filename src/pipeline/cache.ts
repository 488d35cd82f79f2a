/**
 * The content-addressed stage cache: data/cache/<stage>/<input_hash>/.
 *
 * A directory is finished iff it holds DONE, written last and atomically (temp + rename). DONE lists every file with
 * its size and sha256, and every reuse checks them: a cached artefact that lost a file, or whose bytes changed (a
 * flipped disk block, a hand edit, same-size garbage), is never reused. The check names the file, moves the bad
 * directory's contents aside (`<dir>.corrupt-<time>/`, kept for a post-mortem) and the stage is recomputed.
 *
 * Two processes may want the same stage at once (two suites or two cluster shards sharing upstream stages): the lock
 * file `.bbio-lock` (src/util/lock.ts: host, PID namespace, pid, start and a renewed lease) serialises them across
 * hosts; it is taken over only when its lease expired or its holder is provably dead on this host.
 */
import { createHash } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, renameSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { waitLock } from "../util/lock.ts";
import { writeFileAtomic } from "../util/fsx.ts";

export const DONE = "DONE";
export const LOCK = ".bbio-lock";
export const SPOOL = "rows.jsonl";

export function defaultCacheDir(): string {
  return process.env.BBIO_CACHE || "data/cache";
}

export function stageDir(cacheDir: string, stage: string, inputHash: string): string {
  return join(cacheDir, stage, inputHash);
}

interface DoneMarker {
  stage: string;
  input_hash: string;
  seconds: number;
  finished_at: string;
  /** relative path → {size, sha256}; a bare number (size only) in caches written before checksums */
  files: Record<string, number | { size: number; sha256: string }>;
}

function listFiles(dir: string, root = dir): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p, root));
    else if (e.isFile() && e.name !== DONE && !e.name.startsWith(LOCK) && !e.name.endsWith(".tmp")) out.push(relative(root, p));
  }
  return out.sort();
}

/** sha256 of a file, read in 1 MiB chunks (checkpoints can be larger than we want in memory twice). */
export function sha256File(path: string): string {
  const h = createHash("sha256");
  const buf = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(path, "r");
  try {
    for (let n: number; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest("hex");
}

export function markDone(dir: string, stage: string, inputHash: string, seconds: number): void {
  const files: DoneMarker["files"] = {};
  for (const f of listFiles(dir)) files[f] = { size: statSync(join(dir, f)).size, sha256: sha256File(join(dir, f)) };
  const marker: DoneMarker = { stage, input_hash: inputHash, seconds, finished_at: new Date().toISOString(), files };
  writeFileAtomic(join(dir, DONE), JSON.stringify(marker, null, 1) + "\n");
}

export type CacheState = { state: "absent" } | { state: "done" } | { state: "corrupt"; file: string; problem: string };

/** Is the stage directory finished, and is every file in it what DONE recorded (size and sha256)? */
export function checkDone(dir: string): CacheState {
  const p = join(dir, DONE);
  if (!existsSync(p)) return { state: "absent" };
  let marker: DoneMarker;
  try {
    marker = JSON.parse(readFileSync(p, "utf8"));
    if (typeof marker?.files !== "object" || marker.files === null) throw new Error("no file list");
  } catch {
    return { state: "corrupt", file: p, problem: "the DONE marker is not readable JSON" };
  }
  for (const [f, rec] of Object.entries(marker.files)) {
    const fp = join(dir, f);
    const want = typeof rec === "number" ? { size: rec, sha256: "" } : rec;
    if (!existsSync(fp)) return { state: "corrupt", file: fp, problem: "is missing" };
    const size = statSync(fp).size;
    if (size !== want.size) return { state: "corrupt", file: fp, problem: `is ${size} bytes, ${want.size} were cached` };
    if (want.sha256 && sha256File(fp) !== want.sha256)
      return { state: "corrupt", file: fp, problem: "does not match the sha256 recorded when it was cached (its bytes changed)" };
  }
  return { state: "done" };
}

/** true if the stage directory is finished and intact (a corrupt one reads as not done: it is recomputed). */
export function isDone(dir: string): boolean {
  return checkDone(dir).state === "done";
}

/**
 * Under the stage's lock: reuse an intact artefact (true), or, if it is corrupt, say which file, move the directory's
 * contents aside and return false so the stage is computed afresh (never resumed from a checkpoint that failed its
 * check).
 */
export function verifyOrQuarantine(dir: string, stage: string, log: (m: string) => void): boolean {
  const c = checkDone(dir);
  if (c.state === "done") return true;
  if (c.state === "absent") return false;
  const aside = `${dir}.corrupt-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  mkdirSync(aside, { recursive: true });
  for (const e of readdirSync(dir)) if (!e.includes(LOCK)) renameSync(join(dir, e), join(aside, e));
  log(`warning: cached artefact ${c.file} ${c.problem}; recomputing the ${stage} stage (the bad files are kept in ${aside})`);
  return false;
}

/** The directory holds something from an earlier, interrupted attempt (a checkpoint, a spool). */
export function hasPartial(dir: string): boolean {
  return existsSync(dir) && listFiles(dir).length > 0;
}

/** Take the stage directory's lock (waiting, visibly, while a live process holds it). Returns the release function. */
export async function lockStage(dir: string, log: (m: string) => void, timeoutMs?: number): Promise<() => void> {
  mkdirSync(dir, { recursive: true });
  const held = await waitLock(join(dir, LOCK), dir, log, timeoutMs);
  return () => held.release();
}
