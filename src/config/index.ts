/**
 * The one config object of a run. Each section's schema (with its defaults) lives beside the stage that reads it;
 * this file only composes them, validates, applies `--set key=value` overrides and computes the config hash
 * (the run's identity). Unknown keys anywhere are an error: a typo must never silently fall back to a default.
 */
import { readFileSync, existsSync } from "node:fs";
import { z } from "zod";
import { BbioError } from "../util/errors.ts";
import { hashOf } from "../util/hash.ts";
import { dataSchema } from "../mkgsg/config.ts";
import { modelSchema } from "../model/config.ts";
import { sftSchema } from "../sft/config.ts";
import { rmSchema } from "../rewards/config.ts";
import { grpoSchema } from "../grpo/config.ts";
import { evalSchema } from "../eval/config.ts";

export const configSchema = z
  .object({
    name: z.string().default("default"),
    seed: z.number().int().nonnegative().default(0),
    /** tfjs backend to force ("wasm", "cpu", "tensorflow", ...); "auto" walks the chain GPU → native → wasm → cpu */
    backend: z.string().default("auto"),
    data: dataSchema.prefault({}),
    model: modelSchema.prefault({}),
    sft: sftSchema.prefault({}),
    rm: rmSchema.prefault({}),
    grpo: grpoSchema.prefault({}),
    eval: evalSchema.prefault({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

export function formatZodError(err: z.ZodError, source: string): string {
  return err.issues.map((i) => `${source}: ${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`).join("\n");
}

/** Validate a raw object into a Config (defaults filled), or throw one clear BbioError listing every problem. */
export function parseConfig(raw: unknown, source = "config"): Config {
  const r = configSchema.safeParse(raw);
  if (!r.success) throw new BbioError(`invalid config\n${formatZodError(r.error, source)}`);
  // cross-section checks a stage would otherwise only make once the run has started (and recorded itself): a config
  // error must be refused before anything is written (grpo's own combinations are refused inside grpoSchema)
  if (r.data.sft.pack_length > r.data.model.block_size)
    throw new BbioError(
      `invalid config
${source}: sft.pack_length ${r.data.sft.pack_length} exceeds model.block_size ${r.data.model.block_size}`,
      2,
      "lower sft.pack_length or raise model.block_size",
    );
  return r.data;
}

/** Parse `a.b.c=value`: value is JSON when it parses as JSON (numbers, booleans, arrays), else a plain string. */
export function applySet(raw: Record<string, unknown>, assignment: string): void {
  const eq = assignment.indexOf("=");
  if (eq <= 0) throw new BbioError(`--set expects key=value, got "${assignment}"`);
  const path = assignment.slice(0, eq).split(".");
  // keys that reach an object's prototype would change every object in the process (prototype pollution)
  const bad = path.find((k) => k === "__proto__" || k === "constructor" || k === "prototype" || k === "");
  if (bad !== undefined)
    throw new BbioError(`--set ${assignment}: "${bad}" is not a config key`, 2, "use a config path such as sft.max_steps=50");
  const text = assignment.slice(eq + 1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = text;
  }
  let node: Record<string, unknown> = raw;
  for (const key of path.slice(0, -1)) {
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (next === undefined) node[key] = {};
    else if (typeof next !== "object" || next === null || Array.isArray(next))
      throw new BbioError(`--set ${assignment}: "${key}" is not a config section`);
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

/** Built-in named configs live in configs/<name>.json; a path to a .json file works too. */
/**
 * The config every command runs when none is named (bbio run, generate, train-sft, rm-train, grpo):
 * configs/default.json, or the schema's defaults alone where that file is absent.
 */
export function defaultConfigName(): string | undefined {
  return existsSync(new URL("../../configs/default.json", import.meta.url)) ? "default" : undefined;
}

export function loadConfig(nameOrPath: string | undefined, sets: readonly string[] = []): Config {
  let raw: Record<string, unknown> = {};
  let source = "defaults";
  if (nameOrPath) {
    const candidates = [nameOrPath, new URL(`../../configs/${nameOrPath}.json`, import.meta.url).pathname];
    const file = candidates.find((p) => existsSync(p) && p.endsWith(".json"));
    if (!file) throw new BbioError(`config "${nameOrPath}" not found (give a .json path or one of configs/*.json)`);
    source = file;
    try {
      raw = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      throw new BbioError(`${file}: not valid JSON (${(e as Error).message})`);
    }
  }
  for (const s of sets) applySet(raw, s);
  return parseConfig(raw, source);
}

/** Identity of a config: hash of its canonical JSON with defaults filled (so `{}` and explicit defaults agree). */
export function configHash(config: Config): string {
  return hashOf(config);
}
