/**
 * The real pipeline: which stage functions `bbio run` calls, what part of the config each one depends on, and where
 * its artefacts go. Each stage imports its science lazily (TF.js / KG loading happen only when the stage computes).
 *
 *   generate ─► sft ─► rm ─► grpo ─► eval ─► baseline      (sft-only: generate ─► sft ─► eval ─► baseline)
 *
 * STAGE VERSIONS (part of every stage's input hash: bump one when its artefact would change; what the current one is)
 *
 *   | stage    | version | what the version covers                                                                   |
 *   | -------- | ------- | ----------------------------------------------------------------------------------------- |
 *   | generate | 2       | the gene world (cards, extraction and control splits)                                     |
 *   |          | 3       | knowledge answers after a fixed prefix no card uses; dev genes; chain targets with        |
 *   |          |         | distractor children in the term cards; no held-out reasoning gold equal to a training     |
 *   |          |         | gold; IFEval checker semantics                                                            |
 *   | sft      | 2       | packed rows, gene cards                                                                   |
 *   |          | 3       | tokenizer fitted on train items + cards only; held-out loss and probe on dev genes        |
 *   |          | 4       | probes score options in batches; greedy decoding drops finished rows (same weights)        |
 *   | rm       | 3       | no pairs from control items; value-MCQ and labelled-field corruptions; workflow credit    |
 *   |          |         | needs the right content                                                                   |
 *   |          | 4       | minimum-variance α noise on a train hold-out (rm.alpha_holdout); no pairs from dev items  |
 *   | grpo     | 2       | prohibitions earn no credit alone (src/mkgsg/score.ts)                                    |
 *   |          | 3       | cagrpo applies weight_strategy; dapo divides by the whole batch's tokens; log-probs at    |
 *   |          |         | the sampling temperature; normalize_then_sum always batch-normalises; one strategy/EMA    |
 *   |          |         | update and grad_norm per step; Aligned-MTL's rank tolerance is LibMTL's                   |
 *   |          | 4       | prompt order keyed by the pool's prompts; capabilities sharing a prompt score the same    |
 *   |          |         | completions                                                                               |
 *   |          | 5       | each capability's gradient from its two halves (grad/split_half_cos), equal to the whole  |
 *   |          |         | to float rounding; cagrpo's balanced rule on unit conflict-free directions; CAGrad drops  |
 *   |          |         | zero gradients                                                                            |
 *   |          | 6       | sampling drops finished rows from the batch and draws untruncated tokens in id order;     |
 *   |          |         | log-probs through the head on completion positions only                                   |
 *   | eval     | 3       | cloze knowledge, IFEval instruction semantics, control metrics, per-item rows (eval_items) |
 *   |          | 4       | acc / acc_norm over the value after the answer prefix, acc_generate                       |
 *   |          | 5       | options of many items scored per forward; greedy decoding drops finished rows             |
 *   | baseline | 4       | the same evaluation code as eval 4                                                        |
 *   |          | 5       | the same evaluation code as eval 5                                                        |
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cpus } from "node:os";
import type { Config } from "../config/index.ts";
import { type EvalConfig, scoresControl } from "../eval/config.ts";
import { type GrpoConfig, withoutRl } from "../grpo/config.ts";
import type { DataConfig } from "../mkgsg/config.ts";
import type { ModelConfig } from "../model/config.ts";
import type { RmConfig } from "../rewards/config.ts";
import type { SftConfig } from "../sft/config.ts";
import { CAPABILITIES, type Item } from "../mkgsg/types.ts";
import { SFT_ONLY } from "../analysis/labels.ts";
import { BbioError } from "../util/errors.ts";
import { readJsonl, toJsonl, writeFileAtomic } from "../util/fsx.ts";
import { sha256 } from "../util/hash.ts";
import type { PipelineSpec, StageDef } from "./stage.ts";

/** Identity of the committed KG (its manifest's data hash): part of the generate stage's inputs. */
function kgFingerprint(): string {
  const dir = process.env.BBIO_KG_DIR ?? new URL("../../data/kg/", import.meta.url).pathname;
  const manifest = join(dir, "manifest.json");
  if (!existsSync(manifest)) return "no-kg"; // generate will fail with the KG loader's own clear error
  const text = readFileSync(manifest, "utf8");
  try {
    return String(JSON.parse(text).dataHash ?? sha256(text));
  } catch {
    return sha256(text);
  }
}

const ITEMS = "items.jsonl";
const REJECTS = "rejects.jsonl";
const PAIRS = "pairs.jsonl";
/** gene world: the cards SFT reads and the world's genes with their roles */
const CARDS = "cards.jsonl";
const WORLD = "world.json";

/**
 * A run without RL (grpo.method = NO_RL, see withoutRl): the pipeline trains no reward model and no GRPO policy,
 * evaluates the SFT checkpoint, and records the run as SFT_ONLY (runs.method; the name lives beside the method order
 * the pages compare it with, src/analysis/labels.ts). This is the one place that maps the config value to the stored name.
 */
const sftOnly = (c: Config) => withoutRl(c.grpo);

const generate: StageDef<Config, { data: DataConfig; kg: string }> = {
  name: "generate",
  version: 3, // see STAGE VERSIONS at the top
  deps: () => [],
  enabled: () => true,
  slice: (c) => ({ data: c.data, kg: kgFingerprint() }),
  usesBackend: false,
  definesData: true,
  async run(ctx) {
    const { loadKG } = await import("../kg/load.ts");
    const { generate: generateItems } = await import("../mkgsg/index.ts");
    const kg = loadKG();
    const out = generateItems(kg, ctx.slice.data, ctx.seed);
    const rejects = out.rejects;
    writeFileAtomic(join(ctx.dir, CARDS), toJsonl(out.cards));
    writeFileAtomic(join(ctx.dir, WORLD), JSON.stringify(out.world) + "\n");
    if (out.cards.length) ctx.sink.metric(0, "data/cards", out.cards.length);
    if (out.items.length === 0) throw new BbioError("generate: no items were produced", 2, "check the data section of the config");
    writeFileAtomic(join(ctx.dir, ITEMS), toJsonl(out.items));
    writeFileAtomic(join(ctx.dir, REJECTS), toJsonl(rejects));
    for (const capability of CAPABILITIES) {
      ctx.sink.metric(0, `data/items/${capability}`, out.items.filter((i) => i.family === capability).length);
      ctx.sink.metric(0, `data/rejects/${capability}`, rejects.filter((r) => r.family === capability).length);
    }
    ctx.log(`${out.items.length} items, ${rejects.length} rejects`);
  },
  dataRows(dir) {
    return [
      { table: "items", rows: readJsonl<Record<string, unknown>>(join(dir, ITEMS)) },
      { table: "rejects", rows: readJsonl<Record<string, unknown>>(join(dir, REJECTS)) },
    ];
  },
};

const sft: StageDef<Config, { data: DataConfig; model: ModelConfig; sft: SftConfig }> = {
  name: "sft",
  version: 4, // see STAGE VERSIONS at the top
  deps: () => ["generate"],
  enabled: () => true,
  // data: recorded in the checkpoint (bbio eval regenerates items from it); already covered by generate's hash
  slice: (c) => ({ data: c.data, model: c.model, sft: c.sft }),
  usesBackend: true,
  runLabel: () => SFT_ONLY,
  async run(ctx) {
    const { runSft } = await import("../sft/sft.ts");
    const items = readJsonl<Item>(join(ctx.upstream.generate.dir, ITEMS));
    const cardsFile = join(ctx.upstream.generate.dir, CARDS);
    const cards = existsSync(cardsFile) ? readJsonl<{ id: string; text: string }>(cardsFile) : [];
    // checkpoint (model + tokenizer + optimizer) in <dir>/checkpoint; resumes from it when ctx.resume
    const config = { ...ctx.slice, seed: ctx.seed, backend: ctx.backend };
    const r = await runSft({ config, items, cards, outDir: ctx.dir, sink: ctx.sink, seed: ctx.seed, resume: ctx.resume });
    const { losses: _losses, ...summary } = r;
    writeFileAtomic(join(ctx.dir, "result.json"), JSON.stringify(summary, null, 1) + "\n");
    ctx.log(
      `final loss ${r.finalLoss.toFixed(3)}, eval loss ${r.evalLossStart.toFixed(3)} → ${r.evalLossEnd.toFixed(3)}, ${Math.round(r.tokensPerSec)} tok/s`,
    );
  },
};

const rm: StageDef<Config, { model: ModelConfig; rm: RmConfig }> = {
  name: "rm",
  version: 4, // see STAGE VERSIONS at the top
  deps: () => ["generate", "sft"],
  enabled: (c) => !sftOnly(c),
  slice: (c) => ({ model: c.model, rm: c.rm }),
  usesBackend: true,
  async run(ctx) {
    const { loadKG } = await import("../kg/load.ts");
    const { runRmStage } = await import("../rewards/rm/index.ts");
    const items = readJsonl<Item>(join(ctx.upstream.generate.dir, ITEMS));
    const r = await runRmStage({
      config: { ...ctx.slice, seed: ctx.seed, backend: ctx.backend },
      items,
      sftCheckpointDir: join(ctx.upstream.sft.dir, "checkpoint"),
      outDir: ctx.dir,
      sink: ctx.sink,
      seed: ctx.seed,
      resume: ctx.resume,
      kg: loadKG(),
      log: ctx.log,
    });
    ctx.log(`reward model: held-out pairwise accuracy ${r.evalAccuracy.toFixed(3)} (train ${r.trainAccuracy.toFixed(3)})`);
  },
  dataRows(dir) {
    return [{ table: "pairs", rows: readJsonl<Record<string, unknown>>(join(dir, PAIRS)) }];
  },
};

const grpo: StageDef<Config, { data: DataConfig; model: ModelConfig; grpo: GrpoConfig }> = {
  name: "grpo",
  version: 6, // see STAGE VERSIONS at the top
  deps: () => ["generate", "sft", "rm"],
  enabled: (c) => !sftOnly(c),
  runLabel: (c) => c.grpo.method,
  // model: the policy's shape (also fixed by sft's hash); data: recorded in the checkpoint for bbio eval
  slice: (c) => ({ data: c.data, model: c.model, grpo: c.grpo }),
  usesBackend: true,
  async run(ctx) {
    const { loadKG } = await import("../kg/load.ts");
    const { score } = await import("../mkgsg/index.ts");
    const { runGrpo } = await import("../grpo/train.ts");
    const { logMinVarianceAlphas, resolveAlphas } = await import("../rewards/alpha.ts");
    const items = readJsonl<Item>(join(ctx.upstream.generate.dir, ITEMS));
    const rmResult = join(ctx.upstream.rm.dir, "result.json");
    const config = { ...ctx.slice, seed: ctx.seed, backend: ctx.backend };
    const { alphas, source } = resolveAlphas(config.grpo.alpha, rmResult);
    // the minimum-variance α is logged at step 0 before runGrpo resumes: on a resume whose spool already holds it, it
    // is NOT re-emitted, because a step-0 row emitted before resumeFrom(S) would supersede the earlier attempt's rows
    // of steps 1…S (src/store/sink.ts: re-emitting step s drops old rows with step ≥ s), losing them from the run
    const logged = ctx.resume && spoolHas(join(ctx.dir, "rows.jsonl"), "alpha_min_variance/");
    const w3 = logMinVarianceAlphas(logged ? null : ctx.sink, rmResult);
    const needRm = Object.values(alphas).some((a) => a < 1);
    const { loadRewardModel } = await import("../rewards/rm/index.ts");
    const rewardModel = needRm ? await loadRewardModel(join(ctx.upstream.rm.dir, "rm"), config.model) : null;
    ctx.log(
      `α (${source}): ${Object.entries(alphas)
        .map(([c, a]) => `${c} ${a.toFixed(2)}`)
        .join(", ")}`,
    );
    try {
      const r = await runGrpo({
        config,
        items,
        kg: loadKG(),
        scorer: score,
        sftCheckpointDir: join(ctx.upstream.sft.dir, "checkpoint"),
        rewardModel,
        alphas,
        outDir: ctx.dir,
        sink: ctx.sink,
        resume: ctx.resume,
      });
      writeFileAtomic(
        join(ctx.dir, "result.json"),
        JSON.stringify({ ...r, alphas, alphaSource: source, alphaMinVariance: w3 }, null, 1) + "\n",
      );
      ctx.log(`${r.steps} steps in ${r.seconds.toFixed(0)} s; reward ${fmtCaps(r.rewardFirst)} → ${fmtCaps(r.rewardLast)}`);
    } finally {
      rewardModel?.dispose();
    }
  },
};

/** Does a stage's row spool already hold a metric whose name starts with `prefix`? */
function spoolHas(spool: string, prefix: string): boolean {
  if (!existsSync(spool)) return false;
  return readFileSync(spool, "utf8")
    .split("\n")
    .some((l) => l.includes(`"name":"${prefix}`));
}

const fmtCaps = (r: Record<string, number>) =>
  Object.values(r)
    .map((v) => v.toFixed(2))
    .join("/");

const evaluate: StageDef<Config, { eval: EvalConfig; policy: "sft" | "grpo"; step: number }> = {
  name: "eval",
  version: 5, // see STAGE VERSIONS at the top
  deps: (c) => (sftOnly(c) ? ["generate", "sft"] : ["generate", "grpo"]),
  enabled: () => true,
  // policy and step: which checkpoint is scored and the step its rows are stored at (the policy's last RL step)
  slice: (c) => ({ eval: c.eval, policy: sftOnly(c) ? "sft" : "grpo", step: sftOnly(c) ? 0 : c.grpo.max_steps }),
  usesBackend: true,
  async run(ctx) {
    const { loadKG } = await import("../kg/load.ts");
    const { evaluate: evaluateCheckpoint } = await import("../eval/evaluate.ts");
    const items = readJsonl<Item>(join(ctx.upstream.generate.dir, ITEMS));
    const { policy, step } = ctx.slice;
    const checkpointDir = join(ctx.upstream[policy].dir, "checkpoint");
    // the untrained-model baseline is its own cached stage (below): identical for every run sharing the SFT stage
    const control = scoresControl(ctx.slice.eval.control, policy === "grpo");
    const config = { seed: ctx.seed, backend: ctx.backend, eval: { ...ctx.slice.eval, control, untrained_baseline: false } };
    const r = await evaluateCheckpoint({ checkpointDir, items, kg: loadKG(), config, seed: ctx.seed, sink: ctx.sink, step });
    const { items: perItem, ...summary } = r;
    writeFileAtomic(join(ctx.dir, "report.json"), JSON.stringify(summary, null, 1) + "\n");
    writeFileAtomic(join(ctx.dir, "answers.jsonl"), toJsonl(perItem));
    ctx.log(
      Object.entries(r.capabilities)
        .map(([f, x]) => `${f} ${(100 * x!.mean).toFixed(1)}%`)
        .join(", "),
    );
  },
};

/**
 * The untrained-model baseline (eval.untrained_baseline): the same evaluation of a freshly initialised model with the
 * SFT tokenizer. It depends only on the data, the SFT stage (tokenizer), the model shape, the eval config and the seed,
 * so one computation serves every run of a suite; its rows (evals, metric "baseline/untrained") join each run.
 * Last in the plan so a suite's GRPO runs never wait for it.
 */
const baseline: StageDef<Config, { model: ModelConfig; eval: EvalConfig }> = {
  name: "baseline",
  version: 5, // see STAGE VERSIONS at the top
  deps: () => ["generate", "sft"],
  enabled: (c) => c.eval.untrained_baseline,
  slice: (c) => ({ model: c.model, eval: c.eval }),
  usesBackend: true,
  async run(ctx) {
    const { loadKG } = await import("../kg/load.ts");
    const { evaluate: evaluateModel } = await import("../eval/evaluate.ts");
    const { loadCheckpoint } = await import("../model/checkpoint.ts");
    const { GPT } = await import("../model/gpt.ts");
    const items = readJsonl<Item>(join(ctx.upstream.generate.dir, ITEMS));
    const ck = await loadCheckpoint(join(ctx.upstream.sft.dir, "checkpoint"), { expect: ctx.slice.model });
    ck.model.dispose();
    const fresh = GPT.init(ctx.slice.model, ctx.seed); // the initialisation SFT started from
    try {
      // the untrained model guesses on every split alike: its control would only repeat its headline
      const config = { seed: ctx.seed, backend: ctx.backend, eval: { ...ctx.slice.eval, untrained_baseline: false, control: false } };
      const r = await evaluateModel({ model: fresh, tokenizer: ck.tokenizer, items, kg: loadKG(), config, seed: ctx.seed });
      ctx.sink.rows(
        "evals",
        Object.entries(r.capabilities).map(([capability, x]) => ({
          step: 0,
          capability,
          metric: "baseline/untrained",
          value: x!.mean,
          ci_lo: x!.ci_lo,
          ci_hi: x!.ci_hi,
          n: x!.n,
        })),
      );
      const { items: _perItem, ...summary } = r;
      writeFileAtomic(join(ctx.dir, "report.json"), JSON.stringify(summary, null, 1) + "\n");
      ctx.log(
        `untrained: ${Object.entries(r.capabilities)
          .map(([f, x]) => `${f} ${(100 * x!.mean).toFixed(1)}%`)
          .join(", ")}`,
      );
    } finally {
      fresh.dispose();
    }
  },
};

export const realSpec: PipelineSpec<Config> = {
  stages: [generate, sft, rm, grpo, evaluate, baseline],
  async initBackend(requested) {
    const { initBackend, backendPreference } = await import("../model/backend.ts");
    return initBackend(backendPreference(requested)); // BBIO_BACKEND overrides the config; the name actually used is returned
  },
  async floatSettings(backend) {
    if (backend !== "native") return null; // wasm and cpu run the same code on every CPU: nothing to pin
    const { nativeInfo } = await import("../model/native.ts");
    const n = nativeInfo();
    if (!n) return null;
    const { identity, mode, env, fallback } = n.float;
    return {
      identity,
      mode,
      env,
      fallback,
      aten: n.atenCapability,
      openblas: n.blasCore,
      threads: n.threads,
      cpu: cpus()[0]?.model?.trim(),
    };
  },
};
