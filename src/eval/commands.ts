import type { Command } from "commander";

const collect = (v: string, prev: string[]) => [...prev, v];

/**
 * `bbio eval <checkpoint> [--json]`: per-capability scores on the held-out split with 95% bootstrap CIs and baselines.
 * Items: --items <file>, else regenerated from the checkpoint's stored config (data section + seed), so evaluation
 * sees exactly the held-out items of the run that trained the checkpoint.
 * --json prints {"capabilities": {"<capability>": {"n","mean","ci_lo","ci_hi","metrics"}}, "backend", "baselines"}.
 */
export function register(program: Command): void {
  program
    .command("eval")
    .description("evaluate a checkpoint per capability (knowledge, reasoning, instruction, integration) with CIs and baselines")
    .argument("<checkpoint>", "checkpoint directory (what bbio train-sft / bbio grpo print: data/cache/<stage>/<hash>/checkpoint)")
    .option("--items <file>", "items JSONL (default: regenerate from the checkpoint's config)")
    .option("--set <key=value>", "override a config field, e.g. --set eval.max_items_per_family=20 (repeatable)", collect, [] as string[])
    .option("--no-baseline", "skip the untrained-model baseline")
    .option("--json", "print the report as JSON")
    .action(async (checkpoint: string, opts: { items?: string; set: string[]; baseline: boolean; json?: boolean }) => {
      const { readFileSync, existsSync } = await import("node:fs");
      const { join } = await import("node:path");
      const { BbioError } = await import("../util/errors.ts");
      const { parseConfig, applySet } = await import("../config/index.ts");
      const cfgPath = join(checkpoint, "config.json");
      if (!existsSync(cfgPath)) throw new BbioError(`${checkpoint}: not a checkpoint directory (no config.json)`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(cfgPath, "utf8"));
      } catch (e) {
        throw new BbioError(
          `${cfgPath}: unreadable (${(e as Error).message})`,
          2,
          "restore the checkpoint's config.json, or re-create the checkpoint by re-running its stage (bbio train-sft / bbio grpo)",
        );
      }
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        throw new BbioError(`${cfgPath}: unreadable (not a JSON object)`, 2, "restore the checkpoint's config.json");
      const stored = (parsed as { config?: Record<string, unknown> }).config ?? {};
      const raw = structuredClone(stored);
      for (const s of opts.set) applySet(raw, s);
      if (!opts.baseline) applySet(raw, "eval.untrained_baseline=false");
      const config = parseConfig(raw, cfgPath);
      const { loadKG } = await import("../kg/index.ts");
      const { itemsFor } = await import("../sft/items.ts");
      const kg = loadKG();
      const items = await itemsFor(config, kg, opts.items);
      const { evaluate } = await import("./evaluate.ts");
      const r = await evaluate({ checkpointDir: checkpoint, items, kg, config });
      if (opts.json) {
        const { items: _perItem, ...rest } = r;
        void _perItem;
        process.stdout.write(JSON.stringify(rest) + "\n");
        return;
      }
      const pct = (x: number) => (100 * x).toFixed(1).padStart(5);
      process.stdout.write(`backend: ${r.backend}\ncapability    n   mean  [95% CI]        chance  untrained\n`);
      for (const [f, x] of Object.entries(r.capabilities)) {
        const c = r.baselines.chance[f as keyof typeof r.baselines.chance];
        const u = r.baselines.untrained?.[f as keyof typeof r.baselines.chance];
        process.stdout.write(
          `${f.padEnd(12)} ${String(x!.n).padStart(3)}  ${pct(x!.mean)}  [${pct(x!.ci_lo)}, ${pct(x!.ci_hi)}]  ${c ? pct(c.analytic ?? c.mean) : "    -"}  ${u ? pct(u.mean) : "    -"}\n`,
        );
      }
    });
}
