/**
 * Capability-Aware GRPO, flat and commented (TRL GRPOTrainer semantics; docs/method.md §5–6). One step:
 *
 *   1. prompts: P train items per capability (knowledge, reasoning, instruction, integration), a seeded epoch order
 *   2. sample G completions per prompt from the current policy (KV cache, temperature/top-k/top-p, seeded)
 *   3. hybrid reward per completion: r_c = α_c·rule + (1−α_c)·RM, c = the prompt's capability
 *      (rule = the MKGSG scorer, RM = the Bradley–Terry reward model of src/rewards; α_c from W3 or the config)
 *   4. group-relative advantages (advantages.ts; TRL's scale_rewards / multi_objective_aggregation)
 *   5. for each of μ = num_iterations passes: one GRPO loss per capability over that capability's completions
 *      (loss.ts) → one gradient per capability over ALL shared parameters (tf.variableGrads) → Gram matrix →
 *      weight strategy (src/weighting) → combination rule (src/weighting: sum, pcgrad, mgda, cagrpo, …)
 *      → global-norm clip → AdamW
 *   6. log TRL-named metrics, the Gram (grad_gram; per parameter block: grad_gram_blocks), the weights actually used,
 *      sampled completions
 *
 * Why capability weights act on gradients, not on rewards: every prompt belongs to one capability, so inside a group
 * only that capability's reward varies, and with scale_rewards="group" a reward weight cancels in (R − mean)/std.
 * Weighting the per-capability policy gradients, d = Σ_c w_c g_c, is what a reward weight means here — and it is
 * where the paper's "optimal weights" must act. The two coincide only with scale_rewards="none" AND β = 0: a reward
 * weight scales the advantage (the policy term) alone, while a gradient weight also scales that capability's KL
 * penalty, w_c·β·KL_c, so with β > 0 the gradient weights change how hard each capability is held to the reference.
 *
 * The logged `loss` is Σ_c coef_c·L_c with coef the method's effective coefficients on the original gradients, so its
 * gradient IS the update direction; `reward` is the same scalarisation of the per-capability mean rewards.
 * Checkpoints (policy + optimizer + step) every save_every steps in <outDir>/checkpoint; resume continues from it.
 */
import * as tf from "@tensorflow/tfjs";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { KG } from "../kg/types.ts";
import type { Family, Item } from "../mkgsg/types.ts";
import { FAMILIES } from "../mkgsg/types.ts";
import { blockGramRows, blockGrams, type BlockGram } from "../weighting/gram.ts";
import { capabilityAwareUpdate } from "../weighting/step.ts";
import { usesPreferences } from "../weighting/registry.ts";
import { initBackend, backendPreference } from "../model/backend.ts";
import { isCheckpoint, loadCheckpoint, saveCheckpoint } from "../model/checkpoint.ts";
import { parameterBlock, type GPT } from "../model/gpt.ts";
import { completionMask, generate, sequenceLogprobs, sequenceLogprobsArray } from "../model/sample.ts";
import { EOS, type Tokenizer } from "../model/tokenizer.ts";
import { makeStrategy, minVarianceAlpha, weightRows, type WeightStrategy } from "../weighting/strategies.ts";
import type { NoiseStats } from "../weighting/min_variance_alpha.ts";
import { AdamW, adamwHyper, clipByGlobalNorm, SGD } from "../optim/index.ts";
import type { score } from "../mkgsg/index.ts";
import { BbioError } from "../util/errors.ts";
import { hashOf } from "../util/hash.ts";
import { progress } from "../util/progress.ts";
import { fnv1a, rngFor, shuffled } from "../util/rng.ts";
import type { Sink } from "../util/sink.ts";
import { groupAdvantages, mean, std } from "./advantages.ts";
import { ignoredCombinations, type GrpoConfig, type GrpoStageConfig } from "./config.ts";
import { grpoLoss } from "./loss.ts";

export const CAPABILITIES: readonly Family[] = FAMILIES;

/** What the GRPO loop needs from a reward model (src/rewards/rm/ implements it). */
export interface RewardScorer {
  /** σ(reward head) ∈ [0,1] per (prompt, completion) pair, no gradient */
  score(prompts: string[], completions: string[]): Promise<number[]>;
  dispose(): void;
}

export interface GrpoOptions {
  config: GrpoStageConfig;
  items: readonly Item[];
  kg: KG;
  scorer: typeof score;
  /** SFT checkpoint: the initial policy and the frozen KL reference */
  sftCheckpointDir: string;
  /** null only when every α_c = 1 (rule-only ablation) */
  rewardModel: RewardScorer | null;
  /** held-out noise estimates per capability from the RM stage, for α = "min_variance" */
  alphas: Record<Family, number>;
  outDir: string;
  sink: Sink;
  seed?: number;
  resume?: boolean;
  progress?: boolean;
  /** stop after this many steps in this call (tests simulate an interrupted run) */
  stopAfter?: number;
}

export interface GrpoResult {
  checkpointDir: string;
  steps: number;
  backend: string;
  /** mean hybrid reward per capability over the first and the last step */
  rewardFirst: Record<string, number>;
  rewardLast: Record<string, number>;
  seconds: number;
}

interface Sampled {
  item: Item;
  cap: number; // index into CAPABILITIES
  prompt: number[];
  completion: number[]; // includes EOS when the model stopped
  text: string;
  sampleLogp: number; // Σ log-prob of the sampled tokens (entropy estimate)
}

/** Seeded epoch order per capability: step s takes prompts [s·P, (s+1)·P) of an epoch-wise reshuffled list. */
/**
 * The P prompts of one capability at one step: its pool in a seeded order per epoch. The order is keyed by the pool's
 * prompt texts, not the capability's name, so capabilities that share their prompts (the conflict control: the same
 * question answered in opposite case) see the same prompts at every step — their gradients then differ only in what
 * the rewards ask for, which is the interference the control is there to show.
 */
function promptsFor(pool: readonly Item[], P: number, seed: number, step: number): Item[] {
  const key = hashOf(
    pool.map((it) => it.prompt),
    12,
  );
  const out: Item[] = [];
  for (let k = 0; k < P; k++) {
    const pos = (step - 1) * P + k;
    const epoch = Math.floor(pos / pool.length);
    out.push(shuffled(rngFor(seed, `grpo:prompts:${key}:${epoch}`), pool)[pos % pool.length]);
  }
  return out;
}

async function gradsOf(model: GPT, f: () => tf.Scalar): Promise<{ value: number; parts: Float32Array[] }> {
  const names = [...model.params.keys()];
  const vars = names.map((n) => model.params.get(n)!);
  const { value, grads } = tf.variableGrads(f, vars);
  const parts: Float32Array[] = [];
  for (const v of vars) {
    const g = grads[v.name];
    // a variable outside this loss's graph (cannot happen for the GPT, but keep the vector layout fixed)
    parts.push(g ? ((await g.data()) as Float32Array) : new Float32Array(v.size));
  }
  const val = (await value.data())[0];
  value.dispose();
  for (const g of Object.values(grads)) g.dispose();
  return { value: val, parts };
}

export async function runGrpo(o: GrpoOptions): Promise<GrpoResult> {
  const { config, sink, kg } = o;
  const g = config.grpo;
  if (g.method === "none") throw new BbioError('grpo.method is "none" (an SFT-only run): there is nothing to optimise');
  const ignored = ignoredCombinations(g);
  if (ignored.length) throw new BbioError(`GRPO: ${ignored.join("; ")}`, 2);
  // preference weights reach the method only where it applies them (mgda defines its own: ignoredCombinations)
  const applyPrefs = usesPreferences(g.method);
  // the RL seed: an explicit override, else grpo.seed, else the run's seed (the pipeline passes nothing extra)
  const seed = o.seed ?? g.seed ?? config.seed;
  const backend = await initBackend(backendPreference(config.backend));
  const t0 = Date.now();
  const checkpointDir = join(o.outDir, "checkpoint");
  const T = CAPABILITIES.length;

  const pools = CAPABILITIES.map((c) => o.items.filter((it) => it.split === "train" && it.family === c));
  CAPABILITIES.forEach((c, i) => {
    if (pools[i].length === 0)
      throw new BbioError(`GRPO: no train items of capability "${c}"`, 2, "raise data.per_family or enable that family's kinds");
  });

  // --- policy (resumed or from SFT), frozen reference, optimizer
  const resume = !!o.resume && isCheckpoint(checkpointDir);
  const ck = await loadCheckpoint(resume ? checkpointDir : o.sftCheckpointDir, { expect: config.model, seed });
  const policy = ck.model,
    tok: Tokenizer = ck.tokenizer;
  const ref = g.beta > 0 ? (await loadCheckpoint(o.sftCheckpointDir, { expect: config.model, seed })).model : null;
  const opt = g.optim === "sgd" ? new SGD(policy.params, { weightDecay: g.weight_decay }) : new AdamW(policy.params, adamwHyper(g));
  let start = 0;
  let pendingStrategyState: unknown;
  if (resume) {
    if (ck.optimizer) opt.load(ck.optimizer);
    start = ck.state?.step ?? 0;
    pendingStrategyState = (ck.state as { strategy?: unknown } | undefined)?.strategy;
    sink.resumeFrom(start);
    process.stderr.write(`[grpo] resuming from ${checkpointDir} at step ${start}\n`);
  }
  const strategy: WeightStrategy = makeStrategy(g.weight_strategy, {
    T,
    rewardWeights: g.reward_weights ?? undefined,
    inner: g.dynamic_inner,
    every: g.dynamic_every,
  });
  if (pendingStrategyState !== undefined) strategy.load?.(pendingStrategyState);
  const alphas = CAPABILITIES.map((c) => o.alphas[c]);
  const blocks = [...policy.params.keys()].map(parameterBlock); // same order as gradsOf's parts
  if (alphas.some((a) => a < 1) && !o.rewardModel) throw new BbioError("GRPO: a reward model is required unless every α_c = 1");
  const encoded = new Map(pools.flat().map((it) => [it.id, tok.encodePrompt(it.prompt)]));
  const promptOf = (it: Item) => encoded.get(it.id)!;
  const room = config.model.block_size + 1; // sequenceLogprobs scores up to block_size+1 tokens
  for (const it of pools.flat())
    if (promptOf(it).length + 1 > config.model.block_size)
      throw new BbioError(
        `GRPO: prompt of item ${it.id} (${promptOf(it).length} tokens) leaves no room in block_size ${config.model.block_size}`,
      );

  const bar = progress("grpo", g.max_steps, { enabled: o.progress ?? true });
  bar.tick(start);
  const rewardFirst: Record<string, number> = {},
    rewardLast: Record<string, number> = {};
  const end = Math.min(g.max_steps, o.stopAfter !== undefined ? start + o.stopAfter : g.max_steps);
  try {
    for (let step = start + 1; step <= end; step++) {
      const lr = g.learning_rate;
      // --- 1–2. prompts and completions
      const rows: Sampled[] = [];
      const prompts: { item: Item; cap: number }[] = [];
      CAPABILITIES.forEach((_c, ci) => {
        for (const it of promptsFor(pools[ci], g.prompts_per_capability, seed, step)) prompts.push({ item: it, cap: ci });
      });
      const flat = prompts.flatMap((p) => Array.from({ length: g.num_generations }, () => p));
      // one group of G completions per distinct prompt text at each position: capabilities that share a prompt score
      // the SAME completions, as TRL scores each completion with every reward function (the conflict control needs
      // this — independent samples would bury the shared direction under sampling noise); distinct prompts, the
      // normal case, are sampled as before
      const slotOf = flat.map(
        (p, i) =>
          `${p.item.prompt}\u0000${i % g.num_generations}\u0000${prompts.filter((q, k) => k < Math.floor(i / g.num_generations) && q.item.prompt === p.item.prompt && q.cap === p.cap).length}`,
      );
      const unique = [...new Set(slotOf)];
      const genU = await generate(
        policy,
        unique.map((s) => promptOf(flat[slotOf.indexOf(s)].item)),
        {
          maxNewTokens: g.max_completion_length,
          temperature: g.temperature,
          topK: g.top_k,
          topP: g.top_p,
          seed: fnv1a(`${seed}:grpo:sample:${step}`),
          stop: [EOS],
        },
      );
      const at = slotOf.map((s) => unique.indexOf(s));
      const gen = { tokens: at.map((u) => genU.tokens[u]), logprobs: at.map((u) => genU.logprobs[u]) };
      flat.forEach((p, i) => {
        const prompt = promptOf(p.item);
        let completion = gen.tokens[i].length ? gen.tokens[i] : [EOS];
        completion = completion.slice(0, room - prompt.length);
        rows.push({
          item: p.item,
          cap: p.cap,
          prompt,
          completion,
          text: tok.decode(completion.filter((x) => x !== EOS)),
          sampleLogp: gen.logprobs[i].reduce((a, b) => a + b, 0),
        });
      });

      // --- 3. hybrid rewards
      const rule = rows.map((r) => o.scorer(r.item, r.text, kg).score);
      const model = o.rewardModel
        ? await o.rewardModel.score(
            rows.map((r) => r.item.prompt),
            rows.map((r) => r.text),
          )
        : rows.map(() => NaN);
      const hybrid = rows.map((r, i) => (alphas[r.cap] >= 1 ? rule[i] : alphas[r.cap] * rule[i] + (1 - alphas[r.cap]) * model[i]));

      // --- 4. advantages (reward vector per completion: its capability's hybrid reward, NaN for the others)
      const rewardVecs = rows.map((r, i) => CAPABILITIES.map((_, c) => (c === r.cap ? hybrid[i] : NaN)));
      const adv = groupAdvantages(
        rewardVecs,
        CAPABILITIES.map(() => 1),
        g.num_generations,
        {
          scaleRewards: g.scale_rewards,
          aggregation: g.multi_objective_aggregation,
        },
      );

      // old / reference log-probs (no gradient), once per sampled batch
      const byCap = CAPABILITIES.map((_, c) => rows.map((r, i) => (r.cap === c ? i : -1)).filter((i) => i >= 0));
      const batchOf = (idx: number[]) => ({ prompts: idx.map((i) => rows[i].prompt), completions: idx.map((i) => rows[i].completion) });
      // all three at the sampling temperature, as TRL does (logits / temperature before the log-softmax): the ratio
      // and the KL then compare the distribution the completions were actually drawn from
      const oldLp =
        g.num_iterations > 1 ? await Promise.all(byCap.map((idx) => sequenceLogprobsArray(policy, batchOf(idx), g.temperature))) : null;
      const refLp = ref ? await Promise.all(byCap.map((idx) => sequenceLogprobsArray(ref, batchOf(idx), g.temperature))) : null;
      // dapo's normaliser: the completion tokens of the whole step's batch (TRL's num_items_in_batch)
      const numItemsInBatch = rows.reduce((a, r) => a + r.completion.length, 0);

      // --- 5. μ passes: per-capability gradients → combination → AdamW
      const statSum = [0, 0, 0, 0];
      let lossLogged = 0,
        update: ReturnType<typeof capabilityAwareUpdate> | undefined,
        weightsUsed: number[] = [];
      let gradNormSum = 0;
      let blocksLast: BlockGram[] = [];
      for (let it = 0; it < g.num_iterations; it++) {
        const parts: Float32Array[][] = [];
        const losses: number[] = [];
        for (let c = 0; c < T; c++) {
          const idx = byCap[c];
          const pad = (lp: number[][]) => {
            const Tc = Math.max(1, ...idx.map((i) => rows[i].completion.length));
            return tf.tensor2d(
              lp.map((row) => [...row, ...Array(Tc - row.length).fill(0)]),
              [idx.length, Tc],
              "float32",
            );
          };
          let stats: tf.Tensor1D | undefined;
          const r = await gradsOf(policy, () => {
            const logp = sequenceLogprobs(policy, batchOf(idx), g.temperature);
            const out = grpoLoss(
              {
                logp,
                oldLogp: oldLp ? pad(oldLp[c]) : null,
                refLogp: refLp ? pad(refLp[c]) : null,
                mask: completionMask(idx.map((i) => rows[i].completion)),
                advantages: tf.tensor1d(
                  idx.map((i) => adv.advantages[i]),
                  "float32",
                ),
              },
              {
                beta: g.beta,
                epsilon: g.epsilon,
                epsilonHigh: g.epsilon_high,
                lossType: g.loss_type,
                maxCompletionLength: g.max_completion_length,
                numItemsInBatch,
              },
            );
            stats = tf.keep(out.stats);
            return out.loss;
          });
          const s = await stats!.data();
          stats!.dispose();
          s.forEach((v, k) => (statSum[k] += v / (T * g.num_iterations)));
          parts.push(r.parts);
          losses.push(r.value);
        }
        // gradients of the LOSS (descent directions); every method is odd-equivariant, so combining them is fine.
        // The strategy sees this step's Gram and rewards ONCE per step, on the first (on-policy) pass: the μ passes
        // re-use one sampled batch, and a stateful strategy (dynamic's EMA) must fold in one observation per step,
        // not μ — otherwise its smoothing horizon would silently shrink by μ. Later passes keep these weights.
        // per-block Grams (embeddings, each layer's attention / MLP, layer norms) in one pass; their sum is the
        // whole-model Gram, handed to the strategy and the update so it is not computed a second time
        const bg = blockGrams(parts, blocks);
        const gram = bg.gram;
        blocksLast = bg.blocks;
        if (it === 0)
          weightsUsed = strategy.update(
            {
              gram,
              rewards: CAPABILITIES.map((_, c) =>
                groupsOf(
                  byCap[c].map((i) => hybrid[i]),
                  g.num_generations,
                ),
              ),
            },
            step,
          ).weights;
        update = capabilityAwareUpdate(parts, {
          method: g.method,
          capabilities: CAPABILITIES,
          step,
          weights: applyPrefs ? weightsUsed : undefined,
          seed,
          gram,
        });
        const coef = (update.diagnostics.coef as number[] | undefined) ?? update.weights;
        lossLogged = coef.reduce((a, w, c) => a + w * losses[c], 0);
        const grads = new Map<string, tf.Tensor>();
        [...policy.params.entries()].forEach(([name, v], k) => grads.set(name, tf.tensor(update!.perVariable[k], v.shape, "float32")));
        const norm = clipByGlobalNorm(grads, g.max_grad_norm);
        gradNormSum += (await norm.data())[0];
        norm.dispose();
        opt.step(grads, lr);
        for (const t of grads.values()) t.dispose();
      }

      // --- 6. log
      const u = update!;
      const coef = (u.diagnostics.coef as number[] | undefined) ?? u.weights;
      const coefSum = coef.reduce((a, b) => a + b, 0);
      const capMean = byCap.map((idx) => mean(idx.map((i) => hybrid[i])));
      sink.metric(step, "loss", lossLogged);
      // one row per step (the store keys metrics by step): the mean pre-clip norm over the μ passes
      sink.metric(step, "grad_norm", gradNormSum / g.num_iterations);
      sink.metric(step, "reward", coefSum > 0 ? coef.reduce((a, w, c) => a + (w / coefSum) * capMean[c], 0) : mean(hybrid));
      sink.metric(step, "reward_std", std(hybrid));
      sink.metric(step, "frac_reward_zero_std", adv.fracZeroStd);
      CAPABILITIES.forEach((c, ci) => {
        const idx = byCap[ci];
        sink.metric(step, `rewards/${c}/mean`, capMean[ci]);
        sink.metric(step, `rewards/${c}/std`, std(idx.map((i) => hybrid[i])));
        sink.metric(step, `rewards/${c}/rule`, mean(idx.map((i) => rule[i])));
        if (o.rewardModel) sink.metric(step, `rewards/${c}/model`, mean(idx.map((i) => model[i])));
        if (applyPrefs) sink.metric(step, `weights/${c}`, weightsUsed[ci]); // only preferences the method applied
        sink.metric(step, `coef/${c}`, coef[ci]);
        sink.metric(step, `alpha/${c}`, alphas[ci]);
      });
      if (ref) sink.metric(step, "kl", statSum[0]);
      sink.metric(step, "clip_ratio/low_mean", statSum[1]);
      sink.metric(step, "clip_ratio/high_mean", statSum[2]);
      sink.metric(step, "clip_ratio/region_mean", statSum[3]);
      const lens = rows.map((r) => r.completion.length);
      sink.metric(step, "completions/mean_length", mean(lens));
      sink.metric(step, "completions/clipped_ratio", mean(rows.map((r) => (r.completion[r.completion.length - 1] === EOS ? 0 : 1))));
      // Monte-Carlo entropy estimate: mean negative log-prob of the sampled tokens (at the sampling temperature)
      sink.metric(
        step,
        "entropy",
        -rows.reduce((a, r) => a + r.sampleLogp, 0) /
          Math.max(
            1,
            lens.reduce((a, b) => a + b, 0),
          ),
      );
      sink.metric(step, "learning_rate", lr);
      for (const [name, v] of Object.entries(u.metrics)) sink.metric(step, name, v);
      // what the combination rule did (projections, norm removed, first-order gains): scalars and per-capability
      // vectors go to metrics as method/<key>[/<capability>]; matrices (cosines before/after) are summarised by max |cos|
      for (const [key, v] of Object.entries(u.diagnostics)) {
        if (key === "coef" || key === "order" || key === "dropped") continue;
        if (typeof v === "number") sink.metric(step, `method/${key}`, v);
        else if (Array.isArray(v) && v.length === T && v.every((x) => typeof x === "number"))
          (v as number[]).forEach((x, c) => sink.metric(step, `method/${key}/${CAPABILITIES[c]}`, x));
        else if (Array.isArray(v) && Array.isArray(v[0])) {
          const M = v as number[][];
          let m = 0;
          for (let i = 0; i < M.length; i++)
            for (let j = 0; j < M.length; j++) if (i !== j && Number.isFinite(M[i][j])) m = Math.max(m, Math.abs(M[i][j]));
          sink.metric(step, `method/${key}/max_abs_offdiag`, m);
        }
      }
      sink.rows("grad_gram", u.gramRows); // the whole model
      sink.rows("grad_gram_blocks", blockGramRows(step, CAPABILITIES, blocksLast)); // the same pass, per parameter block
      sink.rows(
        "weights",
        weightRows(step, CAPABILITIES, coefSum > 0 ? coef.map((w) => w / coefSum) : coef, `${g.weight_strategy}/${g.method}`, alphas),
      );
      if (step === 1 || step === g.max_steps || step % g.log_completions_every === 0)
        sink.rows(
          "completions",
          rows.map((r, i) => ({
            step,
            item_id: r.item.id,
            family: CAPABILITIES[r.cap],
            prompt: r.item.prompt,
            completion: r.text,
            rewards: JSON.stringify({
              [CAPABILITIES[r.cap]]: { rule: rule[i], model: Number.isNaN(model[i]) ? null : model[i], hybrid: hybrid[i] },
            }),
            reward: hybrid[i],
            advantage: adv.advantages[i],
          })),
        );
      const capRec = Object.fromEntries(CAPABILITIES.map((c, ci) => [c, capMean[ci]]));
      if (step === start + 1 && start === 0) Object.assign(rewardFirst, capRec);
      Object.assign(rewardLast, capRec);
      bar.tick(1, { info: `reward ${mean(hybrid).toFixed(3)}` });

      if (step % g.save_every === 0 || step === g.max_steps) {
        await saveCheckpoint(checkpointDir, {
          model: policy,
          tokenizer: tok,
          config,
          optimizer: await opt.state(),
          state: { step, strategy: strategy.state?.() },
          extra: { stage: "grpo" },
        });
        await sink.flush();
      }
    }
  } finally {
    bar.stop();
    opt.dispose();
    policy.dispose();
    ref?.dispose();
  }
  return { checkpointDir, steps: end, backend, rewardFirst, rewardLast, seconds: (Date.now() - t0) / 1000 };
}

function groupsOf(xs: number[], G: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < xs.length; i += G) out.push(xs.slice(i, i + G));
  return out;
}

/**
 * α_c per capability: a fixed number from the config, or W3's minimum-variance mix (src/weighting) of the
 * rule and RM noise the RM stage estimated on held-out items (result.json `noise`). A capability without an estimate
 * gets 0.5, flagged in the returned source.
 */
export function resolveAlphas(alpha: GrpoConfig["alpha"], rmResultPath: string | null): { alphas: Record<Family, number>; source: string } {
  if (typeof alpha === "number")
    return { alphas: Object.fromEntries(CAPABILITIES.map((c) => [c, alpha])) as Record<Family, number>, source: "config" };
  if (!rmResultPath || !existsSync(rmResultPath))
    throw new BbioError(`grpo.alpha = "min_variance" needs the RM stage's result (${rmResultPath ?? "none"})`, 2);
  const res = JSON.parse(readFileSync(rmResultPath, "utf8")) as { noise?: Record<string, NoiseStats> };
  if (!res.noise) throw new BbioError(`${rmResultPath}: no held-out noise estimates (re-run the rm stage)`, 2);
  const missing: string[] = [];
  const alphas = Object.fromEntries(
    CAPABILITIES.map((c) => {
      const n = res.noise![c];
      if (!n) missing.push(c);
      return [c, n ? minVarianceAlpha(n).alpha : 0.5];
    }),
  ) as Record<Family, number>;
  return { alphas, source: missing.length ? `min_variance (no estimate for ${missing.join(", ")}: 0.5)` : "min_variance" };
}
