/**
 * Hypervolume per seed, with a bootstrap interval over seeds.
 *
 * A run's capability scores form one point per seed (or a set, e.g. several checkpoints); HV is computed for each
 * seed separately (hypervolume.ts, maximised objectives above `ref`, optionally divided by the ideal box), and the
 * seeds' HVs get a percentile bootstrap interval of their mean (bootstrap.ts). Seeds are the unit: the HV of the
 * pooled points of all seeds would reward seed-to-seed spread, not a better method. With one seed the interval is
 * the point itself (n = 1 says so): one seed gives no interval, and the caller must not present it as one.
 */
import { bootstrapCI, type BootstrapOptions, type CI } from "./bootstrap.ts";
import { hypervolume, normalizedHypervolume } from "./hypervolume.ts";
import type { Point } from "./pareto.ts";

export interface SeedPoints {
  seed: number | string;
  /** this seed's score vectors (one per run or checkpoint), each with one entry per objective */
  points: readonly Point[];
}

export interface HypervolumeBySeed {
  perSeed: { seed: number | string; hv: number }[];
  /** bootstrap CI of the mean HV over seeds */
  ci: CI;
}

export function hypervolumePerSeed(
  seeds: readonly SeedPoints[],
  ref: readonly number[],
  opts: BootstrapOptions & { ideal?: readonly number[] } = {},
): HypervolumeBySeed {
  if (seeds.length === 0) throw new Error("hypervolumePerSeed: no seeds");
  const ids = new Set(seeds.map((s) => s.seed));
  if (ids.size !== seeds.length) throw new Error("hypervolumePerSeed: a seed appears twice");
  const perSeed = seeds.map((s) => ({
    seed: s.seed,
    hv: opts.ideal ? normalizedHypervolume(s.points, ref, opts.ideal) : hypervolume(s.points, ref),
  }));
  const { ideal: _ideal, ...boot } = opts;
  return {
    perSeed,
    ci: bootstrapCI(
      perSeed.map((s) => s.hv),
      boot,
    ),
  };
}
