/**
 * The reward model of the hybrid reward (r_RM of docs/method.md §4.1–4.2, ours): the tiny transformer initialised from the SFT
 * checkpoint plus a scalar head, trained with the Bradley–Terry pairwise loss on MKGSG preference pairs.
 *
 *   r(x, y)  = w · h_last + b          h_last = ln_f output of [BOS] prompt [SEP] completion [EOS] at its last real
 *                                      token (EOS), picked with a one-hot selection matmul (tf.gather has no gradient
 *                                      on wasm; same pattern as sample.ts sequenceLogprobs)
 *   loss     = mean −log σ(r(x, y⁺) − r(x, y⁻)) = mean softplus(r⁻ − r⁺)     (Bradley & Terry 1952; Ouyang et al. 2022)
 *   score    = σ(r) ∈ [0, 1]           (what GRPO mixes with the rule reward)
 *
 * Training: AdamW (src/optim/adamw.ts) over every transformer weight + the head, global-norm clipping, warmup+cosine
 * LR (src/optim/schedule.ts), seeded batch order (src/sft/batch.ts batchIndices). Sequences longer than block_size
 * are left-truncated when scoring (the last token, where the head reads, is kept); training pairs that do not fit are
 * skipped and counted.
 *
 * Saved layout (<dir>, written atomically):
 *   gpt/        a regular checkpoint (saveCheckpoint): transformer + tokenizer (+ optimizer state incl. head moments)
 *   head.json   {format, n_embd, w: number[C], b: number}
 *   meta.json   {format: "bbio-rm-v1", model: ModelConfig, step, seed, ...}
 *
 *   const rm = await loadRewardModel(dir, config.model);
 *   const s = await rm.score(prompts, completions);     // σ(head) ∈ [0,1], batched, no gradient
 *   rm.dispose();
 */
import * as tf from "@tensorflow/tfjs";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { KG } from "../kg/types.ts";
import { score as ruleScore } from "../mkgsg/score.ts";
import { FAMILIES, type Item } from "../mkgsg/types.ts";
import { backendPreference, initBackend } from "../model/backend.ts";
import type { ModelConfig } from "../model/config.ts";
import { isCheckpoint, loadCheckpoint, saveCheckpoint, type OptimizerState } from "../model/checkpoint.ts";
import type { GPT } from "../model/gpt.ts";
import { mm } from "../model/ops.ts";
import { PAD, type Tokenizer } from "../model/tokenizer.ts";
import { AdamW, adamwHyper, clipByGlobalNorm, lrAt, scheduleOf } from "../optim/index.ts";
import { BbioError } from "../util/errors.ts";
import { toJsonl, writeDirAtomic, writeFileAtomic } from "../util/fsx.ts";
import { progress } from "../util/progress.ts";
import { rngFor, shuffled } from "../util/rng.ts";
import type { Sink } from "../util/sink.ts";
import { mean } from "../util/stats.ts";
import type { RmStageConfig } from "./config.ts";
import { buildPairs, countBy, type Pair } from "./pairs.ts";
import { estimateNoise, minVarianceAlpha } from "../weighting/min_variance_alpha.ts";

export const RM_FORMAT = "bbio-rm-v1";
export const HEAD_FORMAT = "bbio-rm-head-v1";

/** What the GRPO loop calls. */
export interface RewardModel {
  /** σ(head) ∈ [0, 1] per (prompt, completion), batched, no gradient */
  score(prompts: string[], completions: string[]): Promise<number[]>;
  dispose(): void;
  tokenizer: Tokenizer;
}

/** −log σ(r⁺ − r⁻), averaged: the Bradley–Terry negative log-likelihood that y⁺ is preferred. */
export function btLoss(rChosen: tf.Tensor1D, rRejected: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.softplus(tf.sub(rRejected, rChosen))) as tf.Scalar);
}

/** The same loss for plain numbers (reporting, tests): log(1 + e^{−(r⁺−r⁻)}), computed stably. */
export function btLossValue(rChosen: number, rRejected: number): number {
  const z = rRejected - rChosen;
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

export class BtRewardModel implements RewardModel {
  readonly gpt: GPT;
  readonly tokenizer: Tokenizer;
  readonly modelConfig: ModelConfig;
  /** head weights [C,1] and bias [1] */
  readonly headW: tf.Variable;
  readonly headB: tf.Variable;

  constructor(gpt: GPT, tokenizer: Tokenizer, head: { w: Float32Array | number[]; b: number }) {
    const C = gpt.config.n_embd;
    if (head.w.length !== C) throw new BbioError(`reward head has ${head.w.length} weights, the model's n_embd is ${C}`);
    this.gpt = gpt;
    this.tokenizer = tokenizer;
    this.modelConfig = gpt.config;
    this.headW = tf.tidy(() => tf.variable(tf.tensor2d(Float32Array.from(head.w), [C, 1]), true));
    this.headB = tf.tidy(() => tf.variable(tf.tensor1d([head.b]), true));
  }

  /** N(0, std²) head weights from the project RNG, bias 0 */
  static initHead(C: number, std: number, seed: number): { w: Float32Array; b: number } {
    const rng = rngFor(seed, "rm:head");
    const w = new Float32Array(C);
    for (let i = 0; i < C; i++) w[i] = std * Math.sqrt(-2 * Math.log(Math.max(rng(), 1e-12))) * Math.cos(2 * Math.PI * rng());
    return { w, b: 0 };
  }

  /** every trainable weight by name: the transformer's spec names plus "head.w", "head.b" */
  get params(): Map<string, tf.Variable> {
    return new Map([...this.gpt.params, ["head.w", this.headW], ["head.b", this.headB]]);
  }

  /** [BOS] prompt [SEP] completion [EOS], untruncated */
  sequence(prompt: string, completion: string): number[] {
    return [...this.tokenizer.encodePrompt(prompt), ...this.tokenizer.encodeCompletion(completion)];
  }

  /** [BOS] prompt [SEP] completion [EOS], left-truncated to block_size (the head reads the last token) */
  encode(prompt: string, completion: string): number[] {
    const seq = this.sequence(prompt, completion);
    const T = this.modelConfig.block_size;
    return seq.length > T ? seq.slice(seq.length - T) : seq;
  }

  /**
   * Differentiable head values r [B] for token sequences (each ≤ block_size). Right-padded with PAD: causal attention
   * keeps the padding out of the last real token's state.
   */
  rewardTensor(seqs: readonly number[][], train = false): tf.Tensor1D {
    const B = seqs.length;
    if (B === 0) throw new BbioError("reward model: empty batch");
    const C = this.modelConfig.n_embd;
    const L = Math.max(...seqs.map((s) => s.length));
    if (L > this.modelConfig.block_size)
      throw new BbioError(`reward model: sequence of ${L} tokens exceeds block_size ${this.modelConfig.block_size}`);
    if (seqs.some((s) => s.length === 0)) throw new BbioError("reward model: empty sequence");
    const sel = new Float32Array(B * L);
    const idx: number[][] = seqs.map((s, b) => {
      sel[b * L + s.length - 1] = 1;
      return s.length < L ? [...s, ...Array<number>(L - s.length).fill(PAD)] : [...s];
    });
    return tf.tidy(() => {
      const h = this.gpt.hidden(tf.tensor2d(idx, [B, L], "int32"), { train }); // [B,L,C]
      const last = tf.reshape(mm(tf.tensor3d(sel, [B, 1, L]), h), [B, C]); // [B,1,L]·[B,L,C] → [B,C]
      return tf.reshape(tf.add(mm(last, this.headW), this.headB), [B]) as tf.Tensor1D;
    });
  }

  /** raw head values r for (prompt, completion) pairs, no gradient; batches of similar length */
  async rewards(prompts: readonly string[], completions: readonly string[], batchSize = 32): Promise<number[]> {
    if (prompts.length !== completions.length)
      throw new BbioError(`reward model: ${prompts.length} prompts but ${completions.length} completions`);
    const seqs = prompts.map((p, i) => this.encode(p, completions[i]));
    return this.rewardsOfSeqs(seqs, batchSize);
  }

  async rewardsOfSeqs(seqs: readonly number[][], batchSize = 32): Promise<number[]> {
    const order = seqs.map((_, i) => i).sort((a, b) => seqs[a].length - seqs[b].length || a - b);
    const out = new Array<number>(seqs.length);
    for (let i = 0; i < order.length; i += batchSize) {
      const rows = order.slice(i, i + batchSize);
      const t = this.rewardTensor(rows.map((r) => seqs[r]));
      const data = await t.data();
      t.dispose();
      rows.forEach((r, j) => (out[r] = data[j]));
    }
    return out;
  }

  async score(prompts: string[], completions: string[]): Promise<number[]> {
    return (await this.rewards(prompts, completions)).map(sigmoid);
  }

  async headWeights(): Promise<{ w: number[]; b: number }> {
    return { w: Array.from(await this.headW.data()), b: (await this.headB.data())[0] };
  }

  dispose(): void {
    this.gpt.dispose();
    this.headW.dispose();
    this.headB.dispose();
  }
}

export interface RmSaveOptions {
  optimizer?: OptimizerState;
  step: number;
  meta?: Record<string, unknown>;
  /** the stage's config, stored in gpt/config.json like any checkpoint */
  config?: RmStageConfig;
}

/** Write the reward model directory atomically (temp sibling, then rename over the target). */
export async function saveRewardModel(dir: string, rm: BtRewardModel, o: RmSaveOptions): Promise<void> {
  await writeDirAtomic(dir, async (tmp) => {
    await saveCheckpoint(join(tmp, "gpt"), {
      model: rm.gpt,
      tokenizer: rm.tokenizer,
      config: o.config,
      optimizer: o.optimizer,
      state: { step: o.step },
      extra: { stage: "rm" },
    });
    const head = await rm.headWeights();
    writeFileSync(join(tmp, "head.json"), JSON.stringify({ format: HEAD_FORMAT, n_embd: rm.modelConfig.n_embd, ...head }));
    writeFileSync(
      join(tmp, "meta.json"),
      JSON.stringify({ format: RM_FORMAT, model: rm.modelConfig, step: o.step, ...o.meta }, null, 1) + "\n",
    );
  });
}

export function isRewardModelDir(dir: string): boolean {
  return existsSync(join(dir, "meta.json")) && existsSync(join(dir, "head.json")) && existsSync(join(dir, "gpt", "weights.bin"));
}

function readJson(path: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new BbioError(`${path}: unreadable (${(e as Error).message})`);
  }
}

export interface LoadedRewardModel {
  rm: BtRewardModel;
  meta: Record<string, unknown>;
  step: number;
  optimizer?: OptimizerState;
}

/** Load with everything needed to resume training (optimizer state, step). */
export async function loadRewardModelFull(dir: string, expect?: ModelConfig, seed = 0): Promise<LoadedRewardModel> {
  if (!existsSync(dir)) throw new BbioError(`reward model ${dir}: not found`);
  if (!isRewardModelDir(dir))
    throw new BbioError(`${dir}: not a reward model directory (needs meta.json, head.json and gpt/)`, 2, "train one with: bbio rm-train");
  const meta = readJson(join(dir, "meta.json"));
  if (meta.format !== RM_FORMAT) throw new BbioError(`${dir}/meta.json: format ${JSON.stringify(meta.format)}, expected ${RM_FORMAT}`);
  const mc = meta.model as Partial<ModelConfig> | undefined;
  if (expect && mc) {
    const keys = Object.keys(expect).filter((k) => k !== "dropout") as (keyof ModelConfig)[];
    const diffs = keys.filter((k) => mc[k] !== expect[k]);
    if (diffs.length)
      throw new BbioError(
        `reward model ${dir} is incompatible with the model config: ${diffs.map((k) => `${k} ${mc[k]} (reward model) vs ${expect[k]} (config)`).join(", ")}`,
        2,
        "train the reward model with this model config (bbio rm-train), or use the config it was trained with",
      );
  }
  const ck = await loadCheckpoint(join(dir, "gpt"), { expect, seed });
  const head = readJson(join(dir, "head.json"));
  const w = head.w as number[] | undefined;
  if (head.format !== HEAD_FORMAT || !Array.isArray(w) || typeof head.b !== "number")
    throw new BbioError(`${dir}/head.json: not a ${HEAD_FORMAT} file`);
  if (w.length !== ck.modelConfig.n_embd) {
    ck.model.dispose();
    throw new BbioError(`${dir}/head.json: ${w.length} weights, but the transformer's n_embd is ${ck.modelConfig.n_embd}`);
  }
  const rm = new BtRewardModel(ck.model, ck.tokenizer, { w, b: head.b });
  return { rm, meta, step: typeof meta.step === "number" ? meta.step : (ck.state?.step ?? 0), optimizer: ck.optimizer };
}

/**
 * The API the GRPO loop calls. `expect`: the model config the caller runs with; a reward model trained with another
 * shape is a clear BbioError.
 */
export async function loadRewardModel(dir: string, expect?: ModelConfig): Promise<RewardModel> {
  return (await loadRewardModelFull(dir, expect)).rm;
}

// ── the RM stage ──────────────────────────────────────────────────────────────────────────────────────────────────

export interface RmStageOptions {
  config: RmStageConfig;
  items: Item[];
  /** the SFT checkpoint directory (or the SFT stage directory holding checkpoint/) */
  sftCheckpointDir: string;
  outDir: string;
  sink: Sink;
  seed: number;
  /** continue from <outDir>/rm when it holds an unfinished run */
  resume: boolean;
  kg: KG;
  log: (m: string) => void;
  /** progress bar / lines on stderr (default true) */
  progress?: boolean;
  /** stop after this many steps in this call (tests simulate an interrupted run) */
  stopAfter?: number;
}

export interface RmStageResult {
  pairsPath: string;
  rmDir: string;
  /** held-out pairwise accuracy: fraction of eval pairs with r(chosen) > r(rejected) (ties count ½); NaN without eval pairs */
  evalAccuracy: number;
  /** the same on (at most rm.train_eval_pairs) training pairs, after training */
  trainAccuracy: number;
  steps: number;
  seconds: number;
  backend: string;
}

export interface NoiseEntry {
  sigmaRule2: number;
  sigmaRm2: number;
  rho: number;
  n: number;
  /** W3 α* from these moments (rule weight in r_c = α r_rule + (1−α) r_RM) */
  alpha: number;
}

/** an SFT checkpoint dir, or a stage dir holding checkpoint/ */
export function resolveSftCheckpoint(dir: string): string {
  if (isCheckpoint(dir)) return dir;
  if (isCheckpoint(join(dir, "checkpoint"))) return join(dir, "checkpoint");
  throw new BbioError(`${dir}: not an SFT checkpoint directory (needs config.json and weights.bin)`, 2, "train one with: bbio train-sft");
}

/**
 * One epoch's batches of pair indices, length-bucketed: a seeded shuffle of the pairs, cut into windows of 8 batches,
 * sorted by length inside each window (far less padding than random batches), cut into batches of B, the batches
 * shuffled. The ragged tail is dropped. Pure function of (lengths, B, seed, epoch), so a resumed run sees the same order.
 */
export function pairBatches(lengths: readonly number[], B: number, seed: number, epoch: number): number[][] {
  const n = lengths.length;
  const b = Math.min(B, n);
  const order = shuffled(
    rngFor(seed, `rm-epoch:${epoch}`),
    Array.from({ length: n }, (_, i) => i),
  );
  const W = b * 8;
  const batches: number[][] = [];
  for (let w = 0; w < n; w += W) {
    const win = order.slice(w, w + W).sort((x, y) => lengths[x] - lengths[y] || x - y);
    for (let i = 0; i + b <= win.length; i += b) batches.push(win.slice(i, i + b));
  }
  if (batches.length === 0) batches.push(order.slice(0, b));
  return shuffled(rngFor(seed, `rm-epoch-batches:${epoch}`), batches);
}

const pairAcc = (rc: number, rr: number) => (rc > rr ? 1 : rc === rr ? 0.5 : 0);

interface EncodedPair {
  pair: Pair;
  item: Item;
  c: number[];
  r: number[];
}

/** r(chosen), r(rejected) for each pair; every distinct (item, answer) is scored once */
async function pairRewards(
  rm: BtRewardModel,
  ps: readonly EncodedPair[],
  batchSize: number,
): Promise<{ rc: number[]; rr: number[]; byAnswer: Map<string, number> }> {
  const key = (e: EncodedPair, ans: string) => `${e.item.id}\u0000${ans}`;
  const uniq = new Map<string, number[]>();
  for (const e of ps) {
    uniq.set(key(e, e.pair.chosen), e.c);
    uniq.set(key(e, e.pair.rejected), e.r);
  }
  const keys = [...uniq.keys()];
  const rs = await rm.rewardsOfSeqs(
    keys.map((k) => uniq.get(k)!),
    batchSize,
  );
  const byAnswer = new Map(keys.map((k, i) => [k, rs[i]]));
  return { rc: ps.map((e) => byAnswer.get(key(e, e.pair.chosen))!), rr: ps.map((e) => byAnswer.get(key(e, e.pair.rejected))!), byAnswer };
}

export interface PairEvaluation {
  /** pairwise accuracy: fraction of pairs with r(chosen) > r(rejected), ties ½ (NaN when there are no pairs) */
  accuracy: number;
  n: number;
  /** pairs skipped because their item is not in the item set */
  missing: number;
  /** pairs skipped because a sequence is longer than block_size (as in training) */
  tooLong: number;
  byFamily: Record<string, { n: number; accuracy: number }>;
  byCorruption: Record<string, { n: number; accuracy: number }>;
}

/** Pairwise accuracy of a reward model on preference pairs (prompts from the items, by item_id). No gradient. */
export async function evaluatePairs(
  rm: BtRewardModel,
  pairs: readonly Pair[],
  items: readonly Item[],
  batchSize = 32,
): Promise<PairEvaluation> {
  const byId = new Map(items.map((it) => [it.id, it]));
  const ex: EncodedPair[] = [];
  let missing = 0,
    tooLong = 0;
  const T = rm.modelConfig.block_size;
  for (const pair of pairs) {
    const item = byId.get(pair.item_id);
    if (!item) {
      missing++;
      continue;
    }
    const e = { pair, item, c: rm.sequence(item.prompt, pair.chosen), r: rm.sequence(item.prompt, pair.rejected) };
    if (e.c.length > T || e.r.length > T) tooLong++;
    else ex.push(e);
  }
  const { rc, rr } = ex.length ? await pairRewards(rm, ex, batchSize) : { rc: [], rr: [] };
  const acc = rc.map((x, i) => pairAcc(x, rr[i]));
  return {
    accuracy: mean(acc),
    n: ex.length,
    missing,
    tooLong,
    byFamily: groupAcc(ex, acc, "family"),
    byCorruption: groupAcc(ex, acc, "corruption"),
  };
}

function groupAcc(
  ex: readonly EncodedPair[],
  acc: readonly number[],
  key: "family" | "corruption",
): Record<string, { n: number; accuracy: number }> {
  const g = new Map<string, number[]>();
  ex.forEach((e, i) => (g.get(e.pair[key]) ?? g.set(e.pair[key], []).get(e.pair[key])!).push(acc[i]));
  return Object.fromEntries([...g].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, xs]) => [k, { n: xs.length, accuracy: mean(xs) }]));
}

/**
 * The pipeline's RM stage: pairs → Bradley–Terry training from the SFT checkpoint → held-out evaluation + W3 noise.
 * Writes <outDir>/pairs.jsonl, <outDir>/rm/ (loadRewardModel) and <outDir>/result.json.
 */
export async function runRmStage(o: RmStageOptions): Promise<RmStageResult> {
  const t0 = performance.now();
  const { config, sink } = o;
  const c = config.rm;
  const backend = await initBackend(backendPreference(config.backend));
  mkdirSync(o.outDir, { recursive: true });

  // --- pairs (deterministic; rebuilt identically on resume)
  const pstats = { itemsWithoutPairs: [] as string[] };
  const pairs = buildPairs(o.items, o.kg, { pairsPerItem: c.pairs_per_item, seed: o.seed, corruptions: c.corruptions }, pstats);
  const pairsPath = join(o.outDir, "pairs.jsonl");
  writeFileAtomic(pairsPath, toJsonl(pairs));
  const trainPairs = pairs.filter((p) => p.split === "train");
  const heldPairs = pairs.filter((p) => p.split === "eval");
  o.log(`${pairs.length} pairs (${trainPairs.length} train, ${heldPairs.length} held-out) from ${o.items.length} items`);
  if (trainPairs.length === 0)
    throw new BbioError(
      "rm: no training pairs (no train-split items, or no corruption applied to them)",
      2,
      "check the items and rm.corruptions",
    );

  // --- model: resumed, or SFT transformer + fresh head
  const rmDir = join(o.outDir, "rm");
  let rm: BtRewardModel,
    start = 0,
    optState: OptimizerState | undefined;
  if (o.resume && isRewardModelDir(rmDir)) {
    const l = await loadRewardModelFull(rmDir, config.model, o.seed);
    [rm, start, optState] = [l.rm, l.step, l.optimizer];
    sink.resumeFrom(start);
    o.log(`resuming from ${rmDir} at step ${start}`);
  } else {
    const ck = await loadCheckpoint(resolveSftCheckpoint(o.sftCheckpointDir), { expect: config.model, seed: o.seed });
    rm = new BtRewardModel(ck.model, ck.tokenizer, BtRewardModel.initHead(ck.modelConfig.n_embd, c.head_init_std, o.seed));
  }
  const params = rm.params;
  const opt = new AdamW(params, adamwHyper(c));
  if (optState) opt.load(optState);

  try {
    // --- encode; pairs that do not fit the context are skipped (counted)
    const byId = new Map(o.items.map((it) => [it.id, it]));
    const T = config.model.block_size;
    let skipped = 0;
    const encodeAll = (ps: readonly Pair[]) =>
      ps.flatMap((pair) => {
        const item = byId.get(pair.item_id)!;
        const e = { pair, item, c: rm.sequence(item.prompt, pair.chosen), r: rm.sequence(item.prompt, pair.rejected) };
        if (e.c.length > T || e.r.length > T) return (skipped++, []);
        return [e];
      });
    const trainEx = encodeAll(trainPairs);
    const heldEx = encodeAll(heldPairs);
    if (skipped) o.log(`${skipped} pairs longer than block_size ${T} skipped`);
    if (trainEx.length === 0)
      throw new BbioError(`rm: every training pair is longer than model.block_size ${T}`, 2, "raise model.block_size");
    const heldProbe = shuffled(rngFor(o.seed, "rm:eval-probe"), heldEx).slice(0, c.eval_max_pairs);
    const probeAcc = async () => {
      if (heldProbe.length === 0) return NaN;
      const { rc, rr } = await pairRewards(rm, heldProbe, c.score_batch_size);
      return mean(rc.map((x, i) => pairAcc(x, rr[i])));
    };

    // --- training
    const lengths = trainEx.map((e) => Math.max(e.c.length, e.r.length));
    const epochs = new Map<number, number[][]>();
    const batchAt = (step: number): number[] => {
      // every epoch has the same number of batches (the window/tail structure depends only on n and B)
      const perEpoch = (epochs.get(0) ?? epochs.set(0, pairBatches(lengths, c.batch_size, o.seed, 0)).get(0)!).length;
      const e = Math.floor(step / perEpoch);
      if (!epochs.has(e)) epochs.set(e, pairBatches(lengths, c.batch_size, o.seed, e));
      return epochs.get(e)![step % perEpoch];
    };
    const vars = [...params.values()];
    const byVarName = new Map([...params].map(([name, v]) => [v.name, name]));
    const end = Math.min(c.max_steps, start + (o.stopAfter ?? Infinity));
    const bar = progress("rm", end - start, { enabled: o.progress ?? true });
    const save = async (step: number) => {
      await saveRewardModel(rmDir, rm, {
        optimizer: await opt.state(),
        step,
        config,
        meta: {
          seed: o.seed,
          max_steps: c.max_steps,
          backend,
          sft_checkpoint: o.sftCheckpointDir,
          n_train_pairs: trainEx.length,
          n_eval_pairs: heldEx.length,
        },
      });
      await sink.flush();
    };
    try {
      for (let step = start; step < end; step++) {
        const idx = batchAt(step);
        const B = idx.length;
        const seqs = [...idx.map((i) => trainEx[i].c), ...idx.map((i) => trainEx[i].r)];
        const lr = lrAt(step, scheduleOf(c));
        let rKept: tf.Tensor1D | null = null;
        const { value, grads } = tf.variableGrads(() => {
          const r = rm.rewardTensor(seqs, true); // [2B]: chosen rows, then rejected rows
          rKept = tf.keep(r);
          return btLoss(tf.slice(r, [0], [B]) as tf.Tensor1D, tf.slice(r, [B], [B]) as tf.Tensor1D);
        }, vars);
        const named = new Map(Object.entries(grads).map(([vn, g]) => [byVarName.get(vn)!, g]));
        const normT = clipByGlobalNorm(named, c.max_grad_norm);
        const loss = (await value.data())[0],
          gradNorm = (await normT.data())[0];
        const r = await rKept!.data();
        for (const t of [value, normT, rKept!]) t.dispose();
        if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
          for (const g of named.values()) g.dispose();
          throw new BbioError(
            `RM training stopped: loss is ${loss} (grad norm ${gradNorm}) at step ${step + 1}; the update was not applied`,
            1,
            "lower rm.learning_rate",
          );
        }
        opt.step(named, lr);
        for (const g of named.values()) g.dispose();
        let acc = 0;
        for (let i = 0; i < B; i++) acc += pairAcc(r[i], r[B + i]);
        acc /= B;

        const done = step + 1;
        sink.metric(done, "rm/loss", loss);
        sink.metric(done, "rm/accuracy", acc);
        sink.metric(done, "rm/lr", lr);
        sink.metric(done, "rm/grad_norm", gradNorm);
        if (done % c.eval_every === 0 && done !== end) {
          const ea = await probeAcc();
          if (Number.isFinite(ea)) sink.metric(done, "rm/eval_accuracy", ea);
        }
        bar.tick(1, { loss: loss.toFixed(3), acc: acc.toFixed(2) });
        if (done % c.log_every === 0 && !(process.stderr.isTTY && (o.progress ?? true)))
          o.log(`step ${done}/${c.max_steps} loss ${loss.toFixed(4)} acc ${acc.toFixed(2)}`);
        if (done % c.save_every === 0 || done === end) await save(done);
      }
    } finally {
      bar.stop();
    }
    if (start === end && !isRewardModelDir(rmDir)) await save(end);

    // --- final evaluation: every held-out pair, a seeded subset of train pairs
    const held = heldEx.length
      ? await pairRewards(rm, heldEx, c.score_batch_size)
      : { rc: [], rr: [], byAnswer: new Map<string, number>() };
    const heldAcc = held.rc.map((x, i) => pairAcc(x, held.rr[i]));
    const evalAccuracy = mean(heldAcc);
    const trainProbe = shuffled(rngFor(o.seed, "rm:train-probe"), trainEx).slice(0, c.train_eval_pairs);
    const tr = await pairRewards(rm, trainProbe, c.score_batch_size);
    const trainAccuracy = mean(tr.rc.map((x, i) => pairAcc(x, tr.rr[i])));
    const accBy = (key: "family" | "corruption") => groupAcc(heldEx, heldAcc, key);

    // --- W3 noise per capability on held-out answers: latent quality 1 for the gold, 0 for a corrupted answer
    const noise: Record<string, NoiseEntry | null> = {};
    for (const fam of FAMILIES) {
      const seen = new Set<string>();
      const rule: number[] = [],
        rmS: number[] = [],
        gold: number[] = [];
      for (const e of heldEx.filter((x) => x.item.family === fam))
        for (const ans of [e.pair.chosen, e.pair.rejected]) {
          const k = `${e.item.id}\u0000${ans}`;
          if (seen.has(k)) continue;
          seen.add(k);
          rule.push(ruleScore(e.item, ans, o.kg).score);
          rmS.push(sigmoid(held.byAnswer.get(k)!));
          gold.push(ans === e.item.gold ? 1 : 0);
        }
      if (gold.length < 2) {
        noise[fam] = null;
        continue;
      }
      const ns = estimateNoise(rule, rmS, gold, c.noise_moments);
      noise[fam] = { sigmaRule2: ns.sigmaRule2, sigmaRm2: ns.sigmaRm2, rho: ns.rho, n: ns.n, alpha: minVarianceAlpha(ns).alpha };
    }

    const steps = Math.max(end, start);
    if (Number.isFinite(evalAccuracy)) sink.metric(steps, "rm/eval_accuracy", evalAccuracy);
    sink.metric(steps, "rm/train_accuracy", trainAccuracy);
    for (const [fam, v] of Object.entries(accBy("family"))) sink.metric(steps, `rm/eval_accuracy/${fam}`, v.accuracy);
    for (const [fam, v] of Object.entries(noise)) if (v) sink.metric(steps, `rm/alpha/${fam}`, v.alpha);
    await sink.flush();

    const seconds = (performance.now() - t0) / 1000;
    const result = {
      backend,
      seed: o.seed,
      steps,
      seconds,
      evalAccuracy: Number.isFinite(evalAccuracy) ? evalAccuracy : null,
      trainAccuracy,
      evalAccuracyByFamily: accBy("family"),
      evalAccuracyByCorruption: accBy("corruption"),
      counts: {
        items: o.items.length,
        pairs: { train: trainPairs.length, eval: heldPairs.length },
        byFamily: { train: countBy(trainPairs, "family"), eval: countBy(heldPairs, "family") },
        byCorruption: { train: countBy(trainPairs, "corruption"), eval: countBy(heldPairs, "corruption") },
        itemsWithoutPairs: pstats.itemsWithoutPairs.length,
        skippedTooLong: skipped,
      },
      noiseMoments: c.noise_moments,
      noise,
    };
    writeFileAtomic(join(o.outDir, "result.json"), JSON.stringify(result, null, 1) + "\n");
    o.log(
      `held-out pairwise accuracy ${Number.isFinite(evalAccuracy) ? evalAccuracy.toFixed(3) : "n/a"} (${heldEx.length} pairs), train ${trainAccuracy.toFixed(3)}, ${seconds.toFixed(1)} s on ${backend}`,
    );
    return { pairsPath, rmDir, evalAccuracy, trainAccuracy, steps, seconds, backend };
  } finally {
    opt.dispose();
    rm.dispose();
  }
}
