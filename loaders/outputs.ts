/**
 * Every data file the site reads, one per page concern, all written as Arrow IPC members of one archive by the one
 * loader docs/data/site.tar.ts (emit.ts): its schema (the contract pages code against, checked by test/loaders) and
 * the SQL that fills it from the store's v_* views (complete runs only).
 *
 * Capability scores: the eval stage may report several metrics per capability; the site's "score" for a capability is
 * chosen here, once, so every page agrees on it, under two DEFINITIONS (scores.arrow's `definition` column):
 *   strict   the headline and the paper's meaning: the preferred metric (score > accuracy > acc > first by name; never
 *            a partial-credit mean or a baseline) — letter accuracy / answer+chain score / IFEval prompt-level strict /
 *            all integration components pass. Every page uses it unless the reader picks otherwise.
 *   partial  the eval stage's partial credit `score_mean` (mean rule-based score per item in [0, 1]). A tiny model
 *            trained for minutes scores strict 0 on instruction and integration; this is where the runs still differ.
 * Both at the last evaluated step.
 */
import type { Schema } from "./arrow.ts";

export interface Output {
  /** member name in data/site.tar (written by the one archive loader docs/data/site.tar.ts → emit.ts; Arrow IPC) */
  file: string;
  doc: string;
  schema: Schema;
  sql: string;
}

const METRIC_RANK = `CASE metric WHEN 'score' THEN 0 WHEN 'accuracy' THEN 1 WHEN 'acc' THEN 2 ELSE 3 END`;
/** the metric behind each score definition besides "strict" (which is the preferred metric, METRIC_RANK) */
export const PARTIAL_METRIC = "score_mean";
/** metrics that are never the strict score: partial-credit means and reference levels */
const NOT_STRICT = `metric NOT IN ('${PARTIAL_METRIC}', 'loose_score_mean') AND metric NOT LIKE 'baseline/%'`;

export const OUTPUTS: readonly Output[] = [
  {
    file: "runs.arrow",
    doc: "one row per complete run",
    schema: [
      ["id", "string"],
      ["name", "string"],
      ["method", "string"],
      ["seed", "int"],
      ["backend", "string"],
      ["config_hash", "string"],
      ["data_hash", "string"],
      ["git_commit", "string"],
      ["git_dirty", "bool"],
    ],
    sql: `SELECT id, name, method, seed, backend, config_hash, data_hash, git_commit, git_dirty FROM v_runs ORDER BY name, seed, id`,
  },
  {
    file: "params.arrow",
    doc: "config keys whose value differs between runs (long: run × key); the ablation table's columns",
    schema: [
      ["run_id", "string"],
      ["key", "string"],
      ["value", "string"],
    ],
    sql: `WITH n AS (SELECT count(*) AS runs FROM v_runs),
               k AS (SELECT key FROM v_run_params GROUP BY key
                     HAVING count(DISTINCT value) > 1 OR count(*) < (SELECT runs FROM n))
          SELECT run_id, key, value FROM v_run_params WHERE key IN (SELECT key FROM k) AND key <> 'name'
          ORDER BY run_id, key`,
  },
  {
    file: "scores.arrow",
    doc: "final capability score per run × capability × definition ('strict': preferred metric; 'partial': score_mean), last step, with its CI",
    schema: [
      ["run_id", "string"],
      ["capability", "string"],
      ["definition", "string"],
      ["metric", "string"],
      ["step", "int"],
      ["value", "float"],
      ["ci_lo", "float"],
      ["ci_hi", "float"],
      ["n", "int"],
    ],
    sql: `WITH s AS (SELECT *, 'strict' AS definition, row_number() OVER (PARTITION BY run_id, capability
                                                  ORDER BY ${METRIC_RANK}, metric, step DESC NULLS LAST) AS rk
                     FROM v_evals WHERE ${NOT_STRICT}),
               p AS (SELECT *, 'partial' AS definition, row_number() OVER (PARTITION BY run_id, capability
                                                  ORDER BY step DESC NULLS LAST) AS rk
                     FROM v_evals WHERE metric = '${PARTIAL_METRIC}')
          SELECT run_id, capability, definition, metric, step, value, ci_lo, ci_hi, n
          FROM (SELECT * FROM s WHERE rk = 1 UNION ALL BY NAME SELECT * FROM p WHERE rk = 1)
          ORDER BY run_id, capability, definition DESC`,
  },
  {
    file: "evals.arrow",
    doc: "every eval metric per run × capability at its last evaluated step: the headline 'score', its parts, and the reference levels 'baseline/chance' and 'baseline/untrained'",
    schema: [
      ["run_id", "string"],
      ["capability", "string"],
      ["metric", "string"],
      ["step", "int"],
      ["value", "float"],
      ["ci_lo", "float"],
      ["ci_hi", "float"],
      ["n", "int"],
    ],
    sql: `SELECT run_id, capability, metric, step, value, ci_lo, ci_hi, n FROM v_evals
          QUALIFY row_number() OVER (PARTITION BY run_id, capability, metric ORDER BY step DESC NULLS LAST) = 1
          ORDER BY run_id, capability, metric`,
  },
  {
    file: "metrics.arrow",
    doc: "training scalars (TRL names) per run × stage × step",
    schema: [
      ["run_id", "string"],
      ["stage", "string"],
      ["step", "int"],
      ["name", "string"],
      ["value", "float"],
    ],
    sql: `SELECT run_id, stage, step, name, value FROM v_metrics ORDER BY run_id, stage, name, step`,
  },
  {
    file: "gram.arrow",
    doc: "pairwise per-capability gradient dot products and cosines per step",
    schema: [
      ["run_id", "string"],
      ["step", "int"],
      ["capability_i", "string"],
      ["capability_j", "string"],
      ["dot", "float"],
      ["cos", "float"],
    ],
    // A zero gradient (e.g. every completion of a capability got the same reward, so all its advantages are 0) has no
    // direction: src/weighting writes cos = 0 for it, which would read as "orthogonal". The diagonal (capability_i = capability_j)
    // holds ‖g‖², so a pair with a zero norm gets cos = NULL here — pages show it as "no gradient", not as 0.
    sql: `WITH d AS (SELECT run_id, stage, step, capability_i AS cap, dot AS n2 FROM v_grad_gram WHERE capability_i = capability_j)
          SELECT g.run_id, g.step, g.capability_i, g.capability_j, g.dot,
                 CASE WHEN di.n2 = 0 OR dj.n2 = 0 THEN NULL ELSE g.cos END AS cos
          FROM v_grad_gram g
          LEFT JOIN d di ON di.run_id = g.run_id AND di.stage = g.stage AND di.step = g.step AND di.cap = g.capability_i
          LEFT JOIN d dj ON dj.run_id = g.run_id AND dj.stage = g.stage AND dj.step = g.step AND dj.cap = g.capability_j
          ORDER BY g.run_id, g.step, g.capability_i, g.capability_j`,
  },
  {
    file: "eval_items.arrow",
    doc: "per evaluated item of each run: the headline value and partial credit (split eval = extraction; control); the units of paired comparisons",
    schema: [
      ["run_id", "string"],
      ["item_id", "string"],
      ["capability", "string"],
      ["split", "string"],
      ["value", "float"],
      ["partial", "float"],
    ],
    sql: `SELECT run_id, item_id, capability, split, value, partial FROM v_eval_items ORDER BY run_id, capability, item_id`,
  },
  {
    file: "gram_blocks.arrow",
    doc: "per parameter block and capability pair: mean cosine over the GRPO steps with a gradient, the block's parameter count (its null band) and the steps",
    schema: [
      ["run_id", "string"],
      ["block", "string"],
      ["block_size", "int"],
      ["capability_i", "string"],
      ["capability_j", "string"],
      ["mean_cos", "float"],
      ["steps", "int"],
    ],
    sql: `SELECT run_id, block, max(block_size) AS block_size, capability_i, capability_j, avg(cos) AS mean_cos, count(*) AS steps
          FROM v_grad_gram_blocks WHERE capability_i < capability_j AND cos IS NOT NULL AND cos <> 0
          GROUP BY run_id, block, capability_i, capability_j ORDER BY run_id, block, capability_i, capability_j`,
  },
  {
    file: "weights.arrow",
    doc: "capability weight w and rule/model mix alpha per step",
    schema: [
      ["run_id", "string"],
      ["step", "int"],
      ["capability", "string"],
      ["w", "float"],
      ["alpha", "float"],
      ["strategy", "string"],
    ],
    sql: `SELECT run_id, step, capability, w, alpha, strategy FROM v_weights ORDER BY run_id, capability, step`,
  },
  {
    file: "completions.arrow",
    doc: "sampled GRPO completions at each run's first and last logged step (before / after RL), with the per-capability rewards (JSON text), the aggregate reward and the advantage",
    schema: [
      ["run_id", "string"],
      ["step", "int"],
      ["item_id", "string"],
      ["capability", "string"],
      ["prompt", "string"],
      ["completion", "string"],
      ["rewards", "string"],
      ["reward", "float"],
      ["advantage", "float"],
    ],
    sql: `WITH s AS (SELECT run_id, min(step) AS first, max(step) AS last FROM v_completions GROUP BY run_id)
          SELECT c.run_id, c.step, c.item_id, c.capability, c.prompt, c.completion, c.rewards, c.reward, c.advantage
          FROM v_completions c JOIN s ON c.run_id = s.run_id AND (c.step = s.first OR c.step = s.last)
          ORDER BY c.run_id, c.step, c.capability, c.item_id`,
  },
  {
    file: "items.arrow",
    doc: "accepted MKGSG items with provenance (JSON text)",
    schema: [
      ["data_hash", "string"],
      ["id", "string"],
      ["capability", "string"],
      ["kind", "string"],
      ["split", "string"],
      ["prompt", "string"],
      ["gold", "string"],
      ["provenance", "string"],
    ],
    sql: `SELECT data_hash, id, capability, kind, split, prompt, gold, provenance FROM v_items ORDER BY data_hash, id`,
  },
  {
    file: "rejects.arrow",
    doc: "MKGSG candidates the validator rejected, with the validator stage and reason",
    schema: [
      ["data_hash", "string"],
      ["id", "string"],
      ["capability", "string"],
      ["kind", "string"],
      ["stage", "string"],
      ["reason", "string"],
      ["detail", "string"],
    ],
    sql: `SELECT data_hash, id, capability, kind, stage, reason, detail FROM v_rejects ORDER BY data_hash, id`,
  },
  {
    file: "pairs.arrow",
    doc: "reward-model preference pairs (chosen = validated gold, rejected = corrupted answer)",
    schema: [
      ["data_hash", "string"],
      ["item_id", "string"],
      ["capability", "string"],
      ["split", "string"],
      ["chosen", "string"],
      ["rejected", "string"],
      ["corruption", "string"],
    ],
    sql: `SELECT data_hash, item_id, capability, split, chosen, rejected, corruption FROM v_pairs ORDER BY data_hash, item_id`,
  },
];

export const OUTPUT_BY_FILE: ReadonlyMap<string, Output> = new Map(OUTPUTS.map((o) => [o.file, o]));
