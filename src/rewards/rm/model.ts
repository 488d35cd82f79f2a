/**
 * The reward model itself: the Bradley–Terry loss, the transformer + scalar head (BtRewardModel), and its directory
 * (save / load). The overview — what r(x, y) is, the training recipe, the saved layout — is in ./index.ts.
 */
import * as tf from "@tensorflow/tfjs";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ModelConfig } from "../../model/config.ts";
import { loadCheckpoint, saveCheckpoint, type OptimizerState } from "../../model/checkpoint.ts";
import type { GPT } from "../../model/gpt.ts";
import { mm } from "../../model/ops.ts";
import { PAD, type Tokenizer } from "../../model/tokenizer.ts";
import { BbioError } from "../../util/errors.ts";
import { writeDirAtomic } from "../../util/fsx.ts";
import { rngFor } from "../../util/rng.ts";
import type { RmStageConfig } from "../config.ts";

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

export const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

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
