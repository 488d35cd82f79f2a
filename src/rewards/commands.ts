import type { Command } from "commander";

const collect = (v: string, prev: string[]) => [...prev, v];

/**
 * `bbio rm-train [config] --sft <dir>`: the Bradley–Terry reward model (src/rewards/rm.ts) from an SFT checkpoint, on
 * MKGSG preference pairs (gold vs corrupted). Writes <out>/pairs.jsonl, <out>/rm/ and <out>/result.json; prints the
 * reward-model directory (or, with --json, {pairsPath, rmDir, evalAccuracy, trainAccuracy, steps, seconds, backend}).
 *
 * `bbio rm-eval <rm dir>`: held-out pairwise accuracy of a reward model. Pairs: --pairs <file>, else the pairs.jsonl
 * next to the reward model (<out>/pairs.jsonl of rm-train), else rebuilt from the items with the config's rm section.
 * Items: --items <file>, else regenerated from the config (by default the one stored with the reward model).
 * --json prints {rmDir, split, accuracy, n, byFamily, byCorruption, backend}.
 *
 * Heavy modules (TF.js, the KG) load inside the handlers so `bbio --help` stays instant.
 */
export function register(program: Command): void {
  program
    .command("rm-train")
    .description("train the Bradley–Terry reward model (gold vs corrupted answers) from an SFT checkpoint")
    .argument("[config]", "configs/<name>.json name or a .json path; omitted = schema defaults")
    .requiredOption("--sft <dir>", "SFT checkpoint directory (or an SFT output directory holding checkpoint/)")
    .option("--items <file>", "items JSONL (default: regenerate with the MKGSG generator from the config's data section)")
    .option("--out <dir>", "output directory (pairs.jsonl, rm/, result.json); default data/runs/rm-<config hash>")
    .option("--set <key=value>", "override a config field, e.g. --set rm.max_steps=20 (repeatable)", collect, [] as string[])
    .option("--resume", "continue from <out>/rm if it exists")
    .option("--json", "print the result as JSON")
    .action(
      async (
        configName: string | undefined,
        opts: { sft: string; items?: string; out?: string; set: string[]; resume?: boolean; json?: boolean },
      ) => {
        const { loadConfig, configHash } = await import("../config/index.ts");
        const config = loadConfig(configName, opts.set);
        const { resolveSftCheckpoint, runRmStage } = await import("./rm.ts");
        const sftDir = resolveSftCheckpoint(opts.sft); // fail fast, before loading the KG
        const { loadKG } = await import("../kg/index.ts");
        const { itemsFor } = await import("../sft/items.ts");
        const kg = loadKG();
        const items = await itemsFor(config, kg, opts.items);
        const outDir = opts.out ?? `data/runs/rm-${configHash(config)}`;
        const { JsonlSink } = await import("../sft/jsonl_sink.ts");
        const sink = new JsonlSink(`${outDir}/metrics.jsonl`, opts.resume ?? false);
        const r = await runRmStage({
          config,
          items,
          sftCheckpointDir: sftDir,
          outDir,
          sink,
          seed: config.seed,
          resume: opts.resume ?? false,
          kg,
          log: (m) => process.stderr.write(`[rm] ${m}\n`),
        });
        await sink.flush();
        if (opts.json)
          process.stdout.write(JSON.stringify({ ...r, evalAccuracy: Number.isFinite(r.evalAccuracy) ? r.evalAccuracy : null }) + "\n");
        else process.stdout.write(`${r.rmDir}\n`);
      },
    );

  program
    .command("rm-eval")
    .description("pairwise accuracy of a reward model on held-out preference pairs")
    .argument("<rm>", "reward model directory (e.g. data/runs/rm-<hash>/rm)")
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
        const { isRewardModelDir } = await import("./rm.ts");
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
        const { loadRewardModelFull, evaluatePairs } = await import("./rm.ts");
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
