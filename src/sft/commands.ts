import type { Command } from "commander";
import { registerStageCommand } from "../pipeline/stage_command.ts";

/**
 * `bbio train-sft [config]`: the pipeline up to its SFT stage (generate → sft), cached and recorded like `bbio run`
 * (src/pipeline/stage_command.ts); prints the checkpoint directory, which `bbio eval` takes.
 */
export function register(program: Command): void {
  registerStageCommand(program, {
    command: "train-sft",
    stage: "sft",
    description: "run the pipeline up to SFT for a config (cached stages, run recorded as stopped after sft); prints the checkpoint",
    artefact: { key: "checkpointDir", path: "checkpoint", what: "checkpoint" },
  });
}
