/**
 * Shards: `--shard i/n` (0-based i) selects a deterministic subset of a sweep's runs, balanced by estimated cost.
 *
 * Assignment is greedy LPT (longest processing time first): runs sorted by amortized cost (descending, ties by run
 * id), each to the shard with the least load so far (ties: lowest index). It depends only on the set of runs and
 * their costs, never on the order of the sweep file, and every run lands in exactly one shard (a partition).
 *
 * On a cluster the shard comes from the engine: Slurm's SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT, Kubernetes'
 * JOB_COMPLETION_INDEX; BBIO_SHARDS fixes n (a single resubmitted array task sees SLURM_ARRAY_TASK_COUNT=1).
 */
import { BbioError } from "../util/errors.ts";

export interface Shard {
  index: number;
  count: number;
}

const HINT = "a shard is i/n with 0 ≤ i < n, e.g. --shard 0/3, 1/3, 2/3";

export function parseShard(spec: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec);
  if (!m) throw new BbioError(`invalid shard "${spec}": expected i/n with whole numbers`, 2, HINT);
  const index = Number(m[1]),
    count = Number(m[2]);
  if (count < 1) throw new BbioError(`invalid shard "${spec}": n must be at least 1`, 2, HINT);
  if (index >= count)
    throw new BbioError(
      `invalid shard "${spec}": index ${index} is out of range for ${count} shard${count === 1 ? "" : "s"} (0…${count - 1})`,
      2,
      HINT,
    );
  return { index, count };
}

/**
 * The shard this process is, from the environment, or null when none says: index from SLURM_ARRAY_TASK_ID or
 * JOB_COMPLETION_INDEX, count from BBIO_SHARDS, else SLURM_ARRAY_TASK_COUNT.
 */
export function shardFromEnv(env: NodeJS.ProcessEnv = process.env): Shard | null {
  const index = env.SLURM_ARRAY_TASK_ID ?? env.JOB_COMPLETION_INDEX;
  if (index === undefined || index === "") return null;
  const count = env.BBIO_SHARDS || env.SLURM_ARRAY_TASK_COUNT;
  const from = `${env.SLURM_ARRAY_TASK_ID !== undefined ? "SLURM_ARRAY_TASK_ID" : "JOB_COMPLETION_INDEX"}=${index}, ${env.BBIO_SHARDS ? "BBIO_SHARDS" : "SLURM_ARRAY_TASK_COUNT"}=${count ?? "(unset)"}`;
  if (!count) throw new BbioError(`shard index ${index} from the environment but no shard count (${from})`, 2, "set BBIO_SHARDS=n");
  try {
    return parseShard(`${index}/${count}`);
  } catch (e) {
    throw new BbioError(
      `${(e as Error).message} (from ${from})`,
      2,
      env.BBIO_SHARDS ? HINT : "a resubmitted single array task sees SLURM_ARRAY_TASK_COUNT=1: set BBIO_SHARDS to the sweep's shard count",
    );
  }
}

/** Partition runs into `count` shards by cost (LPT). Returns shard index → run ids (each list sorted by id). */
export function assignShards(runs: readonly { id: string; cost: number }[], count: number): string[][] {
  const order = [...runs].sort((a, b) => b.cost - a.cost || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const load = new Array<number>(count).fill(0);
  const out: string[][] = Array.from({ length: count }, () => []);
  for (const r of order) {
    let best = 0;
    for (let i = 1; i < count; i++) if (load[i] < load[best] - 1e-9) best = i;
    load[best] += r.cost;
    out[best].push(r.id);
  }
  for (const l of out) l.sort();
  return out;
}

/** Ids of the runs in shard `s`. */
export function shardRuns(runs: readonly { id: string; cost: number }[], s: Shard): Set<string> {
  return new Set(assignShards(runs, s.count)[s.index]);
}

/** `shard-<i>-of-<n>.duckdb`: the store file of a shard in a shard folder. */
export function shardStoreName(s: Shard): string {
  return `shard-${s.index}-of-${s.count}.duckdb`;
}
