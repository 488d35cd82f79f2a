/**
 * The live page's GRPO driver: trains the conflict control from its SFT checkpoint, held in memory, by
 * calling the project's own GRPO step (src/grpo/session.ts: the same buildSession/grpoStep that train.ts runs) — no
 * node: imports, no I/O, so loaders/live-bundle.ts bundles it for a Web Worker and Node runs it unchanged on the wasm
 * backend (test/live/driver.test.ts checks both agree with runGrpo, step for step).
 *
 *   const run = await runLive({ ...data, kg, scorer: score }, { method: "pcgrad", steps: 6 }, (s) => show(s));
 */
import { LIVE_HELD_OUT, type LiveSettings, liveSettingsError } from "../analysis/live.ts";
import { grpoSchema, type GrpoStageConfig } from "../grpo/config.ts";
import type { RewardScorer } from "../grpo/rewards.ts";
import { buildSession, CAPABILITIES, grpoStep, type Session } from "../grpo/session.ts";
import type { KG } from "../kg/types.ts";
import type { score } from "../mkgsg/score.ts";
import type { Capability, Item } from "../mkgsg/types.ts";
import type { ModelConfig } from "../model/config.ts";
import { GPT } from "../model/gpt.ts";
import { generate } from "../model/sample.ts";
import { EOS, Tokenizer, type TokenizerJSON } from "../model/tokenizer.ts";
import { fnv1a } from "../util/rng.ts";
import { MemorySink } from "../util/sink.ts";
import { usesPreferences } from "../weighting/registry.ts";

/** A checkpoint's weights as the store keeps them: the weights.json index and the weights.bin bytes. */
export interface LiveCheckpoint {
  model: ModelConfig;
  index: { name: string; shape: number[]; offset: number }[];
  bin: Uint8Array;
  tokenizer: TokenizerJSON;
}

/** What the reader may change on the page (defaults, limits and the form's check: src/analysis/live.ts). */
export type { LiveSettings };

export interface LiveStep {
  step: number;
  /** each capability's mean hybrid reward, in CAPABILITIES order */
  rewards: number[];
  /** cos(capitals, lower case) of the two slots' policy gradients (null when one is zero) */
  cos: number | null;
  /** the method's coefficients on the per-capability gradients */
  coef: number[];
}

export interface LiveResult {
  steps: LiveStep[];
  /** each case slot's sampled score over the held-out prompts after training (null when stopped early) */
  heldOut: { capitals: number; lower: number; prompts: number } | null;
}

export interface LiveInputs {
  checkpoint: LiveCheckpoint;
  /** the control's stored GRPO section (configs/conflict.json after parsing), used as the base of every live run */
  grpo: Record<string, unknown>;
  items: readonly Item[];
  kg: KG;
  scorer: typeof score;
  /** α_c = 1 (rule only) unless a reward model is given */
  rewardModel?: RewardScorer | null;
  alphas?: Record<Capability, number>;
}

export const CAPITALS = "instruction";
export const LOWER = "integration";

/** The weights map of a checkpoint (copied into aligned Float32Arrays, as loadCheckpoint does). */
export function checkpointWeights(c: LiveCheckpoint): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const e of c.index) {
    const n = e.shape.reduce((a, b) => a * b, 1);
    if (e.offset + 4 * n > c.bin.byteLength) throw new Error(`checkpoint: tensor ${e.name} runs past the end`);
    const data = new Float32Array(n);
    new Uint8Array(data.buffer).set(c.bin.subarray(e.offset, e.offset + 4 * n));
    out.set(e.name, data);
  }
  return out;
}

/** The stored control's GRPO config with the reader's settings applied, parsed by the project's schema (refusals are errors). */
export function liveConfig(inputs: Pick<LiveInputs, "checkpoint" | "grpo">, s: LiveSettings): GrpoStageConfig {
  const refused = liveSettingsError(s);
  if (refused) throw new Error(`live settings refused: ${refused}`);
  // mgda defines its own weights: the schema refuses preference weights under it, so it runs "uniform"
  const preferences = usesPreferences(s.method);
  const grpo = grpoSchema.parse({
    ...inputs.grpo,
    method: s.method,
    optim: s.optim,
    seed: s.seed,
    max_steps: s.steps,
    weight_strategy: preferences ? "static" : "uniform",
    reward_weights: preferences ? [0, 0, s.slotWeights[0], s.slotWeights[1]] : null,
    alpha: 1,
  });
  return { seed: s.seed, backend: "auto", model: inputs.checkpoint.model, grpo };
}

/** Train `settings.steps` GRPO steps from the checkpoint; onStep after each; `stop()` returning true ends early. */
export async function runLive(
  inputs: LiveInputs,
  settings: LiveSettings,
  onStep: (s: LiveStep) => void | Promise<void> = () => {},
  stop: () => boolean = () => false,
  endScore: { prompts: number; samples: number } = LIVE_HELD_OUT,
): Promise<LiveResult> {
  const config = liveConfig(inputs, settings);
  const policy = new GPT(inputs.checkpoint.model, checkpointWeights(inputs.checkpoint), settings.seed);
  const reference = config.grpo.beta > 0 ? new GPT(inputs.checkpoint.model, checkpointWeights(inputs.checkpoint), settings.seed) : null;
  const sink = new MemorySink();
  const alphas = inputs.alphas ?? (Object.fromEntries(CAPABILITIES.map((c) => [c, 1])) as Record<Capability, number>);
  const session = buildSession({
    config,
    items: inputs.items,
    kg: inputs.kg,
    scorer: inputs.scorer,
    policy,
    reference,
    tokenizer: Tokenizer.fromJSON(inputs.checkpoint.tokenizer),
    rewardModel: inputs.rewardModel ?? null,
    alphas,
    sink,
    seed: settings.seed,
  });
  const steps: LiveStep[] = [];
  try {
    for (let step = 1; step <= settings.steps && !stop(); step++) {
      const r = await grpoStep(session, step);
      steps.push(stepRecord(sink, step, r.capabilityMeans));
      await onStep(steps[steps.length - 1]);
    }
    const heldOut = stop() ? null : await heldOutScores(session, inputs, settings.seed, endScore);
    return { steps, heldOut };
  } finally {
    session.optimizer.dispose();
    policy.dispose();
    reference?.dispose();
  }
}

/**
 * Each case slot's sampled score over the held-out (extraction-split) prompts: the first `prompts` of them per slot
 * (in the items' fixed order, so every run scores the same prompts), `samples` completions each from the trained policy
 * at the GRPO sampling settings, scored by the MKGSG rule scorer; the mean per slot.
 */
export async function heldOutScores(
  session: Session,
  inputs: Pick<LiveInputs, "items" | "kg" | "scorer">,
  seed: number,
  { prompts, samples }: { prompts: number; samples: number } = LIVE_HELD_OUT,
): Promise<{ capitals: number; lower: number; prompts: number }> {
  const { config, tokenizer, policy } = session.sampling;
  const out = { capitals: 0, lower: 0, prompts: 0 };
  for (const [key, capability] of [
    ["capitals", CAPITALS],
    ["lower", LOWER],
  ] as const) {
    const items = inputs.items.filter((it) => it.split === "eval" && it.family === capability).slice(0, prompts);
    const flat = items.flatMap((it) => Array.from({ length: samples }, () => it));
    const g = await generate(
      policy,
      flat.map((it) => tokenizer.encodePrompt(it.prompt)),
      {
        maxNewTokens: config.max_completion_length,
        temperature: config.temperature,
        topK: config.top_k,
        topP: config.top_p,
        seed: fnv1a(`${seed}:live:heldout:${capability}`),
        stop: [EOS],
      },
    );
    const scores = g.tokens.map((t, j) => inputs.scorer(flat[j], tokenizer.decode(t.filter((x) => x !== EOS)), inputs.kg).score);
    out[key] = scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : Number.NaN;
    out.prompts = items.length;
  }
  return out;
}

/** One step's rewards, slot cosine and coefficients, read from what log.ts wrote to the sink. */
export function stepRecord(sink: MemorySink, step: number, rewards: number[]): LiveStep {
  const gram = (sink.tables.get("grad_gram") ?? []).find((r) => r.step === step && r.capability_i === CAPITALS && r.capability_j === LOWER);
  const coef = CAPABILITIES.map((c) => sink.metrics.find((m) => m.step === step && m.name === `coef/${c}`)?.value ?? Number.NaN);
  const cos = gram && typeof gram.cos === "number" && gram.cos !== 0 ? gram.cos : null;
  return { step, rewards, cos, coef };
}
