/**
 * Capability-Aware GRPO (TRL GRPOTrainer semantics; docs/method.md §5–6). One step, one phase a file:
 *
 *   1. sample.ts     P train prompts per capability (knowledge, reasoning, instruction, integration) in a seeded epoch
 *                    order, G completions per prompt from the current policy (KV cache, temperature/top-k/top-p)
 *   2. rewards.ts    hybrid reward per completion, r_c = α_c·rule + (1−α_c)·RM with c the prompt's capability
 *                    (rule = the MKGSG scorer, RM = the Bradley–Terry reward model of src/rewards; α_c from
 *                    src/rewards/alpha.ts), then group-relative advantages (advantages.ts)
 *   3. gradients.ts  one GRPO loss per capability over that capability's completions (loss.ts) → one gradient per
 *                    capability over ALL shared parameters
 *   4. update.ts     for each of μ = num_iterations passes: gradients → Gram matrix → weight strategy (first pass) →
 *                    combination method (src/weighting: sum, pcgrad, mgda, cagrpo, …) → global-norm clip → AdamW
 *   5. log.ts        TRL-named metrics, the Gram, the weights actually used, sampled completions
 *
 * Why capability weights act on gradients, not on rewards: every prompt belongs to one capability, so inside a group
 * only that capability's reward varies, and with scale_rewards="group" a reward weight cancels in (R − mean)/std.
 * Weighting the per-capability policy gradients, d = Σ_c w_c g_c, is what a reward weight means here — and it is
 * where the paper's "optimal weights" must act. The two coincide only with scale_rewards="none" AND β = 0: a reward
 * weight scales the advantage (the policy term) alone, while a gradient weight also scales that capability's KL
 * penalty, w_c·β·KL_c, so with β > 0 the gradient weights change how hard each capability is held to the reference.
 *
 * Checkpoints (policy + optimizer + step + strategy state) in <outDir>/checkpoint through the checkpointed loop
 * shared with SFT and the reward model (src/optim/loop.ts); resume continues from it.
 */
import { join } from "node:path";
import type { KG } from "../kg/types.ts";
import type { score } from "../mkgsg/index.ts";
import type { Capability, Item } from "../mkgsg/types.ts";
import { backendPreference, initBackend } from "../model/backend.ts";
import { isCheckpoint, loadCheckpoint, saveCheckpoint } from "../model/checkpoint.ts";
import { CheckpointedLoop, type TrainingRunOptions } from "../optim/index.ts";
import { progress } from "../util/progress.ts";
import { getMethod } from "../weighting/registry.ts";
import type { GrpoStageConfig } from "./config.ts";
import type { RewardScorer } from "./rewards.ts";
import { buildSession, CAPABILITIES, grpoStep, type Session } from "./session.ts";

export type { RewardScorer };

export { CAPABILITIES };

export interface GrpoOptions extends TrainingRunOptions {
  /** a parsed config (grpoSchema refuses incoherent GRPO settings) */
  config: GrpoStageConfig;
  items: readonly Item[];
  kg: KG;
  scorer: typeof score;
  /** SFT checkpoint: the initial policy and the frozen KL reference */
  sftCheckpointDir: string;
  /** null only when every α_c = 1 (rule-only ablation) */
  rewardModel: RewardScorer | null;
  /** α_c per capability (src/rewards/alpha.ts resolveAlphas) */
  alphas: Record<Capability, number>;
  /** default: grpo.seed, else config.seed */
  seed?: number;
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

/**
 * The policy (from the SFT checkpoint, or resumed), the frozen reference, optimizer, strategy and phase contexts;
 * `resumedAt` is the checkpoint's step when resumed.
 */
async function openSession(
  options: GrpoOptions,
  seed: number,
  checkpointDir: string,
): Promise<{ session: Session; resumedAt: number | undefined }> {
  const { config, sink } = options;
  const grpo = config.grpo;
  const resume = !!options.resume && isCheckpoint(checkpointDir);
  const checkpoint = await loadCheckpoint(resume ? checkpointDir : options.sftCheckpointDir, { expect: config.model, seed });
  const reference = grpo.beta > 0 ? (await loadCheckpoint(options.sftCheckpointDir, { expect: config.model, seed })).model : null;
  const resumedAt = resume ? (checkpoint.state?.step ?? 0) : undefined;
  const strategyState = resume ? (checkpoint.state as { strategy?: unknown } | undefined)?.strategy : undefined;
  const session = buildSession({
    config,
    items: options.items,
    kg: options.kg,
    scorer: options.scorer,
    policy: checkpoint.model,
    reference,
    tokenizer: checkpoint.tokenizer,
    rewardModel: options.rewardModel,
    alphas: options.alphas,
    sink,
    seed,
    start: resumedAt ?? 0,
    optimizerState: resume ? checkpoint.optimizer : undefined,
    strategyState,
  });
  return { session, resumedAt };
}

async function saveSession(session: Session, options: GrpoOptions, checkpointDir: string, step: number): Promise<void> {
  await saveCheckpoint(checkpointDir, {
    model: session.policy,
    tokenizer: session.tokenizer,
    config: options.config,
    optimizer: await session.optimizer.state(),
    state: { step, strategy: session.strategy.state?.() },
    extra: { stage: "grpo" },
  });
}

export async function runGrpo(options: GrpoOptions): Promise<GrpoResult> {
  const { config } = options;
  const grpo = config.grpo;
  getMethod(grpo.method); // a name that is no combination method (an SFT-only run's "none") is refused before any work
  // the RL seed: an explicit override, else grpo.seed, else the run's seed (the pipeline passes nothing extra)
  const seed = options.seed ?? grpo.seed ?? config.seed;
  const backend = await initBackend(backendPreference(config.backend));
  const startedAt = Date.now();
  const checkpointDir = join(options.outDir, "checkpoint");
  const { session, resumedAt } = await openSession(options, seed, checkpointDir);
  const loop = new CheckpointedLoop({
    stage: "grpo",
    checkpointDir,
    resumedAt,
    maxSteps: grpo.max_steps,
    saveEvery: grpo.save_every,
    stopAfter: options.stopAfter,
    sink: options.sink,
    hasCheckpoint: () => isCheckpoint(checkpointDir),
    save: (step) => saveSession(session, options, checkpointDir, step),
  });
  const bar = progress("grpo", grpo.max_steps, { enabled: options.progress ?? true });
  bar.tick(loop.start);
  const rewardFirst: Record<string, number> = {};
  const rewardLast: Record<string, number> = {};
  try {
    await loop.run(async (index) => {
      const step = index + 1; // GRPO numbers its steps from 1
      const rewards = await grpoStep(session, step);
      const byName = Object.fromEntries(CAPABILITIES.map((capability, c) => [capability, rewards.capabilityMeans[c]]));
      if (step === 1) Object.assign(rewardFirst, byName);
      Object.assign(rewardLast, byName);
      bar.tick(1, { info: `reward ${rewards.meanReward.toFixed(3)}` });
    });
  } finally {
    bar.stop();
    session.optimizer.dispose();
    session.policy.dispose();
    session.reference?.dispose();
  }
  return { checkpointDir, steps: loop.end, backend, rewardFirst, rewardLast, seconds: (Date.now() - startedAt) / 1000 };
}
