/** Shared helpers for the store/pipeline tests: temp dirs, child processes with tsx, small queries. */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { withDb } from "../../src/store/db.ts";

export const ROOT = resolve(import.meta.dirname, "../..");

export function tmp(label: string): string {
  return mkdtempSync(join(tmpdir(), `bbio-${label}-`));
}

export interface Proc {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** resolves when stdout contains `text` */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
}

/** Run a TypeScript file (or bin/bbio.mjs) in a child node process from the repo root. */
export function spawnTs(script: string, args: string[], env: Record<string, string> = {}): Proc {
  const nodeArgs = script.endsWith(".mjs") ? [script, ...args] : ["--import", "tsx", script, ...args];
  const child = spawn(process.execPath, nodeArgs, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const waiters: { test: string | RegExp; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters])
      if (typeof w.test === "string" ? out.includes(w.test) : w.test.test(out)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
  };
  child.stdout!.on("data", (d) => {
    out += d;
    check();
  });
  child.stderr!.on("data", (d) => (err += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.on("exit", (code, signal) => res({ code, signal })),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exit,
    waitFor(test, timeoutMs = 60_000) {
      return new Promise((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`timed out waiting for ${test}; stdout:\n${out}\nstderr:\n${err}`)), timeoutMs);
        exit.then(() => setTimeout(() => rej(new Error(`process exited before ${test}; stdout:\n${out}\nstderr:\n${err}`)), 50));
        waiters.push({ test, resolve: () => (clearTimeout(timer), res()) });
        check();
      });
    },
  };
}

/** `bbio <args>` as a child process; resolves with exit code and output. */
export async function bbio(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = spawnTs("bin/bbio.mjs", args, env);
  const { code } = await p.exit;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

/** Query a store file (read-only) from the test process. */
export async function q<T = Record<string, unknown>>(db: string, sql: string): Promise<T[]> {
  return withDb(db, { readOnly: true }, async (d) => (await d.table(sql)).rows as T[]);
}
