/**
 * The writer lock of a shard store: `<store>.lock`, created with O_EXCL while `bbio sweep` writes the store, holding
 * {host, pid, started}. DuckDB itself is never held open between batches (src/store/db.ts), so this file is what says
 * "still being written": `bbio merge` refuses such a store, and `bbio sweep status` tells running from crashed by it.
 *
 * A lock from this host whose pid is dead is stale (a kill -9) and is taken over / ignored. A lock from another host
 * cannot be checked from here and counts as held; if that process is known to be gone, delete the file.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { hostname } from "node:os";
import { BbioError } from "../util/errors.ts";
import { pidAlive } from "../store/store.ts";

export interface LockInfo {
  host: string;
  pid: number;
  started: string;
}

export const lockPath = (store: string) => `${store}.lock`;

export function readLock(store: string): LockInfo | null {
  const p = lockPath(store);
  if (!existsSync(p)) return null;
  try {
    const x = JSON.parse(readFileSync(p, "utf8"));
    return { host: String(x.host ?? ""), pid: Number(x.pid) || 0, started: String(x.started ?? "") };
  } catch {
    return { host: "", pid: 0, started: "" }; // torn write: treated as held by an unknown process
  }
}

/** The live holder of a store's lock, or null when it is free (no file, or a dead pid on this host). */
export function lockHolder(store: string): LockInfo | null {
  const l = readLock(store);
  if (!l) return null;
  if (l.host === hostname() && l.pid && !pidAlive(l.pid)) return null;
  if (l.host === hostname() && l.pid === process.pid) return null;
  return l;
}

export function describeHolder(l: LockInfo): string {
  return `pid ${l.pid || "?"} on ${l.host || "an unknown host"}${l.started ? `, since ${l.started}` : ""}`;
}

/** Take the lock (taking over a stale one). Throws a clear error if a live writer holds it. Returns the release. */
export function acquireLock(store: string): () => void {
  const p = lockPath(store);
  mkdirSync(dirname(p), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(p, "wx");
      writeSync(fd, JSON.stringify({ host: hostname(), pid: process.pid, started: new Date().toISOString() }));
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const l = readLock(store);
        if (l && l.pid === process.pid && l.host === hostname()) rmSync(p, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const holder = lockHolder(store);
    if (holder)
      throw new BbioError(
        `store ${store} is being written by another bbio sweep (${describeHolder(holder)})`,
        2,
        `if that process is gone, delete ${p}`,
      );
    rmSync(p, { force: true }); // stale
  }
  throw new BbioError(`could not take the lock ${p}`);
}
