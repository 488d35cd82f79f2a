/**
 * The child side of `bbio suite --jobs n`: one long-lived process per job that runs many of the suite's runs, one
 * after another, so TypeScript, TF.js, the native addon, DuckDB and the KG are loaded once per job instead of once per
 * run (4–6 s of start-up each).
 *
 *   parent → stdin    one JSON line per run: {"i": 3, "file": "/tmp/bbio-suite-…/3.json"}  (the validated config)
 *   child  → stderr   the run's log lines, then one reply line: WORKER_MARK {"i": 3, "runId": …, "outcome": …}
 *                     or WORKER_MARK {"i": 3, "error": "…"}
 *
 * The reply travels on stderr, after the run's own lines, so the parent can prefix every line with the name of the run
 * that wrote it (one pipe keeps the order; stdout would not). A run that throws is recorded 'failed' by the runner and
 * reported; the worker then takes the next run. A worker that dies mid-run (kill -9, an abort in native code) leaves
 * that run 'running' with a dead pid — `bbio runs` shows it as crashed, never complete — and the parent starts a new
 * worker for the remaining runs.
 */
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { runPipeline, type RunOptions, type RunResult } from "./runner.ts";
import type { BaseConfig } from "./stage.ts";

/** start of a reply line (an ASCII record separator first, so no log line is taken for one) */
export const WORKER_MARK = "\u001ebbio-worker ";

export interface WorkerRequest {
  i: number;
  file: string;
}

export interface WorkerReply {
  i: number;
  runId?: string;
  outcome?: RunResult["outcome"];
  error?: string;
}

/** Parse a reply line, or null when the line is an ordinary log line. */
export function parseReply(line: string): WorkerReply | null {
  if (!line.startsWith(WORKER_MARK)) return null;
  return JSON.parse(line.slice(WORKER_MARK.length)) as WorkerReply;
}

/**
 * Serve run requests from `input` until it ends: load each config file, run it, reply. Runs never overlap inside one
 * worker (the parent sends the next request only after the reply, and requests are handled in order anyway).
 */
export async function serveSuiteWorker<C extends BaseConfig>(
  load: (file: string) => C,
  opts: RunOptions<C>,
  input: Readable = process.stdin,
  write: (text: string) => void = (t) => process.stderr.write(t),
): Promise<void> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const req = JSON.parse(line) as WorkerRequest;
    let reply: WorkerReply;
    try {
      const r = await runPipeline(load(req.file), opts);
      reply = { i: req.i, runId: r.runId, outcome: r.outcome };
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      write(`error: ${msg}\n`);
      reply = { i: req.i, error: msg };
    }
    write(`${WORKER_MARK}${JSON.stringify(reply)}\n`);
  }
}
