/**
 * The tiny site the browser tests read, made from nothing but the checkout (a fresh clone has no store and no cache):
 *   1. the conflict control's SFT stage, `bbio train-sft conflict` (configs/conflict.json, one thread as
 *      `npm run build` runs it), into a test cache: the checkpoint the Live page trains from;
 *   2. the SYNTHETIC fixture store (fixture-store.ts, with the conflict control's stored runs the page draws beside a
 *      live run);
 *   3. the real site (scripts/build.sh) over both, under a sub-path as a static host serves it.
 * test/browser/site.test.ts (every page) and live-page.test.ts (the Live page trained in Chromium) read the same
 * dist/, so the SFT stage and the site build are paid once per `vitest run`: the first file to ask builds it, under a
 * lock, and stamps it with the run's id (BBIO_TEST_RUN, set in vitest.config.ts); a later file of the same run
 * reuses it, a later run rebuilds it (the pages or the code may have changed since).
 *
 *   const { dist, base, seconds } = await tinySite();
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildSite, ROOT } from "./build-site.ts";
import { makeFixtureStore } from "./fixture-store.ts";

/** served from a sub-path, as on a static host */
export const TINY_BASE = "/bbio/";
const DIR = join(ROOT, "test-results", "tiny-site");
const STAMP = join(DIR, "built-by-run");
const LOCK = join(ROOT, "test-results", "tiny-site.lock");

export interface TinySite {
  dist: string;
  base: string;
  /** what this call spent building (0 when it reused the run's site): SFT stage and site build, wall seconds */
  seconds: { sft: number; build: number };
}

/** this vitest run's id; outside vitest (a script), every call is its own run */
const runId = () => process.env.BBIO_TEST_RUN ?? `pid${process.pid}-${Date.now()}`;

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** mkdir is atomic: the lock is a folder holding its owner's pid; a dead owner's lock is taken over */
async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(join(ROOT, "test-results"), { recursive: true });
  for (const t0 = Date.now(); ; ) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, "pid"), String(process.pid));
      break;
    } catch {
      const owner = Number(existsSync(join(LOCK, "pid")) ? readFileSync(join(LOCK, "pid"), "utf8") : "0");
      if (owner && !alive(owner)) rmSync(LOCK, { recursive: true, force: true });
      else if (Date.now() - t0 > 900_000) throw new Error(`tiny site: ${LOCK} held for 15 min by pid ${owner}; remove it if no test runs`);
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

export async function tinySite(): Promise<TinySite> {
  const dist = join(DIR, "dist");
  const id = runId();
  return withLock(async () => {
    if (existsSync(STAMP) && readFileSync(STAMP, "utf8") === id) return { dist, base: TINY_BASE, seconds: { sft: 0, build: 0 } };
    rmSync(DIR, { recursive: true, force: true });
    mkdirSync(DIR, { recursive: true });
    const cache = join(DIR, "cache");
    const t0 = performance.now();
    // the stage command records a "stopped" run in its own store: the site's store stays the synthetic one. A child
    // process, awaited: one thread, so the caller may use the other core meanwhile (site.test.ts builds its other sites)
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "src/cli.ts", "train-sft", "conflict", "--db", join(DIR, "sft.duckdb"), "--cache", cache],
      {
        cwd: ROOT,
        env: { ...process.env, BBIO_THREADS: "1", BBIO_ATEN_THREADS: "1" },
        stdio: ["ignore", "ignore", "pipe"],
        timeout: 600_000,
      },
    );
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const db = join(DIR, "fixture.duckdb");
    await makeFixtureStore(db, { runs: 12, steps: 12, conflictRuns: true });
    const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on("exit", (c, sig) => r([c, sig])));
    if (code !== 0) throw new Error(`tiny site: bbio train-sft conflict exited ${code ?? signal}:\n${stderr.slice(-4000)}`);
    const sft = (performance.now() - t0) / 1000;
    const build = buildSite(db, dist, TINY_BASE, { BBIO_CACHE: cache });
    writeFileSync(STAMP, id);
    process.stderr.write(`tiny site: conflict SFT ${sft.toFixed(1)} s, site build ${build.toFixed(1)} s\n`);
    return { dist, base: TINY_BASE, seconds: { sft, build } };
  });
}
