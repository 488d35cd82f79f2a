import type { Command } from "commander";

const collect = (v: string, prev: string[]) => [...prev, v];

/**
 * `bbio train-sft [config]`: supervised fine-tuning of the tiny model on MKGSG items; prints the checkpoint directory
 * (or, with --json, {checkpointDir, steps, finalLoss, evalLossStart, evalLossEnd, backend, tokensPerSec}).
 * Heavy modules (TF.js) load inside the handler so `bbio --help` stays instant.
 */
export function register(program: Command): void {
  program
    .command("train-sft")
    .description("supervised fine-tuning of the tiny transformer on MKGSG items (no config = small CPU default)")
    .argument("[config]", "configs/<name>.json name or a .json path; omitted = schema defaults")
    .option("--set <key=value>", "override a config field, e.g. --set sft.max_steps=50 (repeatable)", collect, [] as string[])
    .option("--items <file>", "items JSONL (default: regenerate with the MKGSG generator from the config's data section)")
    .option("--out <dir>", "output directory (checkpoint in <dir>/checkpoint); default data/runs/sft-<config hash>")
    .option("--resume", "continue from <out>/checkpoint if it exists")
    .option("--json", "print the result as JSON")
    .action(
      async (configName: string | undefined, opts: { set: string[]; items?: string; out?: string; resume?: boolean; json?: boolean }) => {
        const { loadConfig, configHash } = await import("../config/index.ts");
        const config = loadConfig(configName, opts.set);
        const { loadKG } = await import("../kg/index.ts");
        const { itemsFor } = await import("./items.ts");
        const kg = loadKG();
        const items = await itemsFor(config, kg, opts.items);
        const outDir = opts.out ?? `data/runs/sft-${configHash(config)}`;
        const { JsonlSink } = await import("./jsonl_sink.ts");
        const sink = new JsonlSink(`${outDir}/metrics.jsonl`, opts.resume ?? false);
        let r: Awaited<ReturnType<typeof import("./sft.ts").runSft>>;
        if (config.sft.curation.enabled) {
          const { runCuratedSft } = await import("./curate.ts");
          r = await runCuratedSft({ config, items, outDir, sink, kg });
        } else {
          const { runSft } = await import("./sft.ts");
          r = await runSft({ config, items, outDir, sink, resume: opts.resume });
        }
        await sink.flush();
        const { losses, ...summary } = r;
        void losses;
        if (opts.json) process.stdout.write(JSON.stringify(summary) + "\n");
        else {
          process.stderr.write(
            `[sft] ${r.steps} steps on ${r.backend}: train loss ${r.losses[0]?.toFixed(3)} → ${r.finalLoss.toFixed(3)}, ` +
              `held-out loss ${r.evalLossStart.toFixed(3)} → ${r.evalLossEnd.toFixed(3)}, ${Math.round(r.tokensPerSec)} tok/s\n`,
          );
          process.stdout.write(`${r.checkpointDir}\n`);
        }
      },
    );
}
