import type { Command } from "commander";
import { registerStageCommand } from "../pipeline/stage_command.ts";

const collect = (v: string, prev: string[]) => [...prev, v];

/**
 * `bbio rm-train [config]`: the pipeline up to its reward-model stage (generate → sft → rm), cached and recorded like
 * `bbio run` (src/pipeline/stage_command.ts); prints the reward-model directory, which `bbio rm-eval` takes.
 *
 * `bbio rm-eval <rm dir>`: held-out pairwise accuracy of a reward model. Pairs: --pairs <file>, else the pairs.jsonl
 * next to the reward model (the rm stage directory's pairs.jsonl), else rebuilt from the items with the config's rm
 * section. Items: --items <file>, else regenerated from the config (by default the one stored with the reward model;
 * a pipeline reward model stores only the rm stage's slice, so it needs --items: `bbio rm-train --json` prints itemsPath).
 * --json prints {rmDir, split, accuracy, n, byFamily, byCorruption, backend}.
 *
 * Heavy modules (TF.js, the KG) load inside the handlers so `bbio --help` stays instant.
 */
export function register(program: Command): void {
  registerStageCommand(program, {
    command: "rm-train",
    stage: "rm",
    description:
      "run the pipeline up to the Bradley–Terry reward model for a config (cached stages, run recorded as stopped after rm); prints the reward model",
    artefact: { key: "rmDir", path: "rm", what: "reward model" },
    paths: { pairsPath: "pairs.jsonl", itemsPath: "generate:items.jsonl" },
  });

  program
    .command("rm-eval")
    .description("pairwise accuracy of a reward model on held-out preference pairs")
    .argument("<rm>", "reward model directory (what bbio rm-train prints: data/cache/rm/<hash>/rm)")
    .argument("[config]", "configs/<name>.json name or a .json path; omitted = the config stored with the reward model")
    .option("--pairs <file>", "pairs JSONL (default: pairs.jsonl next to the reward model, else rebuilt from the items)")
    .option("--items <file>", "items JSONL (default: regenerate from the config)")
    .option("--split <split>", "which pairs: eval (held-out) or train", "eval")
    .option("--set <key=value>", "override a config field (repeatable)", collect, [] as string[])
    .option("--json", "print the result as JSON")
    .action(
      async (
        rmDir: string,
        configName: string | undefined,
        opts: { pairs?: string; items?: string; split: string; set: string[]; json?: boolean },
      ) => {
        const { existsSync, readFileSync } = await import("node:fs");
        const { dirname, join } = await import("node:path");
        const { BbioError } = await import("../util/errors.ts");
        if (opts.split !== "eval" && opts.split !== "train") throw new BbioError(`--split must be eval or train, got "${opts.split}"`);
        const { isRewardModelDir } = await import("./rm/index.ts");
        if (!isRewardModelDir(rmDir))
          throw new BbioError(
            `${rmDir}: not a reward model directory (needs meta.json, head.json and gpt/)`,
            2,
            "train one with: bbio rm-train",
          );
        const { loadConfig, parseConfig, applySet } = await import("../config/index.ts");
        let config: ReturnType<typeof loadConfig>;
        if (configName) config = loadConfig(configName, opts.set);
        else {
          const cfgPath = join(rmDir, "gpt", "config.json");
          const stored = (JSON.parse(readFileSync(cfgPath, "utf8")) as { config?: Record<string, unknown> }).config ?? {};
          // the rm stage stores only its slice (model, rm, seed): the data section's defaults would regenerate other items
          // than the ones the pairs were built from
          if (!opts.items && !("data" in stored))
            throw new BbioError(
              `${rmDir}: its stored config has no data section, so the items cannot be regenerated from it`,
              2,
              "pass --items <the run's generate stage>/items.jsonl (bbio rm-train --json prints it as itemsPath), or the run's config",
            );
          const raw = structuredClone(stored);
          for (const s of opts.set) applySet(raw, s);
          config = parseConfig(raw, cfgPath);
        }
        const { initBackend, backendPreference } = await import("../model/backend.ts");
        const backend = await initBackend(backendPreference(config.backend));
        const { loadKG } = await import("../kg/index.ts");
        const { itemsFor } = await import("../sft/items.ts");
        const kg = loadKG();
        const items = await itemsFor(config, kg, opts.items);
        const { readJsonl } = await import("../util/fsx.ts");
        const { buildPairs } = await import("./pairs.ts");
        type P = import("./pairs.ts").Pair;
        const sibling = join(dirname(rmDir.replace(/\/+$/, "")), "pairs.jsonl");
        const pairsFile = opts.pairs ?? (existsSync(sibling) ? sibling : undefined);
        const all: P[] = pairsFile
          ? readJsonl<P>(pairsFile)
          : buildPairs(items, kg, { pairsPerItem: config.rm.pairs_per_item, seed: config.seed, corruptions: config.rm.corruptions });
        const pairs = all.filter((p) => p.split === opts.split);
        const { loadRewardModelFull, evaluatePairs } = await import("./rm/index.ts");
        const { rm } = await loadRewardModelFull(rmDir, config.model);
        try {
          const r = await evaluatePairs(rm, pairs, items, config.rm.score_batch_size);
          if (r.missing) process.stderr.write(`[rm-eval] ${r.missing} pairs refer to items not in the item set (skipped)\n`);
          if (r.n === 0) throw new BbioError(`no ${opts.split} pairs to evaluate${pairsFile ? ` in ${pairsFile}` : ""}`);
          if (opts.json) {
            process.stdout.write(
              JSON.stringify({
                rmDir,
                split: opts.split,
                accuracy: r.accuracy,
                n: r.n,
                byFamily: r.byFamily,
                byCorruption: r.byCorruption,
                backend,
              }) + "\n",
            );
            return;
          }
          const pct = (x: number) => (100 * x).toFixed(1).padStart(5);
          process.stdout.write(`${opts.split} pairwise accuracy: ${pct(r.accuracy)}% (${r.n} pairs, ${backend})\n`);
          for (const [title, g] of [
            ["by family", r.byFamily],
            ["by corruption", r.byCorruption],
          ] as const) {
            process.stdout.write(`${title}:\n`);
            for (const [k, v] of Object.entries(g))
              process.stdout.write(`  ${k.padEnd(24)} ${String(v.n).padStart(4)}  ${pct(v.accuracy)}%\n`);
          }
        } finally {
          rm.dispose();
        }
      },
    );
}
