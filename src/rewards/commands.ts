import type { Command } from "commander";

/** Registers this stage's `bbio` commands. (Scaffold: the stage's owner fills this in.) */
export function register(_program: Command): void {}
