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
 * The same suite in `jobs` parallel `bbio run` processes, each given its already-validated config as a file, so a
 * child runs exactly the config the parent checked. Output lines are prefixed with the run's name.
 */
export async function runSuiteInProcesses<C extends BaseConfig>(
  suite: Suite,
  load: (run: SuiteRun) => C,
  opts: { db: string; cacheDir?: string; log?: (line: string) => void; jobs: number },
): Promise<SuiteOutcome[]> {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const configs = suite.runs.map((r) => ({ run: r, config: load(r) }));
  const dir = mkdtempSync(join(tmpdir(), "bbio-suite-"));
  const cli = new URL("../../bin/bbio.mjs", import.meta.url).pathname;
  const out: SuiteOutcome[] = new Array(configs.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < configs.length; i = next++) {
      const { run, config } = configs[i];
      const file = join(dir, `${i}.json`);
      writeFileSync(file, JSON.stringify(config));
      log(`suite: run ${i + 1}/${configs.length} "${run.name}" (process)`);
      const args = [cli, "run", file, "--db", opts.db, ...(opts.cacheDir ? ["--cache", opts.cacheDir] : [])];
      const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        // BBIO_JOBS: the native backend gives each process cores ÷ jobs threads (jobs × threads ≤ cores)
        const env = { ...process.env, BBIO_JOBS: String(Math.min(opts.jobs, configs.length)) };
        const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env });
        let stdout = "",
          stderr = "",
          partial = "";
        child.stdout.on("data", (b) => (stdout += b));
        child.stderr.on("data", (b) => {
          const text = partial + String(b);
          stderr = (stderr + String(b)).slice(-4000);
          const lines = text.split(/\r|\n/);
          partial = lines.pop() ?? "";
          for (const l of lines) if (l.trim()) log(`[${run.name}] ${l}`);
        });
        child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
      });
      if (r.code === 0) {
        const [runId, , outcome] = r.stdout.trim().split(/\s+/);
        out[i] = {
          name: run.name,
          result: { runId, name: run.name, outcome: outcome as "complete", backend: "", dataHash: null, stages: [], seconds: 0 },
        };
      } else {
        const msg =
          r.stderr
            .trim()
            .split("\n")
            .filter((l) => l.startsWith("error:"))
            .pop() ?? `exit code ${r.code}`;
        log(`suite: run "${run.name}" failed: ${msg}`);
        out[i] = { name: run.name, error: msg };
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(opts.jobs, configs.length) }, worker));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
