/**
 * `bbio` — the workbench's command line. Thin by design: parse, validate, call a stage, print.
 * Each stage registers its own commands from src/<stage>/commands.ts; those modules must stay cheap to import
 * (heavy imports such as TensorFlow.js or DuckDB happen inside the action handlers), so `bbio --help` is instant.
 */
import { Command, CommanderError } from "commander";
import { userFault } from "./util/errors.ts";
import { register as registerKg } from "./kg/commands.ts";
import { register as registerMkgsg } from "./mkgsg/commands.ts";
import { register as registerTrain } from "./sft/commands.ts";
import { register as registerEval } from "./eval/commands.ts";
import { register as registerPipeline } from "./pipeline/commands.ts";
import { register as registerStore } from "./store/commands.ts";
import { register as registerRewards } from "./rewards/commands.ts";
import { register as registerGrpo } from "./grpo/commands.ts";
import { register as registerBackend } from "./model/commands.ts";
import { register as registerSweep } from "./sweep/commands.ts";

const program = new Command()
  .name("bbio")
  .description("BalancedBio workbench: knowledge-grounded data, tiny-model SFT, Capability-Aware GRPO, analyses")
  .option("--debug", "print the stack trace of an error (also BBIO_DEBUG=1)")
  .showHelpAfterError()
  .exitOverride();

registerKg(program);
registerMkgsg(program);
registerTrain(program);
registerEval(program);
registerPipeline(program);
registerStore(program);
registerRewards(program);
registerGrpo(program);
registerBackend(program);
registerSweep(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // help/version exit 0; usage errors (unknown command/option, missing argument) exit 2 like other bad input
    process.exit(e.exitCode === 0 ? 0 : 2);
  }
  // one way out for every error: a user fault (BbioError, or an OS/DuckDB error the user's files caused) prints its
  // message and the fix, exit 2 (or its own code); anything else is a bug: exit 1. Stack traces only with --debug.
  const debug = process.argv.includes("--debug") || process.env.BBIO_DEBUG === "1";
  const fault = userFault(e);
  if (fault) {
    process.stderr.write(`error: ${fault.message}\n${fault.hint ? `hint: ${fault.hint}\n` : ""}`);
    if (debug) process.stderr.write(`${(e as Error).stack ?? ""}\n`);
    process.exit(fault.exitCode);
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`error: ${msg}\n`);
  process.stderr.write(
    debug ? `${(e as Error)?.stack ?? ""}\n` : "hint: this is a bug in bbio; rerun with --debug for the stack trace and report it\n",
  );
  process.exit(1);
}
