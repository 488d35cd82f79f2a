/**
 * The writer lock of a shard store: `<store>.lock`, held while `bbio sweep` writes the store. DuckDB itself is never
 * held open between batches (src/store/db.ts), so this file is what says "still being written": `bbio merge` refuses
 * such a store, and `bbio sweep status` tells running from crashed by it.
 *
 * It is the same lock as the stage cache's (src/util/lock.ts: host, PID namespace, boot, pid, start, a renewed lease):
 * a lock is stale when its lease expired or its holder is provably dead on this host; anything else counts as held.
 */
import { BbioError } from "../util/errors.ts";
import { describeHolder, holderOf, type LockInfo, readLockFile, tryLock } from "../util/lock.ts";

export { describeHolder, type LockInfo };

export const lockPath = (store: string) => `${store}.lock`;

export function readLock(store: string): LockInfo | null {
  return readLockFile(lockPath(store));
}

/** The live holder of a store's lock, or null when it is free (no file, our own, or stale). */
export function lockHolder(store: string): LockInfo | null {
  return holderOf(lockPath(store));
}

/** Take the lock (taking over a stale one). Throws a clear error if a live writer holds it. Returns the release. */
export function acquireLock(store: string): () => void {
  const p = lockPath(store);
  const r = tryLock(p, (m) => process.stderr.write(`${m}\n`));
  if ("holder" in r)
    throw new BbioError(
      `store ${store} is being written by another bbio sweep (${describeHolder(r.holder)})`,
      2,
      `if that process is gone, delete ${p} (or wait: it is stale once its lease, renewed until ${r.holder.expires || "?"}, expires)`,
    );
  return () => r.release();
}
