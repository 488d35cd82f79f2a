/**
 * TEST FIXTURE ONLY — a run store filled with SYNTHETIC rows, so the site and its loaders can be tested before (and
 * independently of) real training runs. Never used by `npm run build`; every run is named `fixture-*` and the
 * numbers mean nothing. Shapes follow src/store/schema.ts exactly (rows go through the store's own writer).
 */
import { Store } from "../../src/store/store.ts";
import { rngFor } from "../../src/util/rng.ts";

export const CAPS = ["knowledge", "reasoning", "instruction", "integration"] as const;
export const METHODS = ["sft-only", "sum", "pcgrad", "mgda", "cagrpo"] as const;

export interface FixtureOptions {
  /** total runs (methods × seeds, round-robin) */
  runs?: number;
  /** GRPO steps per run for metrics/grad_gram/weights; 0 = only runs/params/evals (the 1,000-run performance store) */
  steps?: number;
  items?: number;
  seed?: number;
  /** give every run its own config (a unique learning rate), so each run is its own point: the heaviest Pareto page */
  distinctConfigs?: boolean;
}

export async function makeFixtureStore(path: string, opts: FixtureOptions = {}): Promise<{ runs: number }> {
  const nRuns = opts.runs ?? 10;
  const steps = opts.steps ?? 12;
  const nItems = opts.items ?? 60;
  const rng = rngFor(opts.seed ?? 7, "fixture");
  const dataHash = "fixturedata00001";
  const store = new Store(path, { quiet: true });
  await store.write(async (db) => {
    const params: Record<string, unknown>[] = [];
    const evals: Record<string, unknown>[] = [];
    const metrics: Record<string, unknown>[] = [];
    const gram: Record<string, unknown>[] = [];
    const weights: Record<string, unknown>[] = [];
    for (let r = 0; r < nRuns; r++) {
      const method = METHODS[r % METHODS.length];
      const seed = Math.floor(r / METHODS.length);
      const id = `fx${String(r).padStart(5, "0")}`;
      const beta = method === "sft-only" ? null : seed % 2 ? 0.04 : 0.02;
      await db.run(
        `INSERT INTO runs VALUES (?, ?, ?, ?, ?, 'wasm', 'fixturecommit', false, ?, ?, 'complete', NULL, now(), now(), NULL)`,
        [id, `fixture-${method}-s${seed}`, JSON.stringify({ grpo: { method, beta } }), `cfg${id}`, seed, dataHash, method],
      );
      params.push({ run_id: id, key: "grpo.method", value: JSON.stringify(method === "sft-only" ? "none" : method) });
      params.push({ run_id: id, key: "seed", value: String(seed) });
      params.push({ run_id: id, key: "grpo.beta", value: JSON.stringify(beta) });
      params.push({ run_id: id, key: "model.d_model", value: "64" }); // same everywhere: must NOT reach params.arrow
      if (opts.distinctConfigs) params.push({ run_id: id, key: "grpo.learning_rate", value: String(1e-6 * (r + 1)) });
      const base = { "sft-only": 0.3, sum: 0.38, pcgrad: 0.4, mgda: 0.39, cagrpo: 0.42 }[method];
      CAPS.forEach((cap, k) => {
        const v = Math.min(0.95, base + 0.08 * Math.sin(r * 1.7 + k * 2.1) + 0.05 * rng());
        evals.push({ stage: "eval", step: steps, family: cap, metric: "score", value: v, ci_lo: v - 0.04, ci_hi: v + 0.04, n: 50, run_id: id });
        evals.push({ stage: "eval", step: steps, family: cap, metric: "format", value: 0.9, ci_lo: 0.85, ci_hi: 0.95, n: 50, run_id: id });
      });
      if (method === "sft-only" || steps === 0) continue;
      for (let s = 1; s <= steps; s++) {
        metrics.push({ run_id: id, stage: "grpo", step: s, name: "kl", value: 0.01 * s * (1 + rng() * 0.3) });
        metrics.push({ run_id: id, stage: "grpo", step: s, name: "clip_ratio/region_mean", value: 0.1 * rng() });
        metrics.push({ run_id: id, stage: "grpo", step: s, name: "loss", value: 1 / s + 0.1 * rng() });
        for (const [k, cap] of CAPS.entries()) {
          const rew = base + 0.02 * s + 0.1 * rng();
          metrics.push({ run_id: id, stage: "grpo", step: s, name: `rewards/${cap}/mean`, value: rew });
          metrics.push({ run_id: id, stage: "grpo", step: s, name: `rewards/${cap}/rule`, value: rew * 0.9 });
          metrics.push({ run_id: id, stage: "grpo", step: s, name: `rewards/${cap}/model`, value: rew * 1.1 });
          weights.push({ run_id: id, stage: "grpo", step: s, capability: cap, w: 0.25 + 0.05 * Math.sin(s + k), alpha: 0.5 + 0.1 * Math.cos(s), strategy: method });
          for (const [j, cap2] of CAPS.entries()) {
            const [a, b] = [Math.min(k, j), Math.max(k, j)]; // the Gram matrix is symmetric
            const cos = k === j ? 1 : Math.max(-1, Math.min(1, 0.4 * Math.sin(s * 0.7 + a + b * 2) + 0.1 * Math.cos(r + a * b)));
            gram.push({ run_id: id, stage: "grpo", step: s, cap_i: cap, cap_j: cap2, dot: cos * (1 + k) * (1 + j), cos });
          }
        }
      }
    }
    await db.append("run_params", params);
    for (const [table, rows] of [["evals", evals], ["metrics", metrics], ["grad_gram", gram], ["weights", weights]] as const)
      await db.append(table, rows as Record<string, unknown>[]);
    const items: Record<string, unknown>[] = [];
    const rejects: Record<string, unknown>[] = [];
    const pairs: Record<string, unknown>[] = [];
    for (let i = 0; i < nItems; i++) {
      const family = CAPS[i % 4];
      const term = `GO:${String(8150 + i).padStart(7, "0")}`;
      items.push({
        data_hash: dataHash, id: `it${i}`, family, kind: `${family}-kind${i % 2}`, split: i % 5 === 0 ? "test" : "train",
        prompt: `Fixture question ${i} about gene G${i} and ${term}?`, gold: `answer ${i}`,
        checks: [{ name: "exact" }], provenance: { genes: [`G${i}`], terms: [term], evidence: ["IDA"] }, options: null, seed: 7,
      });
      if (i % 3 === 0) pairs.push({ data_hash: dataHash, item_id: `it${i}`, family, split: "train", chosen: `answer ${i}`, rejected: `wrong ${i}`, corruption: "swap-term" });
      if (i % 4 === 0) rejects.push({ data_hash: dataHash, id: `rj${i}`, family, kind: `${family}-kind0`, stage: ["ontology", "workflow", "answerability"][i % 3], reason: "fixture-reason", detail: "synthetic" });
    }
    await db.append("items", items);
    await db.append("rejects", rejects);
    await db.append("pairs", pairs);
  });
  return { runs: nRuns };
}
