/**
 * The one lock file implementation of bbio: the stage-cache lock (`<stage dir>/.bbio-lock`, src/pipeline/cache.ts) and
 * the shard store's writer lock (`<store>.lock`, src/sweep/lock.ts) are both this.
 *
 * A lock file is JSON {host, ns, boot, pid, started, expires}, created whole (written to a temp file, then hard-linked
 * into place, which fails if the lock exists: no reader ever sees half a lock). The holder renews `expires` every
 * lease/5 while it works (an unref'd timer), so a holder that died anywhere — another node, another pod, a kill -9 —
 * stops renewing and its lock goes stale after one lease.
 *
 * The rule (documented for Slurm/K8s in deploy/README.md): a lock is taken over only when
 *   - its lease has expired (the holder stopped renewing, wherever it ran), or
 *   - its holder is provably dead on THIS host: same hostname, same boot and same PID namespace, and its pid is gone.
 * Hostname alone proves nothing: two containers (or `unshare --pid`) on one machine share a hostname, but pid 1234
 * in one namespace says nothing about pid 1234 in another. A lock from elsewhere is waited for until its lease ends.
 */
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { BbioError } from "./errors.ts";

export interface LockInfo {
  host: string;
  /** PID namespace of the holder (/proc/self/ns/pid, e.g. "pid:[4026531836]"); "" where unknown */
  ns: string;
  /** boot id of the holder's kernel (/proc/sys/kernel/random/boot_id): a pid from before a reboot is meaningless */
  boot: string;
  pid: number;
  started: string;
  /** ISO time after which the lock is stale unless renewed; "" for a lock from an older bbio (mtime + lease then) */
  expires: string;
}

/** Is a process alive? (signal 0 probes without signalling; EPERM means alive but not ours) */
export function pidAlive(pid: number | null | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readOr(path: string, read: (p: string) => string): string {
  try {
    return read(path).trim();
  } catch {
    return "";
  }
}

let identity: { host: string; ns: string; boot: string } | null = null;
/** Who "this host" is for a pid check: hostname, boot id and PID namespace (read once per process). */
export function hostIdentity(): { host: string; ns: string; boot: string } {
  identity ??= {
    host: hostname(),
    ns: readOr("/proc/self/ns/pid", readlinkSync),
    boot: readOr("/proc/sys/kernel/random/boot_id", (p) => readFileSync(p, "utf8")),
  };
  return identity;
}

/** Lease length: BBIO_LOCK_LEASE_S (default 300 s). Long enough that a busy event loop does not miss a renewal. */
export function leaseMs(): number {
  const s = Number(process.env.BBIO_LOCK_LEASE_S);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 300_000;
}

/** How long to wait for a live holder: BBIO_LOCK_TIMEOUT_S (default 6 h: a stage of a big config takes hours). */
export function waitTimeoutMs(): number {
  const s = Number(process.env.BBIO_LOCK_TIMEOUT_S);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 6 * 3600_000;
}

export function readLockFile(path: string): LockInfo | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
  let x: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(text);
    // a bare number is the stage lock of an older bbio (pid only)
    x = typeof parsed === "number" ? { pid: parsed } : (parsed ?? {});
  } catch {
    // unreadable: held by an unknown process until its lease (from the file's mtime) runs out
  }
  return {
    host: String(x.host ?? ""),
    ns: String(x.ns ?? ""),
    boot: String(x.boot ?? ""),
    pid: Number(x.pid) || 0,
    started: String(x.started ?? ""),
    expires: String(x.expires ?? ""),
  };
}

/** When the lock's lease ends (ms since epoch): its `expires`, or for a lock without one its mtime + one lease. */
function expiry(path: string, l: LockInfo): number {
  const t = Date.parse(l.expires);
  if (Number.isFinite(t)) return t;
  try {
    return statSync(path).mtimeMs + leaseMs();
  } catch {
    return 0;
  }
}

const sameHost = (l: LockInfo) => {
  const me = hostIdentity();
  return l.host === me.host && l.ns === me.ns && l.boot === me.boot;
};

export const isOurs = (l: LockInfo) => sameHost(l) && l.pid === process.pid;

/** Why the lock at `path` may be taken over, or null while it is held. */
export function staleReason(path: string, l: LockInfo): string | null {
  if (isOurs(l)) return "it is this process's own leftover";
  if (sameHost(l) && l.pid && !pidAlive(l.pid)) return `its holder, pid ${l.pid} on this host, is gone`;
  const end = expiry(path, l);
  if (Date.now() > end) return `its lease expired at ${new Date(end).toISOString()} (the holder stopped renewing it)`;
  return null;
}

export function describeHolder(l: LockInfo): string {
  return `pid ${l.pid || "?"} on ${l.host || "an unknown host"}${l.started ? `, since ${l.started}` : ""}`;
}

/** The live holder of the lock at `path`, or null when it is free or stale. */
export function holderOf(path: string): LockInfo | null {
  const l = readLockFile(path);
  if (!l || staleReason(path, l) !== null) return null;
  return l;
}

function body(started: string): string {
  const me = hostIdentity();
  const info: LockInfo = { ...me, pid: process.pid, started, expires: new Date(Date.now() + leaseMs()).toISOString() };
  return JSON.stringify(info);
}

/** Create the lock whole, failing with EEXIST if it exists: temp file + link (atomic, also on NFS). */
function createWhole(path: string, text: string): boolean {
  const tmp = join(dirname(path), `.${basename(path)}.${hostIdentity().host}.${process.pid}.tmp`);
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Remove a stale lock — only the one judged stale: it is renamed aside first and checked, so two processes taking over
 * the same stale lock at once cannot remove the fresh lock one of them just made.
 */
function removeStale(path: string, judged: LockInfo): void {
  const grave = `${path}.stale-${hostIdentity().host}-${process.pid}`;
  try {
    renameSync(path, grave);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
    throw e;
  }
  const got = readLockFile(grave);
  if (got && JSON.stringify(got) !== JSON.stringify(judged)) {
    // someone replaced it in between: put theirs back (fails harmlessly if a third made a new one meanwhile)
    try {
      linkSync(grave, path);
    } catch {}
  }
  rmSync(grave, { force: true });
}

export interface Held {
  release(): void;
}

/**
 * Try once to take the lock; returns the handle, or the live holder. A stale lock is taken over (logged).
 * While held, an unref'd timer renews the lease.
 */
export function tryLock(path: string, log?: (m: string) => void): Held | { holder: LockInfo } {
  mkdirSync(dirname(path), { recursive: true });
  const started = new Date().toISOString();
  for (let attempt = 0; attempt < 5; attempt++) {
    if (createWhole(path, body(started))) return renewing(path, started, log);
    const l = readLockFile(path);
    if (!l) continue; // released in between
    const why = staleReason(path, l);
    if (why === null) return { holder: l };
    if (!isOurs(l)) log?.(`taking over the lock ${path} (${describeHolder(l)}): ${why}`);
    removeStale(path, l);
  }
  throw new BbioError(`could not take the lock ${path}: it keeps changing hands`, 2, "retry; if it persists, delete the file");
}

function renewing(path: string, started: string, log?: (m: string) => void): Held {
  let released = false;
  const mine = () => {
    const l = readLockFile(path);
    return l !== null && isOurs(l) && l.started === started;
  };
  const timer = setInterval(
    () => {
      if (released) return;
      try {
        if (!mine()) {
          // we were too slow to renew (a stalled host) and another process took over: say so, stop renewing
          clearInterval(timer);
          (log ?? ((m: string) => process.stderr.write(`${m}\n`)))(
            `warning: lost the lock ${path} to another process (lease not renewed in time); results may be duplicated`,
          );
          return;
        }
        const tmp = join(dirname(path), `.${basename(path)}.${hostIdentity().host}.${process.pid}.renew.tmp`);
        const fd = openSync(tmp, "w");
        try {
          writeSync(fd, body(started));
        } finally {
          closeSync(fd);
        }
        renameSync(tmp, path); // atomic replace: readers see the old lease or the new one
      } catch {
        // a failed renewal (a full disk, a flaky share) is retried at the next tick
      }
    },
    Math.max(50, Math.floor(leaseMs() / 5)),
  );
  timer.unref();
  return {
    release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      if (mine()) rmSync(path, { force: true });
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Take the lock, waiting while a live holder has it: says who holds it when the wait starts (and every 10 minutes),
 * and gives up after `timeoutMs` with an error naming the holder and the file.
 */
export async function waitLock(
  path: string,
  what: string,
  log: (m: string) => void,
  timeoutMs = waitTimeoutMs(),
  pollMs = 500,
): Promise<Held> {
  const t0 = Date.now();
  let toldAt = 0;
  let toldHolder = "";
  for (;;) {
    const r = tryLock(path, log);
    if ("release" in r) return r;
    const desc = describeHolder(r.holder);
    const waited = Date.now() - t0;
    if (waited > timeoutMs)
      throw new BbioError(
        `gave up after ${Math.round(waited / 1000)} s waiting for ${what}: its lock ${path} is held by ${desc} (lease renewed until ${r.holder.expires || "?"})`,
        2,
        `if that process is gone, delete ${path}; to wait longer set BBIO_LOCK_TIMEOUT_S (now ${Math.round(timeoutMs / 1000)} s)`,
      );
    if (desc !== toldHolder || Date.now() - toldAt > 600_000) {
      log(
        `${what} is being computed by ${desc}; waiting (up to ${Math.round(timeoutMs / 1000)} s, BBIO_LOCK_TIMEOUT_S) — the lock ${path} is taken over once its lease expires`,
      );
      toldHolder = desc;
      toldAt = Date.now();
    }
    await sleep(pollMs);
  }
}
