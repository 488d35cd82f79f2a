/**
 * Estimated cost of a sweep, from measured stage times.
 *
 * Every run is planned as the runner would (planStages + stageInputHash), so runs that share an upstream stage (same
 * generate/sft/rm inputs) share its hash and the stage is counted once. A stage's seconds come from, in order:
 *   1. "hash"     the same stage input hash computed (not reused) in a store: its measured seconds;
 *   2. "shape"    the same stage, version and config slice (another seed / upstream): its measured seconds;
 *   3. "stage"    the same stage in the store, scaled by the work ratio of the fallback formula below;
 *   4. "fallback" a formula in steps × batch × model size, calibrated on configs/ci.json on one core (2026-11).
 * Plus a fixed per-run process overhead (TF.js start, store bookkeeping; measured ≈ 3 s).
 */
import { evalSchema, scoresControl } from "../eval/config.ts";
import { withoutRl } from "../grpo/config.ts";
import { hashOf } from "../util/hash.ts";
import { planStages, stageInputHash } from "../pipeline/runner.ts";
import type { BaseConfig, PipelineSpec, StageDef } from "../pipeline/stage.ts";

export const RUN_OVERHEAD_S = 3;

export interface MeasuredStage {
  stage: string;
  input_hash: string;
  seconds: number;
  /** the measuring run's config (to compute the shape key) */
  config: unknown;
}

export type EstimateSource = "hash" | "shape" | "stage" | "fallback";

export interface PlannedStage {
  stage: string;
  hash: string;
  seconds: number;
  source: EstimateSource;
}

export interface RunCost {
  id: string;
  stages: PlannedStage[];
  /** Σ own stage seconds, each shared stage divided among the runs of the sweep that need it, + overhead */
  amortized: number;
}

export interface SweepCost {
  runs: RunCost[];
  /** distinct stages (by hash) with their estimate and how many runs need each */
  stages: Map<string, PlannedStage & { users: number }>;
  /** one core, serial: every distinct stage once + per-run overhead */
  serialSeconds: number;
}

// ---- fallback formulas ----------------------------------------------------------------------------------------------
// Seconds on one core of the reference machine (native backend, one thread per run), as fixed cost + work × (a + b·f)
// with f = n_layer·n_embd²·block_size, fitted to two measured points per stage: configs/ci.json (generate 3.3 s,
// sft 3.9, rm 2.0, grpo 1.8, eval 1.6, baseline 0.6; a loaded machine) and the default config of 2026-11 (generate
// 1.4 s, sft 74 for 0.82 M tokens, rm 8, grpo 21–33, eval 7–9, baseline 8); today's default (2 M SFT tokens) measured
// 239 s of SFT where the formula says 181 (its vocabulary is larger; the whole run within 20%). SFT work is tokens (packed rows × pack_length);
// evaluation work doubles when the control split is scored. Between those shapes they are good to tens of percent; far
// above (configs/paper.json) they only give an order of magnitude: plan with measured stages once one run exists.
// biome-ignore lint/suspicious/noExplicitAny: reads any stage's config section by key, shapes checked at use
type AnyConfig = Record<string, any>;
export function fallbackSeconds(stage: string, config: unknown): number {
  const c = (config ?? {}) as AnyConfig;
  const m = c.model ?? {};
  const f = (m.n_layer ?? 2) * (m.n_embd ?? 128) ** 2 * (m.block_size ?? 256);
  const evalPer = c.eval?.max_items_per_family || Math.max(1, Math.round((c.data?.world?.genes ?? 64) / 2));
  const evalWork = (c.eval?.capabilities?.length ?? 4) * evalPer * (c.eval?.max_new_tokens ?? 128);
  switch (stage) {
    case "generate":
      return 2;
    case "sft": {
      const tokens = (c.sft?.max_steps ?? 300) * (c.sft?.batch_size ?? 16) * (c.sft?.pack_length || 64);
      return 3 + tokens * (2e-5 + 8e-12 * f);
    }
    case "rm":
      return 1.5 + (c.rm?.max_steps ?? 60) * (c.rm?.batch_size ?? 8) * (0.005 + 1.4e-9 * f);
    case "grpo": {
      const g = c.grpo ?? {};
      const tokens = 4 * (g.prompts_per_capability ?? 2) * (g.num_generations ?? 4) * (g.max_completion_length ?? 64);
      return 1.4 + (g.max_steps ?? 16) * (0.15 + tokens * (0.0003 + 3.4e-11 * f)) * (g.num_iterations ?? 1);
    }
    case "eval": {
      // the eval stage's own rule (stages.ts), with the schema's default where a partial config leaves it out
      const control = scoresControl(c.eval?.control ?? evalSchema.shape.control.parse(undefined), !(c.grpo && withoutRl(c.grpo)));
      return 1.5 + evalWork * (control ? 2 : 1) * (2e-5 + 6.5e-12 * f);
    }
    case "baseline":
      return 0.8 + evalWork * (5e-5 + 1.1e-11 * f);
    default:
      return 1;
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export function shapeKey<C extends BaseConfig>(s: StageDef<C>, config: C): string {
  return hashOf({ stage: s.name, version: s.version, slice: s.slice(config) ?? null });
}

/** The planned stages (name, input hash) of a config; `backend` only has to be the same for every run. */
export function plannedStages<C extends BaseConfig>(
  spec: PipelineSpec<C>,
  config: C,
  backend: string,
): { def: StageDef<C>; hash: string }[] {
  const hashes = new Map<string, string>();
  return planStages(spec, config).map((s) => {
    const upstream = Object.fromEntries(s.deps(config).map((d) => [d, { hash: hashes.get(d)!, dir: "" }]));
    const hash = stageInputHash(s, config, backend, upstream);
    hashes.set(s.name, hash);
    return { def: s, hash };
  });
}

export function estimateSweep<C extends BaseConfig>(
  runs: readonly { id: string; config: C }[],
  spec: PipelineSpec<C>,
  measured: readonly MeasuredStage[],
  opts: { backend?: string; fallback?: (stage: string, config: C) => number; overhead?: number } = {},
): SweepCost {
  const fallback = opts.fallback ?? ((st: string, c: C) => fallbackSeconds(st, c));
  const overhead = opts.overhead ?? RUN_OVERHEAD_S;
  const backend = opts.backend ?? "auto";
  const byHash = new Map<string, number[]>();
  const byShape = new Map<string, number[]>();
  const byStage = new Map<string, { seconds: number; work: number }[]>();
  const defs = new Map(spec.stages.map((s) => [s.name, s]));
  for (const m of measured) {
    if (!(m.seconds >= 0)) continue;
    (byHash.get(m.input_hash) ?? byHash.set(m.input_hash, []).get(m.input_hash)!).push(m.seconds);
    const def = defs.get(m.stage);
    if (def && m.config) {
      try {
        const k = shapeKey(def, m.config as C);
        (byShape.get(k) ?? byShape.set(k, []).get(k)!).push(m.seconds);
      } catch {
        /* a config of another shape (older schema): only its hash and stage name count */
      }
    }
    (byStage.get(m.stage) ?? byStage.set(m.stage, []).get(m.stage)!).push({
      seconds: m.seconds,
      work: Math.max(1e-9, fallback(m.stage, m.config as C)),
    });
  }
  const estimate = (def: StageDef<C>, config: C, hash: string): { seconds: number; source: EstimateSource } => {
    const h = byHash.get(hash);
    if (h) return { seconds: median(h), source: "hash" };
    const s = byShape.get(shapeKey(def, config));
    if (s) return { seconds: median(s), source: "shape" };
    const st = byStage.get(def.name);
    if (st) return { seconds: median(st.map((x) => x.seconds / x.work)) * fallback(def.name, config), source: "stage" };
    return { seconds: fallback(def.name, config), source: "fallback" };
  };

  const stages = new Map<string, PlannedStage & { users: number }>();
  const perRun = runs.map((r) => {
    const list = plannedStages(spec, r.config, backend).map(({ def, hash }) => {
      const known = stages.get(hash);
      if (known) {
        known.users++;
        return known;
      }
      const e = estimate(def, r.config, hash);
      const p = { stage: def.name, hash, ...e, users: 1 };
      stages.set(hash, p);
      return p;
    });
    return { id: r.id, list };
  });
  const costs: RunCost[] = perRun.map(({ id, list }) => ({
    id,
    stages: list.map(({ stage, hash, seconds, source }) => ({ stage, hash, seconds, source })),
    amortized: overhead + list.reduce((a, s) => a + s.seconds / s.users, 0),
  }));
  const serialSeconds = [...stages.values()].reduce((a, s) => a + s.seconds, 0) + overhead * runs.length;
  return { runs: costs, stages, serialSeconds };
}

/** Seconds a set of runs costs when it computes every stage it needs itself (no shared cache): distinct stages once. */
export function ownCost(costs: readonly RunCost[], overhead = RUN_OVERHEAD_S): number {
  const seen = new Map<string, number>();
  for (const r of costs) for (const s of r.stages) seen.set(s.hash, s.seconds);
  return [...seen.values()].reduce((a, b) => a + b, 0) + overhead * costs.length;
}
