/**
 * Sweeps: a grid and/or a list of config overrides on one base config, expanded into runs.
 *
 *   {
 *     "name": "paper-ablations",                 // prefix of every run name
 *     "description": "...",
 *     "base": "ci",                               // configs/<name>.json or a .json path; omitted = defaults
 *     "set": { "grpo.max_steps": 4 },             // overrides common to every run
 *     "grid": { "grpo.method": ["sum", "cagrpo"], "seed": [0, 1] },   // full product of the axes
 *     "runs": [ { "grpo.method": "none" } ]       // extra runs, each = overrides (grid axes not applied)
 *   }
 *
 * `grid` may also be a list of grids (their union): one-factor-at-a-time ablations around a default, each crossed with
 * the methods and seeds, without the full product of every factor.
 *
 * A run = base + `set` + one grid point (or one `runs` entry). Its name is `<sweep>/<k=v,…>` over its own overrides
 * in sorted key order, so the config and therefore the run id (the config hash, as for `bbio run`) depend only on what
 * the run is, never on where the expansion put it. Runs that expand to the same config appear once. The expansion is
 * sorted by run id.
 *
 * Every override path must name a field of the config (checked against the defaults, so `grpo.methd` fails with the
 * list of fields that do exist); values are then validated by the config schema. Unknown sweep keys, an empty grid or
 * axis, or a bad value are one clear error before anything runs or is written.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { z } from "zod";
import { BbioError } from "../util/errors.ts";
import { canonicalJson } from "../util/hash.ts";
import { configSchema, formatZodError, loadConfig, parseConfig, applySet, type Config } from "../config/index.ts";
import { runIdOf } from "../pipeline/runner.ts";

const overrides = z.record(z.string().min(1), z.unknown());
const gridSchema = z
  .record(z.string().min(1), z.array(z.unknown()).min(1, "an axis needs at least one value (an empty axis makes an empty grid)"))
  .refine((g) => Object.keys(g).length > 0, "the grid is empty (give at least one axis, or leave grid out and list runs)");

export const sweepSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9_.-]+$/, "letters, digits, _ . - only")
      .optional(),
    description: z.string().default(""),
    base: z.string().optional(),
    set: overrides.default({}),
    grid: z.union([gridSchema, z.array(gridSchema).min(1, "the list of grids is empty")]).optional(),
    runs: z.array(overrides).min(1, "runs is empty").optional(),
  })
  .strict()
  .refine((s) => s.grid !== undefined || s.runs !== undefined, "a sweep needs a grid and/or a list of runs");
export type Sweep = z.infer<typeof sweepSchema>;

export interface SweepRun {
  /** config hash = the run id in the store */
  id: string;
  name: string;
  /** this run's own overrides (grid point or runs entry), dotted path → value */
  overrides: Record<string, unknown>;
  config: Config;
}

export interface ExpandedSweep {
  name: string;
  description: string;
  /** grid axes with their values, in file order (facets of the Ablations page) */
  axes: Record<string, unknown[]>;
  runs: SweepRun[];
}

/** Read and validate a sweep file (BbioError on any problem; nothing else happens). */
export function readSweep(file: string): { sweep: Sweep; name: string } {
  if (!existsSync(file)) throw new BbioError(`sweep file ${file} not found`, 2, "built-in sweeps are configs/sweeps/*.json");
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new BbioError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const sweep = parseSweep(raw, file);
  return { sweep, name: sweep.name ?? basename(file).replace(/\.json$/, "") };
}

export function parseSweep(raw: unknown, source = "sweep"): Sweep {
  const r = sweepSchema.safeParse(raw);
  if (!r.success) throw new BbioError(`invalid sweep\n${formatZodError(r.error, source)}`);
  return r.data;
}

/** Dotted paths of every leaf field the config has (from the schema defaults). */
export function configPaths(): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown, prefix: string) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v)) walk(x, prefix ? `${prefix}.${k}` : k);
    } else out.add(prefix);
  };
  walk(configSchema.parse({}), "");
  return out;
}

function checkPaths(keys: Iterable<string>, where: string, source: string): void {
  const known = configPaths();
  const bad = [...keys].filter((k) => !known.has(k));
  if (bad.length) {
    const hint = bad.map((b) => {
      const section = b.split(".")[0];
      const near = [...known].filter((k) => k.startsWith(section + ".") || k === section);
      return near.length
        ? `${section}: ${near.join(", ")}`
        : `top-level fields: ${[...new Set([...known].map((k) => k.split(".")[0]))].join(", ")}`;
    });
    throw new BbioError(
      `${source}: unknown config path${bad.length > 1 ? "s" : ""} ${bad.map((b) => `"${b}"`).join(", ")} in ${where}`,
      2,
      hint.join("\n"),
    );
  }
}

const show = (v: unknown) => (typeof v === "string" ? v : canonicalJson(v));

/** `k=v,k=v` in sorted key order: the run's name suffix (and what the Ablations page shows). */
export function overrideLabel(o: Record<string, unknown>): string {
  const keys = Object.keys(o).sort();
  return keys.length ? keys.map((k) => `${k}=${show(o[k])}`).join(",") : "base";
}

function product(axes: [string, unknown[]][]): Record<string, unknown>[] {
  let out: Record<string, unknown>[] = [{}];
  for (const [k, values] of axes) out = out.flatMap((o) => values.map((v) => ({ ...o, [k]: v })));
  return out;
}

/** Expand a validated sweep into runs, sorted by id; validates every path and every resulting config. */
export function expandSweep(sweep: Sweep, name: string, source = "sweep"): ExpandedSweep {
  const grids = sweep.grid === undefined ? [] : Array.isArray(sweep.grid) ? sweep.grid : [sweep.grid];
  checkPaths(Object.keys(sweep.set), "set", source);
  for (const [i, g] of grids.entries()) checkPaths(Object.keys(g), grids.length > 1 ? `grid[${i}]` : "grid", source);
  for (const [i, r] of (sweep.runs ?? []).entries()) checkPaths(Object.keys(r), `runs[${i}]`, source);
  if ("name" in sweep.set || grids.some((g) => "name" in g) || sweep.runs?.some((r) => "name" in r))
    throw new BbioError(`${source}: "name" cannot be overridden in a sweep (run names are <sweep>/<overrides>)`);

  const points = [...grids.flatMap((g) => product(Object.entries(g))), ...(sweep.runs ?? [])];
  const base = loadConfig(sweep.base);
  const byId = new Map<string, SweepRun>();
  for (const point of points) {
    const raw = structuredClone(base) as unknown as Record<string, unknown>;
    const all = { ...sweep.set, ...point };
    for (const [k, v] of Object.entries(all)) applySet(raw, `${k}=${JSON.stringify(v)}`);
    const label = overrideLabel(point);
    raw.name = `${name}/${label}`;
    let config: Config;
    try {
      config = parseConfig(raw, `${source} (${label})`);
    } catch (e) {
      throw e instanceof BbioError ? new BbioError(e.message.replace("invalid config", `invalid run in sweep ${name}`)) : e;
    }
    const id = runIdOf(config);
    if (!byId.has(id)) byId.set(id, { id, name: config.name, overrides: point, config });
  }
  const runs = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const axes: Record<string, unknown[]> = {};
  for (const g of grids)
    for (const [k, vs] of Object.entries(g)) {
      const have = (axes[k] ??= []);
      for (const v of vs) if (!have.some((x) => canonicalJson(x) === canonicalJson(v))) have.push(v);
    }
  return { name, description: sweep.description, axes, runs };
}

/** readSweep + expandSweep. */
export function loadSweep(file: string): ExpandedSweep {
  const { sweep, name } = readSweep(file);
  return expandSweep(sweep, name, file);
}
