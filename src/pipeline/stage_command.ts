/**
 * The stage commands — `bbio train-sft`, `bbio rm-train`, `bbio grpo` — are thin fronts over the pipeline: each runs
 * `bbio run`'s plan for the config up to and including its stage (runner.ts `until`), so a stage trained by hand has
 * the same input hash, cache directory and store record as the one a full run would use, and `bbio run` of the same
 * config later continues from it instead of training again. The run is recorded as 'stopped' (after that stage),
 * never 'complete': the pages show complete runs only, and a stopped run has no evaluation.
 *
 * Cheap to import (src/<stage>/commands.ts load it for `bbio --help`): everything heavy loads inside the handler.
 */
import type { Command } from "commander";
import { dbOf } from "../store/paths.ts";

const collect = (v: string, prev: string[]) => [...prev, v];

export interface StageCommandSpec {
  command: string;
  /** the pipeline stage the command stops after */
  stage: "sft" | "rm" | "grpo";
  description: string;
  /** what the command prints: the path a user hands to the next tool, inside the stage's artefact directory */
  artefact: { key: string; path: string; what: string };
  /** extra JSON fields: paths inside the stage directory, or inside an upstream stage's ("generate:items.jsonl") */
  paths?: Record<string, string>;
}

export function registerStageCommand(program: Command, spec: StageCommandSpec): void {
  const cmd = program
    .command(spec.command)
    .description(spec.description)
    .argument("[config]", "built-in config name (configs/<name>.json) or a .json path; omitted = configs/default.json")
    .option("--set <key=value>", "override a config field, e.g. --set sft.max_steps=50 (repeatable)", collect, [] as string[])
    .option("--name <name>", "run name (sets config.name)")
    .option("--db <file>", "run store (default $BBIO_DB or data/bbio.duckdb)")
    .option("--cache <dir>", "stage cache directory (default $BBIO_CACHE or data/cache)")
    .option("--json", `print {runId, name, outcome, stage, dir, ${spec.artefact.key}, …the stage's result.json}`);
  cmd.action(
    async (
      configName: string | undefined,
      opts: Record<string, unknown> & { set: string[]; name?: string; db?: string; cache?: string; json?: boolean },
    ) => {
      const { BbioError } = await import("../util/errors.ts");
      const { loadConfig, defaultConfigName } = await import("../config/index.ts");
      const sets = [...opts.set];
      if (opts.name) sets.push(`name=${JSON.stringify(opts.name)}`);
      const config = loadConfig(configName ?? defaultConfigName(), sets); // invalid config → one clear error, nothing recorded
      const { runPipeline } = await import("./runner.ts");
      const { realSpec } = await import("./stages.ts");
      const r = await runPipeline(config, { spec: realSpec, db: dbOf(opts), cacheDir: opts.cache, until: spec.stage });
      const { existsSync, readFileSync } = await import("node:fs");
      const { join } = await import("node:path");
      const st = r.stages.find((s) => s.stage === spec.stage);
      if (!st) throw new BbioError(`run ${r.runId} has no recorded ${spec.stage} stage`, 1);
      const artefact = join(st.dir, spec.artefact.path);
      if (!existsSync(artefact))
        throw new BbioError(
          `${artefact}: the ${spec.stage} stage's ${spec.artefact.what} is missing`,
          1,
          `the store ${dbOf(opts)} records it at ${st.dir}: pass the --cache that run used`,
        );
      if (opts.json) {
        const resultFile = join(st.dir, "result.json");
        const result = existsSync(resultFile) ? (JSON.parse(readFileSync(resultFile, "utf8")) as Record<string, unknown>) : {};
        const paths = Object.fromEntries(
          Object.entries(spec.paths ?? {}).map(([k, p]) => {
            const [stage, file] = p.includes(":") ? p.split(":") : [spec.stage, p];
            return [k, join(r.stages.find((x) => x.stage === stage)!.dir, file)];
          }),
        );
        process.stdout.write(
          JSON.stringify({
            ...result,
            runId: r.runId,
            name: r.name,
            outcome: r.outcome,
            stage: spec.stage,
            dir: st.dir,
            ...paths,
            [spec.artefact.key]: artefact,
          }) + "\n",
        );
      } else process.stdout.write(`${artefact}\n`);
    },
  );
}
