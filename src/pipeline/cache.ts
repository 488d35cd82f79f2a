/**
 * The content-addressed stage cache: data/cache/<stage>/<input_hash>/.
 *
 * A directory is finished iff it holds DONE, written last and atomically (temp + rename). DONE lists every file with
 * its size, so a cached artefact that lost a file (someone cleaned a checkpoint) is an error naming the directory,
 * never a silent half-artefact.
 *
 * Two processes may want the same stage at once (two suites sharing upstream stages): a lock file `.bbio-lock`
 * created with O_EXCL and holding the pid serialises them; a lock whose pid is dead is stale and taken over.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeSync } from "node:fs";
import { join, relative } from "node:path";
import { BbioError } from "../util/errors.ts";
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
  files: Record<string, number>; // relative path → size in bytes
}

function listFiles(dir: string, root = dir): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p, root));
    else if (e.isFile() && e.name !== DONE && e.name !== LOCK && !e.name.endsWith(".tmp")) out.push(relative(root, p));
  }
  return out.sort();
}

export function markDone(dir: string, stage: string, inputHash: string, seconds: number): void {
  const files: Record<string, number> = {};
  for (const f of listFiles(dir)) files[f] = statSync(join(dir, f)).size;
  const marker: DoneMarker = { stage, input_hash: inputHash, seconds, finished_at: new Date().toISOString(), files };
  writeFileAtomic(join(dir, DONE), JSON.stringify(marker, null, 1) + "\n");
}

/** true if the stage directory is finished and intact; throws a clear error if DONE is there but files are not. */
export function isDone(dir: string): boolean {
  const p = join(dir, DONE);
  if (!existsSync(p)) return false;
  let marker: DoneMarker;
  try {
    marker = JSON.parse(readFileSync(p, "utf8"));
  } catch {
    throw new BbioError(`cached artefact ${dir} has a corrupt DONE marker`, 2, `delete ${dir} to recompute that stage`);
  }
  for (const [f, size] of Object.entries(marker.files ?? {})) {
    const fp = join(dir, f);
    if (!existsSync(fp) || statSync(fp).size !== size)
      throw new BbioError(
        `cached artefact ${dir} is incomplete: ${f} is ${existsSync(fp) ? "changed" : "missing"}`,
        2,
        `delete ${dir} to recompute that stage`,
      );
  }
  return true;
}

/** The directory holds something from an earlier, interrupted attempt (a checkpoint, a spool). */
export function hasPartial(dir: string): boolean {
  return existsSync(dir) && listFiles(dir).length > 0;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Take the stage directory's lock (waiting while a live process holds it). Returns the release function. */
export async function lockStage(dir: string, log: (m: string) => void, timeoutMs = 6 * 3600_000): Promise<() => void> {
  mkdirSync(dir, { recursive: true });
  const p = join(dir, LOCK);
  const t0 = Date.now();
  let told = false;
  for (;;) {
    try {
      const fd = openSync(p, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(p, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const holder = Number(readFileSync(p, "utf8").trim());
    if (!holder || holder === process.pid || !pidAlive(holder)) {
      rmSync(p, { force: true }); // stale: its process died (or it is our own leftover)
      continue;
    }
    if (!told) {
      log(`${dir} is being computed by pid ${holder}; waiting…`);
      told = true;
    }
    if (Date.now() - t0 > timeoutMs) throw new BbioError(`gave up waiting for pid ${holder} to finish ${dir}`);
    await sleep(500);
  }
}
