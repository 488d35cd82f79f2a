/**
 * TEST FIXTURE ONLY — a run store filled with SYNTHETIC rows, so the site and its loaders can be tested before (and
 * independently of) real training runs. Never used by `npm run build`; every run is named `fixture-*` and the
 * numbers mean nothing. Shapes follow src/store/schema.ts exactly (rows go through the store's own writer), and the
 * NAMES follow what the real stages write, so the pages are tested against what they will meet:
 *   runs.config        the full config JSON (model section included), flattened into run_params like Store.startRun
 *   metrics  generate  data/items/<cap>, data/rejects/<cap>
 *            sft       train/loss, train/lr, eval/loss
 *            grpo      reward, reward_std, frac_reward_zero_std, rewards/<cap>/{mean,std,rule,model}, weights/<cap>,
 *                      coef/<cap>, alpha/<cap>, kl, clip_ratio/{low,high,region}_mean, completions/mean_length,
 *                      entropy, learning_rate, loss, grad_norm, grad/norm/<cap>, grad/cos/<a>/<b>, grad/conflict_fraction
 *            eval      eval/<cap>/mean
 *   grad_gram          both triangles + diagonal; one step where a capability's gradient is exactly zero (the real
 *                      `cosines()` then writes cos 0 — the loader must turn that into "no cosine", not "orthogonal")
 *   weights            strategy "<weight_strategy>/<method>"
 *   completions        at step 1, every 4th step and the last
 *   evals (stage eval) metric "score" (headline, strict) with CI, "score_mean" (partial credit: equal to "score" for
 *                      knowledge and reasoning, higher for instruction and integration, as a tiny model's strict pass
 *                      rates there sit far below its mean rule score), plus "format", "baseline/chance", "baseline/untrained"
 */
import { Store, flatten } from "../../src/store/store.ts";
import { rngFor } from "../../src/util/rng.ts";

/** parameter blocks of the fixture model for grad_gram_blocks: (name, parameter count) */
const BLOCKS: [string, number][] = [
  ["embeddings", 33024],
  ["h.0.attn", 16512],
  ["h.0.mlp", 33088],
  ["layernorm", 640],
];

export const CAPABILITIES = ["knowledge", "reasoning", "instruction", "integration"] as const;
export const METHODS = ["sft-only", "sum", "pcgrad", "mgda", "cagrpo"] as const;
/** one config per variant (seeds of a variant share it): the five methods, plus capability-aware GRPO with the dynamic weight strategy */
export const VARIANTS = [
  { method: "sft-only", weight_strategy: "uniform" },
  { method: "sum", weight_strategy: "uniform" },
  { method: "pcgrad", weight_strategy: "uniform" },
  { method: "mgda", weight_strategy: "uniform" },
  { method: "cagrpo", weight_strategy: "uniform" },
  { method: "cagrpo", weight_strategy: "dynamic" },
] as const;
export const FIXTURE_MODEL = { n_layer: 2, n_head: 4, n_embd: 64, block_size: 128, dropout: 0, vocab_size: 512 };

export interface FixtureOptions {
  /** total runs (variants × seeds, round-robin: run r is variant r mod 6, seed ⌊r / 6⌋) */
  runs?: number;
  /** GRPO steps per run for metrics/grad_gram/weights; 0 = only runs/params/evals (the 1,000-run performance store) */
  steps?: number;
  items?: number;
  seed?: number;
  /** give every run its own config (a unique learning rate), so each run is its own point: the heaviest Pareto page */
  distinctConfigs?: boolean;
  /**
   * add the conflict control's runs (data.conflict_control: capitals vs lower case): SFT-only, then sum and pcgrad with
   * 5 seeds each, with greedy `score` and `sampled` slot scores only (no metrics or Grams). Plain GRPO's lower case
   * collapses (0.01–0.05) while PCGrad keeps it (0.20–0.24) in every seed: 5 vs 5 disjoint seeds, rank-test p = 1/252,
   * so the Orthogonality page must say "above every seed" (with 2 or 3 seeds it may not).
   */
  conflictRuns?: boolean;
}

const CONFLICT_FIXTURE = [
  { method: "sft-only", seed: 0, caps: 0.11, lower: 0.22 },
  { method: "sum", seed: 0, caps: 0.6, lower: 0.01 },
  { method: "sum", seed: 1, caps: 0.7, lower: 0.04 },
  { method: "sum", seed: 2, caps: 0.65, lower: 0.02 },
  { method: "sum", seed: 3, caps: 0.75, lower: 0.05 },
  { method: "sum", seed: 4, caps: 0.62, lower: 0.03 },
  { method: "pcgrad", seed: 0, caps: 0.45, lower: 0.2 },
  { method: "pcgrad", seed: 1, caps: 0.4, lower: 0.24 },
  { method: "pcgrad", seed: 2, caps: 0.42, lower: 0.22 },
  { method: "pcgrad", seed: 3, caps: 0.5, lower: 0.21 },
  { method: "pcgrad", seed: 4, caps: 0.44, lower: 0.23 },
] as const;

export async function makeFixtureStore(path: string, opts: FixtureOptions = {}): Promise<{ runs: number }> {
  const nRuns = opts.runs ?? 12;
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
    const completions: Record<string, unknown>[] = [];
    // (no rng() draws for the tables below: every other fixture number stays as it was)
    const blocks: Record<string, unknown>[] = [];
    const evalItems: Record<string, unknown>[] = [];
    const metric = (run_id: string, stage: string, step: number, name: string, value: number) =>
      metrics.push({ run_id, stage, step, name, value });
    for (let r = 0; r < nRuns; r++) {
      const v = VARIANTS[r % VARIANTS.length];
      const method = v.method;
      const seed = Math.floor(r / VARIANTS.length);
      const id = `fx${String(r).padStart(5, "0")}`;
      const name = `fixture-${method}${v.weight_strategy === "uniform" ? "" : `-${v.weight_strategy}`}-s${seed}`;
      const config = {
        name,
        seed,
        model: FIXTURE_MODEL,
        grpo: {
          method: method === "sft-only" ? "none" : method,
          weight_strategy: v.weight_strategy,
          beta: 0.04,
          max_steps: steps,
          ...(opts.distinctConfigs ? { learning_rate: 1e-6 * (r + 1) } : {}),
        },
      };
      await db.run(
        `INSERT INTO runs VALUES (?, ?, ?, ?, ?, 'wasm', 'fixturecommit', false, ?, ?, 'complete', NULL, now(), now(), NULL, NULL)`,
        [id, name, JSON.stringify(config), `cfg${id}`, seed, dataHash, method],
      );
      for (const [key, value] of flatten(config)) params.push({ run_id: id, key, value });

      const base = { "sft-only": 0.3, sum: 0.38, pcgrad: 0.4, mgda: 0.39, cagrpo: v.weight_strategy === "dynamic" ? 0.41 : 0.42 }[method];
      const evalStep = method === "sft-only" ? 0 : steps;
      CAPABILITIES.forEach((cap, k) => {
        const val = Math.min(0.95, base + 0.08 * Math.sin((r % VARIANTS.length) * 1.7 + k * 2.1) + 0.05 * rng());
        evals.push({
          stage: "eval",
          step: evalStep,
          capability: cap,
          metric: "score",
          value: val,
          ci_lo: val - 0.04,
          ci_hi: val + 0.04,
          n: 50,
          run_id: id,
        });
        // partial credit ≥ strict; no rng() draw, so every other fixture number stays as it was
        const partial = cap === "instruction" || cap === "integration" ? Math.min(0.98, val + 0.15 + 0.08 * Math.cos(r * 1.3 + k)) : val;
        evals.push({
          stage: "eval",
          step: evalStep,
          capability: cap,
          metric: "score_mean",
          value: partial,
          ci_lo: partial - 0.05,
          ci_hi: Math.min(1, partial + 0.05),
          n: 50,
          run_id: id,
        });
        evals.push({
          stage: "eval",
          step: evalStep,
          capability: cap,
          metric: "format",
          value: 0.9,
          ci_lo: 0.85,
          ci_hi: 0.95,
          n: 50,
          run_id: id,
        });
        evals.push({
          stage: "eval",
          step: evalStep,
          capability: cap,
          metric: "baseline/chance",
          value: 0.1 + 0.05 * k,
          ci_lo: null,
          ci_hi: null,
          n: 50,
          run_id: id,
        });
        evals.push({
          stage: "eval",
          step: evalStep,
          capability: cap,
          metric: "baseline/untrained",
          value: 0.02,
          ci_lo: 0,
          ci_hi: 0.06,
          n: 50,
          run_id: id,
        });
        if (steps > 0) metric(id, "eval", evalStep, `eval/${cap}/mean`, val);
        // per-item headline values (paired comparisons): 20 extraction items a capability, 10 control
        for (let i = 0; i < 30; i++)
          evalItems.push({
            run_id: id,
            stage: "eval",
            step: evalStep,
            item_id: `${cap}-${i}`,
            capability: cap,
            kind: `${cap}-kind`,
            split: i < 20 ? "eval" : "control",
            value: i < 20 ? ((i * 7 + r * 3 + k) % 10 < val * 10 ? 1 : 0) : i % 4 === 0 ? 1 : 0,
            partial: 0.5,
          });
      });
      if (steps === 0) continue;
      for (const cap of CAPABILITIES) {
        metric(id, "generate", 0, `data/items/${cap}`, nItems / 4);
        metric(id, "generate", 0, `data/rejects/${cap}`, nItems / 16);
      }
      // the SFT capacity probe (Data page): extraction rises with card reads, the control stays at chance
      for (let s = 0; s <= 8; s++) {
        metric(id, "sft", 100 * s, "probe/card_reads_per_gene", 15 * s);
        metric(id, "sft", 100 * s, "probe/extraction", Math.min(0.9, 0.25 + 0.09 * s));
        metric(id, "sft", 100 * s, "probe/train_qa", Math.min(1, 0.3 + 0.1 * s));
        metric(id, "sft", 100 * s, "probe/control", 0.27);
      }
      for (let s = 1; s <= 8; s++) {
        metric(id, "sft", s, "train/loss", 4 / s + 0.2 * rng());
        metric(id, "sft", s, "train/lr", 1e-3);
        if (s % 4 === 0) metric(id, "sft", s, "eval/loss", 4.5 / s);
      }
      if (method === "sft-only") continue;
      for (let s = 1; s <= steps; s++) {
        metric(id, "grpo", s, "kl", 0.01 * s * (1 + rng() * 0.3));
        for (const side of ["low", "high", "region"]) metric(id, "grpo", s, `clip_ratio/${side}_mean`, 0.05 * rng());
        metric(id, "grpo", s, "loss", 1 / s + 0.1 * rng());
        metric(id, "grpo", s, "reward", base + 0.02 * s);
        metric(id, "grpo", s, "reward_std", 0.1 + 0.05 * rng());
        metric(id, "grpo", s, "frac_reward_zero_std", 0.3 * rng());
        metric(id, "grpo", s, "completions/mean_length", 20 + 10 * rng());
        metric(id, "grpo", s, "entropy", 2 - 0.05 * s);
        metric(id, "grpo", s, "learning_rate", 2e-4);
        metric(id, "grpo", s, "grad_norm", 1 + rng());
        // step 3: the integration batch had zero advantage everywhere → its gradient is exactly 0
        const zero = (cap: string) => s === 3 && cap === "integration";
        const cosOf = (k: number, j: number) => {
          if (zero(CAPABILITIES[k]) || zero(CAPABILITIES[j])) return 0; // what src/weighting cosines() writes for a zero gradient
          if (k === j) return 1;
          const [a, b] = [Math.min(k, j), Math.max(k, j)]; // the Gram matrix is symmetric
          return Math.max(-1, Math.min(1, 0.4 * Math.sin(s * 0.7 + a + b * 2) + 0.1 * Math.cos(r + a * b)));
        };
        let conflicts = 0,
          pairs = 0;
        for (const [k, cap] of CAPABILITIES.entries()) {
          const rew = base + 0.02 * s + 0.1 * rng();
          metric(id, "grpo", s, `rewards/${cap}/mean`, rew);
          metric(id, "grpo", s, `rewards/${cap}/std`, 0.1 * rng());
          metric(id, "grpo", s, `rewards/${cap}/rule`, rew * 0.9);
          metric(id, "grpo", s, `rewards/${cap}/model`, rew * 1.1);
          const w = 0.25 + 0.05 * Math.sin(s + k),
            alpha = 0.5 + 0.1 * Math.cos(s);
          metric(id, "grpo", s, `weights/${cap}`, w);
          metric(id, "grpo", s, `coef/${cap}`, w);
          metric(id, "grpo", s, `alpha/${cap}`, alpha);
          metric(id, "grpo", s, `grad/norm/${cap}`, zero(cap) ? 0 : 1 + k);
          weights.push({ run_id: id, stage: "grpo", step: s, capability: cap, w, alpha, strategy: `${v.weight_strategy}/${method}` });
          for (const [j, cap2] of CAPABILITIES.entries()) {
            const cos = cosOf(k, j);
            const norm = (c: number) => (zero(CAPABILITIES[c]) ? 0 : 1 + c);
            gram.push({ run_id: id, stage: "grpo", step: s, capability_i: cap, capability_j: cap2, dot: cos * norm(k) * norm(j), cos });
            BLOCKS.forEach(([block, size], b) => {
              const bc = Math.max(-1, Math.min(1, cos * (1 - 0.2 * b)));
              blocks.push({
                run_id: id,
                stage: "grpo",
                step: s,
                block,
                block_size: size,
                capability_i: cap,
                capability_j: cap2,
                dot: (bc * norm(k) * norm(j)) / BLOCKS.length,
                cos: bc,
              });
            });
            if (k < j) {
              metric(id, "grpo", s, `grad/cos/${cap}/${cap2}`, cos);
              pairs++;
              conflicts += cos < 0 ? 1 : 0;
            }
          }
        }
        metric(id, "grpo", s, "grad/conflict_fraction", conflicts / pairs);
        if (s === 1 || s === steps || s % 4 === 0)
          for (const [k, cap] of CAPABILITIES.entries()) {
            const reward = Math.min(1, 0.2 + 0.05 * s * rng());
            completions.push({
              run_id: id,
              stage: "grpo",
              step: s,
              item_id: `it${k}`,
              capability: cap,
              prompt: `Fixture question ${k}?`,
              completion: s === 1 ? "gene gene gene" : `answer ${k}`,
              rewards: JSON.stringify({ [cap]: { rule: reward, model: reward, hybrid: reward } }),
              reward,
              advantage: reward - 0.3,
            });
          }
      }
    }
    if (opts.conflictRuns)
      for (const [k, c] of CONFLICT_FIXTURE.entries()) {
        const id = `fxc${String(k).padStart(4, "0")}`;
        const name = `fixture-conflict-${c.method}-s${c.seed}`;
        const config = {
          name,
          seed: c.seed,
          model: FIXTURE_MODEL,
          data: { conflict_control: true },
          grpo: { method: c.method === "sft-only" ? "none" : c.method },
        };
        await db.run(
          `INSERT INTO runs VALUES (?, ?, ?, ?, ?, 'wasm', 'fixturecommit', false, ?, ?, 'complete', NULL, now(), now(), NULL, NULL)`,
          [id, name, JSON.stringify(config), `cfg${id}`, c.seed, dataHash, c.method],
        );
        for (const [key, value] of flatten(config)) params.push({ run_id: id, key, value });
        const step = c.method === "sft-only" ? 0 : steps;
        for (const [capability, sampled] of [
          ["instruction", c.caps],
          ["integration", c.lower],
        ] as const) {
          const greedy = sampled > 0.3 ? 1 : 0;
          evals.push({ stage: "eval", step, capability, metric: "score", value: greedy, ci_lo: greedy, ci_hi: greedy, n: 20, run_id: id });
          evals.push({
            stage: "eval",
            step,
            capability,
            metric: "sampled",
            value: sampled,
            ci_lo: sampled - 0.05,
            ci_hi: sampled + 0.05,
            n: 20,
            run_id: id,
          });
        }
      }
    await db.append("run_params", params);
    for (const [table, rows] of [
      ["evals", evals],
      ["metrics", metrics],
      ["grad_gram", gram],
      ["grad_gram_blocks", blocks],
      ["eval_items", evalItems],
      ["weights", weights],
      ["completions", completions],
    ] as const)
      await db.append(table, rows as Record<string, unknown>[]);
    const items: Record<string, unknown>[] = [];
    const rejects: Record<string, unknown>[] = [];
    const pairs: Record<string, unknown>[] = [];
    for (let i = 0; i < nItems; i++) {
      const capability = CAPABILITIES[i % 4];
      const term = `GO:${String(8150 + i).padStart(7, "0")}`;
      items.push({
        data_hash: dataHash,
        id: `it${i}`,
        capability,
        kind: `${capability}-kind${i % 2}`,
        split: i % 5 === 0 ? "test" : "train",
        prompt: `Fixture question ${i} about gene G${i} and ${term}?`,
        gold: `answer ${i}`,
        checks: [{ name: "exact" }],
        provenance: { genes: [`G${i}`], terms: [term], evidence: ["IDA"] },
        options: null,
        seed: 7,
      });
      if (i % 3 === 0)
        pairs.push({
          data_hash: dataHash,
          item_id: `it${i}`,
          capability,
          split: "train",
          chosen: `answer ${i}`,
          rejected: `wrong ${i}`,
          corruption: "swap-term",
        });
      if (i % 4 === 0)
        rejects.push({
          data_hash: dataHash,
          id: `rj${i}`,
          capability,
          kind: `${capability}-kind0`,
          stage: ["ontology", "workflow", "answerability"][i % 3],
          reason: "fixture-reason",
          detail: "synthetic",
        });
    }
    await db.append("items", items);
    await db.append("rejects", rejects);
    await db.append("pairs", pairs);
  });
  return { runs: nRuns };
}
