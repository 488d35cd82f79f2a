/**
 * The one lock (src/util/lock.ts) used by the stage cache and the shard stores: what is taken over and what is waited
 * for. The cross-namespace run itself is in reliability.test.ts.
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { lockStage } from "../../src/pipeline/cache.ts";
import { BbioError } from "../../src/util/errors.ts";
import { holderOf, hostIdentity, readLockFile, tryLock } from "../../src/util/lock.ts";
import { tmp } from "../store/helpers.ts";

const future = () => new Date(Date.now() + 3600_000).toISOString();
const past = () => new Date(Date.now() - 1000).toISOString();
const sleepers: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const s of sleepers.splice(0)) s.kill();
  delete process.env.BBIO_LOCK_LEASE_S;
});
const liveOtherPid = () => {
  const s = spawn("sleep", ["60"]);
  sleepers.push(s);
  return s.pid!;
};

describe("lock file: host, namespace, pid, lease", () => {
  it("records host, PID namespace, boot, pid, start and lease; release removes it", () => {
    const p = join(tmp("lock"), "x.lock");
    const h = tryLock(p);
    expect("release" in h).toBe(true);
    const l = readLockFile(p)!;
    expect(l).toMatchObject({ ...hostIdentity(), pid: process.pid });
    expect(Date.parse(l.expires)).toBeGreaterThan(Date.now());
    if ("release" in h) h.release();
    expect(readLockFile(p)).toBeNull();
  });

  it("renews its lease while held", async () => {
    process.env.BBIO_LOCK_LEASE_S = "0.5";
    const p = join(tmp("lock"), "x.lock");
    const h = tryLock(p);
    const first = readLockFile(p)!.expires;
    await new Promise((r) => setTimeout(r, 400));
    expect(Date.parse(readLockFile(p)!.expires)).toBeGreaterThan(Date.parse(first));
    if ("release" in h) h.release();
  });

  it("a live pid in another PID namespace (same hostname) with a fresh lease is held, not taken over", () => {
    const p = join(tmp("lock"), "x.lock");
    // pid 1 is alive here too: exactly the case where a pid check across namespaces would be wrong either way
    writeFileSync(p, JSON.stringify({ ...hostIdentity(), ns: "pid:[42]", pid: 1, started: "then", expires: future() }));
    expect(holderOf(p)?.pid).toBe(1);
    expect("holder" in tryLock(p)).toBe(true);
    // and the same holder with the pid of THIS process is not "our own leftover" either
    writeFileSync(p, JSON.stringify({ ...hostIdentity(), ns: "pid:[42]", pid: process.pid, started: "then", expires: future() }));
    expect("holder" in tryLock(p)).toBe(true);
  });

  it("takes over: an expired lease (even with a live, reused pid), or a dead pid in this host and namespace", () => {
    const p = join(tmp("lock"), "x.lock");
    const logs: string[] = [];
    writeFileSync(p, JSON.stringify({ ...hostIdentity(), pid: liveOtherPid(), started: "then", expires: past() }));
    const a = tryLock(p, (m) => logs.push(m));
    expect("release" in a).toBe(true);
    expect(logs.join("\n")).toMatch(/lease expired/);
    if ("release" in a) a.release();
    writeFileSync(p, JSON.stringify({ ...hostIdentity(), pid: 2 ** 22 + 7, started: "then", expires: future() }));
    const b = tryLock(p, (m) => logs.push(m));
    expect("release" in b).toBe(true);
    expect(logs.join("\n")).toMatch(/pid 4194311 on this host, is gone/);
    if ("release" in b) b.release();
  });

  it("lockStage waits visibly for a live holder and gives up with an error naming the lock", async () => {
    const dir = tmp("lock-stage");
    const held = JSON.stringify({ host: "node-7", ns: "pid:[1]", boot: "b", pid: 1234, started: "then", expires: future() });
    writeFileSync(join(dir, ".bbio-lock"), held);
    const logs: string[] = [];
    const err = await lockStage(dir, (m) => logs.push(m), 700).catch((e) => e);
    expect(err).toBeInstanceOf(BbioError);
    expect(err.message).toMatch(/gave up after \d+ s waiting for .*: its lock .*\.bbio-lock is held by pid 1234 on node-7/);
    expect(err.hint).toMatch(/delete .*\.bbio-lock/);
    expect(logs[0]).toMatch(/is being computed by pid 1234 on node-7, since then; waiting/);
    expect(readFileSync(join(dir, ".bbio-lock"), "utf8")).toBe(held); // never taken over
  });
});
