/**
 * Suites: a named list of runs (configs/suites/<name>.json), e.g. "default" = SFT-only + GRPO with sum, pcgrad,
 * mgda and cagrpo on the default small config. The runs execute one after another and share every cached upstream
 * stage (same generate/sft/rm input hashes), so a suite costs one data+SFT+RM pass plus one GRPO+eval per method.
 *
 *   { "description": "...", "runs": [ { "name": "grpo-sum", "config": "default", "set": ["grpo.method=\"sum\""] } ] }
 *
 * An entry with `"seeds": [0, 1, 2, 3, 4]` stands for one run per RL seed, named "<name>-s<k>" with `grpo.seed=<k>`
 * appended to its overrides: the seeds are the unit of the suite's statistics, so adding one is a one-number change.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { BbioError } from "../util/errors.ts";
import { formatZodError } from "../config/index.ts";
import { runPipeline, type RunOptions, type RunResult } from "./runner.ts";
import { parseReply, type WorkerReply, type WorkerRequest } from "./suite_worker.ts";
import type { BaseConfig } from "./stage.ts";

export const suiteSchema = z
  .object({
    description: z.string().default(""),
    runs: z
      .array(
        z
          .object({
            /** run name (becomes config.name) */
            name: z.string().min(1),
            /** built-in config name (configs/<name>.json) or a path; omitted = defaults */
            config: z.string().optional(),
            /** --set style overrides, applied in order */
            set: z.array(z.string()).default([]),
            /** RL seeds: one run per seed, named "<name>-s<seed>", with grpo.seed=<seed> */
            seeds: z.array(z.number().int().nonnegative()).min(1).optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();
/** a suite with every `seeds` entry expanded into its runs */
export interface Suite {
  description: string;
  runs: SuiteRun[];
}
export interface SuiteRun {
  name: string;
  config?: string;
  set: string[];
}

function expandSeeds(entries: z.infer<typeof suiteSchema>["runs"]): SuiteRun[] {
  return entries.flatMap(({ seeds, ...run }) =>
    seeds ? seeds.map((k) => ({ ...run, name: `${run.name}-s${k}`, set: [...run.set, `grpo.seed=${k}`] })) : [run],
  );
}

export function suitePath(nameOrPath: string): string {
  if (nameOrPath.endsWith(".json")) return nameOrPath;
  return new URL(`../../configs/suites/${nameOrPath}.json`, import.meta.url).pathname;
}

export function readSuite(nameOrPath: string): Suite {
  const file = suitePath(nameOrPath);
  if (!existsSync(file)) throw new BbioError(`suite "${nameOrPath}" not found (${file})`, 2, "built-in suites are configs/suites/*.json");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new BbioError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const r = suiteSchema.safeParse(raw);
  if (!r.success) throw new BbioError(`invalid suite\n${formatZodError(r.error, file)}`);
  const runs = expandSeeds(r.data.runs);
  const names = runs.map((x) => x.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new BbioError(`${file}: run name "${dup}" appears twice`);
  return { description: r.data.description, runs };
}

export interface SuiteOutcome {
  name: string;
  result?: RunResult;
  error?: string;
}

/**
 * Run every entry. All configs are validated first (a typo in the 5th run fails before the 1st computes anything);
 * a run that fails is reported and the others still run; the caller decides the exit code.
 */
export async function runSuite<C extends BaseConfig>(
  suite: Suite,
  load: (run: SuiteRun) => C,
  opts: RunOptions<C>,
): Promise<SuiteOutcome[]> {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const configs = suite.runs.map((r) => ({ run: r, config: load(r) }));
  const out: SuiteOutcome[] = [];
  for (const [i, { run, config }] of configs.entries()) {
    log(`suite: run ${i + 1}/${configs.length} "${run.name}"`);
    try {
      out.push({ name: run.name, result: await runPipeline(config, opts) });
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      log(`suite: run "${run.name}" failed: ${msg}`);
      out.push({ name: run.name, error: msg });
    }
  }
  return out;
}

/**
 * The same suite in `jobs` parallel worker processes (src/pipeline/suite_worker.ts: `bbio suite-worker`), each running
 * many runs one after another, so start-up (TypeScript, TF.js, the native addon, DuckDB, the KG) is paid once per job,
 * not once per run. Each run is handed over as its already-validated config in a file, so a worker runs exactly the
 * config the parent checked; runs go to whichever worker is free, in suite order. Output lines are prefixed with the
 * name of the run that wrote them. A failing run is reported and the worker goes on; a worker that dies takes only its
 * current run with it (reported failed; the store shows it crashed) and a fresh worker serves the rest.
 *
 * `worker` (tests): the node arguments that start a worker; default `bin/bbio.mjs suite-worker --db … --cache …`.
 */
export async function runSuiteInProcesses<C extends BaseConfig>(
  suite: Suite,
  load: (run: SuiteRun) => C,
  opts: { db: string; cacheDir?: string; log?: (line: string) => void; jobs: number; worker?: string[] },
): Promise<SuiteOutcome[]> {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const configs = suite.runs.map((r) => ({ run: r, config: load(r) }));
  const dir = mkdtempSync(join(tmpdir(), "bbio-suite-"));
  const cli = new URL("../../bin/bbio.mjs", import.meta.url).pathname;
  const workerArgs = opts.worker ?? [cli, "suite-worker", "--db", opts.db, ...(opts.cacheDir ? ["--cache", opts.cacheDir] : [])];
  const jobs = Math.min(opts.jobs, configs.length);
  const out: SuiteOutcome[] = new Array(configs.length);
  let next = 0;
  const lane = async (k: number) => {
    let w: WorkerProcess | null = null;
    try {
      for (let i = next++; i < configs.length; i = next++) {
        const { run, config } = configs[i];
        const file = join(dir, `${i}.json`);
        writeFileSync(file, JSON.stringify(config));
        log(`suite: run ${i + 1}/${configs.length} "${run.name}" (worker ${k + 1})`);
        if (!w?.alive) w = startWorker(workerArgs, jobs, log, `worker ${k + 1}`); // a worker that died idle is replaced too
        const r = await w.run({ i, file }, run.name);
        if (r.outcome) {
          out[i] = {
            name: run.name,
            result: { runId: r.runId!, name: run.name, outcome: r.outcome, backend: "", dataHash: null, stages: [], seconds: 0 },
          };
        } else {
          log(`suite: run "${run.name}" failed: ${r.error}`);
          out[i] = { name: run.name, error: r.error ?? "unknown error" };
        }
      }
    } finally {
      await w?.close();
    }
  };
  try {
    await Promise.all(Array.from({ length: jobs }, (_, k) => lane(k)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

interface WorkerProcess {
  /** false once the process has exited */
  readonly alive: boolean;
  /** run one request; resolves with the reply, or an error reply when the process dies during the run */
  run(req: WorkerRequest, name: string): Promise<WorkerReply>;
  /** end its input and wait for it to exit */
  close(): Promise<void>;
}

function startWorker(args: string[], jobs: number, log: (line: string) => void, idle: string): WorkerProcess {
  // BBIO_JOBS: the native backend gives each process cores ÷ jobs threads (jobs × threads ≤ cores)
  const env = { ...process.env, BBIO_JOBS: String(jobs) };
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "pipe"], env });
  let alive = true;
  let current: { name: string; resolve: (r: WorkerReply) => void; i: number } | null = null;
  // the current run's last lines, for the error of a run whose worker died
  let tail: string[] = [];
  const exited = new Promise<void>((resolve) =>
    child.on("close", (code, signal) => {
      alive = false;
      if (current) {
        const why =
          tail
            .filter((l) => l.startsWith("error:"))
            .pop()
            ?.replace(/^error:\s*/, "") ?? `worker process died (${signal ?? `exit code ${code}`})`;
        current.resolve({ i: current.i, error: why });
        current = null;
      }
      resolve();
    }),
  );
  child.stdin.on("error", () => {}); // a dead worker's closed pipe: reported through "close"
  const lines = (stream: NodeJS.ReadableStream, onLine: (l: string) => void) => {
    let partial = "";
    stream.on("data", (b) => {
      const parts = (partial + String(b)).split(/\r|\n/);
      partial = parts.pop() ?? "";
      for (const l of parts) onLine(l);
    });
    stream.on("end", () => partial && onLine(partial));
  };
  const show = (l: string) => {
    if (!l.trim()) return;
    tail = [...tail.slice(-50), l];
    log(`[${current?.name ?? idle}] ${l}`);
  };
  lines(child.stdout, show);
  lines(child.stderr, (l) => {
    const reply = parseReply(l);
    if (!reply) return show(l);
    if (current?.i === reply.i) {
      const c = current;
      current = null;
      c.resolve(reply);
    }
  });
  return {
    get alive() {
      return alive;
    },
    run(req, name) {
      if (!alive) return Promise.resolve({ i: req.i, error: "worker process exited before the run" });
      tail = [];
      return new Promise<WorkerReply>((resolve) => {
        current = { name, resolve, i: req.i };
        child.stdin.write(`${JSON.stringify(req)}\n`);
      });
    },
    async close() {
      child.stdin.end();
      await exited;
    },
  };
}
