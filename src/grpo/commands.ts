import type { Command } from "commander";
import { registerStageCommand } from "../pipeline/stage_command.ts";

/**
 * `bbio methods [--json]`: the switches of Capability-Aware GRPO — gradient-combination rules (grpo.method) and
 * capability-weight strategies (grpo.weight_strategy) — with their citations, so a user can pick ablations without
 * reading the source.
 *
 * `bbio grpo [config]`: the pipeline up to its GRPO stage (generate → sft → rm → grpo), cached and recorded like
 * `bbio run` (src/pipeline/stage_command.ts); prints the policy checkpoint, which `bbio eval` takes.
 */
const METHOD_DOCS: Record<string, string> = {
  none: "SFT-only run: no reward model, no RL",
  sum: "plain GRPO: weighted mean of the per-capability gradients (linear scalarisation)",
  pcgrad: "PCGrad, Yu et al. 2020 (NeurIPS): project away conflicting components, random order",
  mgda: "MGDA min-norm, Désidéri 2012; Sener & Koltun 2018 (NeurIPS); defines its own weights (weight_strategy must be uniform)",
  cagrpo:
    "ours (docs/method.md §6.5): symmetric conflict projection, then balanced weights (first-order gains ∝ the weight strategy's preferences)",
  cagrad: "CAGrad, Liu et al. 2021 (NeurIPS): conflict-averse direction within a ball around the mean",
  aligned_mtl: "Aligned-MTL, Senushkin et al. 2023 (CVPR): align gradients by the Gram eigen-decomposition",
};
const STRATEGY_DOCS: Record<string, string> = {
  uniform: "w_c = 1/4 (static baseline)",
  static: "TRL reward_weights from grpo.reward_weights, normalised",
  minnorm: "min-norm: argmin_{w∈Δ} ‖Σ w_c g_c‖² from the gradient Gram",
  orthogonal: "min-norm closed form w_c ∝ 1/‖g_c‖² (exact when gradients are orthogonal)",
  inverse_variance: "inverse variance: w_c ∝ 1/Var_group(r_c)",
  dynamic: "dynamic: grpo.dynamic_inner recomputed every grpo.dynamic_every steps from EMA statistics",
};

export function register(program: Command): void {
  registerStageCommand(program, {
    command: "grpo",
    stage: "grpo",
    description:
      "run the pipeline up to Capability-Aware GRPO for a config (cached stages, run recorded as stopped after grpo); prints the policy checkpoint",
    artefact: { key: "checkpointDir", path: "checkpoint", what: "policy checkpoint" },
  });

  program
    .command("methods")
    .description("list Capability-Aware GRPO's update rules (grpo.method) and weight strategies (grpo.weight_strategy)")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }) => {
      const { grpoSchema } = await import("./config.ts");
      const shape = grpoSchema.shape;
      const methods = shape.method.unwrap().options as readonly string[];
      const strategies = shape.weight_strategy.unwrap().options as readonly string[];
      const defaults = grpoSchema.parse({});
      if (opts.json) {
        process.stdout.write(
          JSON.stringify({
            methods: methods.map((m) => ({ name: m, doc: METHOD_DOCS[m] ?? "" })),
            weight_strategies: strategies.map((s) => ({ name: s, doc: STRATEGY_DOCS[s] ?? "" })),
            defaults: { method: defaults.method, weight_strategy: defaults.weight_strategy },
          }) + "\n",
        );
        return;
      }
      const line = (name: string, doc: string, isDefault: boolean) => `  ${name.padEnd(17)} ${doc}${isDefault ? "  (default)" : ""}\n`;
      process.stdout.write("grpo.method (e.g. --set grpo.method=pcgrad)\n");
      for (const m of methods) process.stdout.write(line(m, METHOD_DOCS[m] ?? "", m === defaults.method));
      process.stdout.write("grpo.weight_strategy\n");
      for (const s of strategies) process.stdout.write(line(s, STRATEGY_DOCS[s] ?? "", s === defaults.weight_strategy));
    });
}
