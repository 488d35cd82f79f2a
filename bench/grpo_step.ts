/**
 * `npx tsx bench/grpo_step.ts [--json] [--config default] [--threads one|all] [--rounds 3]` (also `npm run bench --
 * --grpo-only`): ONE WHOLE GRPO STEP, this project's against a PyTorch twin of the same step (bench/torch_gpt.py grpo),
 * on the same weights, in one run.
 *
 * The step, with the config's GRPO settings (prompts_per_capability P, num_generations G, max_completion_length,
 * temperature / top_k / top_p, β, ε, AdamW, max_grad_norm) and model shape:
 *   sample      G completions for each of the P prompts of every capability, one batch (src/model/sample.ts generate,
 *               as src/grpo/sample.ts calls it)
 *   logprobs    old-policy and reference log-probs per capability, without gradient (sequenceLogprobsArray, as
 *               src/grpo/gradients.ts frozenLogprobs does)
 *   backward    one GRPO loss and backward per capability (src/grpo/gradients.ts capabilityGradient)
 *   combine     the GRPO loop's combine under method sum (src/weighting/step.ts: Gram, sum, per-variable split), global-norm
 *               clip and AdamW (src/optim)
 * Rewards and advantages are outside the timed step: advantages are seeded constants, the same on both sides.
 * The work is equal on both sides: no stop token, so every completion is exactly max_completion_length tokens; prompts
 * are seeded random token ids of one length (--prompt-len), as the twin batches them without padding.
 *
 * Each round runs --warmup untimed steps on each side before its timed ones (the twin in its round's process, ours
 * in-process), so both sides are timed warm after the other has run.
 * Threads: "one" = BBIO_THREADS=1 and torch one thread with one-thread OpenBLAS (the build's setting); "all" = every
 * core on both sides. Rounds alternate ours then torch (a load change hits both); each side's step is the median of
 * its timed steps, and the ratio is PyTorch's time ÷ ours (> 1: ours is faster). The load average is printed with it:
 * on a shared machine a ratio means little without it.
 */
import { Command, Option } from "commander";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { GrpoBenchResult } from "./grpo_report.ts";

const opts = new Command()
  .name("grpo_step")
  .description("one whole GRPO step: this project vs its PyTorch twin, per phase")
  .option("--json", "print one JSON object instead of the table", false)
  .option("--config <name|file>", "bbio config whose model shape and grpo settings the step uses", "default")
  .addOption(
    new Option("--threads <which>", "one: BBIO_THREADS=1 and torch 1 thread; all: every core").choices(["one", "all"]).default("one"),
  )
  .option("--rounds <n>", "rounds of ours-then-torch (median of all timed steps per side)", (v) => Number.parseInt(v, 10), 3)
  .option("--steps <n>", "timed steps per side per round", (v) => Number.parseInt(v, 10), 1)
  .option("--warmup <n>", "untimed steps before the timed ones, per side and round", (v) => Number.parseInt(v, 10), 1)
  .option("--prompt-len <n>", "prompt tokens per completion", (v) => Number.parseInt(v, 10), 32)
  .option("--prompts <n>", "override grpo.prompts_per_capability", (v) => Number.parseInt(v, 10))
  .option("--generations <n>", "override grpo.num_generations", (v) => Number.parseInt(v, 10))
  .option("--new <n>", "override grpo.max_completion_length", (v) => Number.parseInt(v, 10))
  .option("--model <json>", "override model fields (inline JSON), e.g. a tiny shape for a quick check")
  .option("--seed <n>", "seed for weights, prompts and advantages", (v) => Number.parseInt(v, 10), 0)
  .parse(process.argv)
  .opts<{
    json: boolean;
    config: string;
    threads: "one" | "all";
    rounds: number;
    steps: number;
    warmup: number;
    promptLen: number;
    prompts?: number;
    generations?: number;
    new?: number;
    model?: string;
    seed: number;
  }>();

// the thread count is read when the native backend loads: set it before importing the model
const cores = cpus().length;
process.env.BBIO_THREADS = opts.threads === "one" ? "1" : String(cores);
process.env.BBIO_ATEN_THREADS = process.env.BBIO_THREADS;

const log = (s: string) => process.stderr.write(`bench grpo: ${s}\n`);
function fail(msg: string): never {
  process.stderr.write(`bench grpo: ${msg}\n`);
  process.exit(2);
}
for (const k of ["rounds", "steps", "promptLen"] as const) if (!(opts[k] >= 1)) fail(`--${k} must be a positive integer`);

const tf = await import("@tensorflow/tfjs");
const { loadConfig } = await import("../src/config/index.ts");
const { initBackend, describeBackend } = await import("../src/model/backend.ts");
const { GPT, weightShapes, paramCount, parameterBlock } = await import("../src/model/gpt.ts");
const { generate, sequenceLogprobsArray } = await import("../src/model/sample.ts");
const { capabilityGradient } = await import("../src/grpo/gradients.ts");
const { CAPABILITIES } = await import("../src/mkgsg/types.ts");
const { AdamW, adamwHyper, clipByGlobalNorm } = await import("../src/optim/index.ts");
const { capabilityAwareUpdate } = await import("../src/weighting/step.ts");
const { blockGrams } = await import("../src/weighting/gram.ts");
const { nativeInfo } = await import("../src/model/native.ts");
const { rngFor } = await import("../src/util/rng.ts");
const { runTorch, torchAvailable, TORCH_INSTALL_HINT } = await import("./torch.ts");
const { grpoTable } = await import("./grpo_report.ts");

const config = loadConfig(opts.config);
const grpo = {
  ...config.grpo,
  prompts_per_capability: opts.prompts ?? config.grpo.prompts_per_capability,
  num_generations: opts.generations ?? config.grpo.num_generations,
  max_completion_length: opts.new ?? config.grpo.max_completion_length,
};
const shape = { ...config.model, ...(opts.model ? JSON.parse(opts.model) : {}), dropout: 0 };
const P = grpo.prompts_per_capability;
const G = grpo.num_generations;
const newTokens = grpo.max_completion_length;
if (opts.promptLen + newTokens > shape.block_size)
  fail(`prompt ${opts.promptLen} + ${newTokens} new tokens exceed block_size ${shape.block_size}`);
if (!torchAvailable()) fail(TORCH_INSTALL_HINT);

const backend = await initBackend(process.env.BBIO_BACKEND ?? "auto", { quiet: true });
const backendDesc = describeBackend();
const ni = backend === "native" ? nativeInfo() : null;
const cpu = {
  model: cpus()[0]?.model ?? "unknown",
  cores,
  aten: ni?.atenCapability ?? null,
  openblas: ni?.blasCore ?? null,
  float: ni?.float.identity ?? null,
};

// ---- the shared inputs: weights (one checkpoint both sides load), prompts, advantages ----
const rng = rngFor(opts.seed, "bench/grpo");
const C = CAPABILITIES.length;
// token ids from 4 up: the tokenizer's specials (PAD, EOS, …) sit at the bottom of the vocabulary
const prompts = Array.from({ length: C }, () =>
  Array.from({ length: P }, () => Array.from({ length: opts.promptLen }, () => 4 + Math.floor(rng() * (shape.vocab_size - 4)))),
);
const advantages = Array.from({ length: C }, () => Array.from({ length: P * G }, () => 2 * rng() - 1));

const policy = GPT.init(shape, opts.seed);
const reference = GPT.init(shape, opts.seed);
const dir = mkdtempSync(join(tmpdir(), "bbio-grpo-bench-"));
{
  const weights = await policy.weights();
  const index: { name: string; shape: number[]; offset: number }[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const [name, dims] of weightShapes(policy.config)) {
    const data = weights.get(name)!;
    index.push({ name, shape: dims, offset });
    chunks.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    offset += data.byteLength;
  }
  writeFileSync(join(dir, "weights.bin"), Buffer.concat(chunks));
  writeFileSync(join(dir, "weights.json"), JSON.stringify(index));
  writeFileSync(join(dir, "config.json"), JSON.stringify({ model: policy.config }));
}
const plan = { grpo, prompts, advantages };

// ---- ours: the project's own phases ----
const optimizer = new AdamW(policy.params, adamwHyper(grpo));
const names = [...policy.params.keys()];
const blocks = names.map(parameterBlock);
type Phases = { sample: number; logprobs: number; backward: number[]; combine_step: number; total: number; sampled_tokens: number };

async function oursStep(step: number): Promise<Phases> {
  const t0 = performance.now();
  // every capability's prompts, G rows each, one generate call (src/grpo/sample.ts sampleCompletions)
  const rows = prompts.flatMap((caps) => caps.flatMap((p) => Array.from({ length: G }, () => p)));
  const generation = await generate(policy, rows, {
    maxNewTokens: newTokens,
    temperature: grpo.temperature,
    topK: grpo.top_k,
    topP: grpo.top_p,
    seed: opts.seed * 1000 + step,
    stop: [], // equal work on both sides: every completion is max_completion_length tokens
  });
  const completions = rows.map((prompt, i) => ({
    item: null,
    capability: Math.floor(i / (P * G)),
    prompt,
    completion: generation.tokens[i],
    text: "",
    sampleLogp: 0,
  }));
  const batch = {
    completions: completions as unknown as import("../src/grpo/sample.ts").Completion[],
    byCapability: CAPABILITIES.map((_, c) => Array.from({ length: P * G }, (_, k) => c * P * G + k)),
  };
  const t1 = performance.now();
  const lpBatch = (c: number) => ({
    prompts: batch.byCapability[c].map((i) => rows[i]),
    completions: batch.byCapability[c].map((i) => generation.tokens[i]),
  });
  const old: number[][][] = [];
  const ref: number[][][] = [];
  for (let c = 0; c < C; c++) old.push(await sequenceLogprobsArray(policy, lpBatch(c), grpo.temperature));
  for (let c = 0; c < C; c++) ref.push(await sequenceLogprobsArray(reference, lpBatch(c), grpo.temperature));
  const t2 = performance.now();
  const scored = { advantages: { advantages: advantages.flat() } } as unknown as import("../src/grpo/rewards.ts").ScoredBatch;
  const numItems = completions.reduce((a, r) => a + r.completion.length, 0);
  const backward: number[] = [];
  const parts: Float32Array[][] = [];
  for (let c = 0; c < C; c++) {
    const tc = performance.now();
    const g = await capabilityGradient(policy, batch, scored, { old: old[c], reference: ref[c] }, batch.byCapability[c], grpo, numItems);
    parts.push(g.parts);
    backward.push((performance.now() - tc) / 1000);
  }
  const t3 = performance.now();
  // the combine the GRPO loop runs (src/grpo/update.ts): per-block Grams, whose sum is the Gram handed to the method
  // (plain sum), then the per-variable split
  const grams = blockGrams(parts, blocks);
  const update = capabilityAwareUpdate(parts, { method: "sum", capabilities: CAPABILITIES, step, seed: opts.seed, gram: grams.gram });
  const grads = new Map<string, import("@tensorflow/tfjs").Tensor>();
  names.forEach((name, v) => grads.set(name, tf.tensor(update.perVariable[v], policy.params.get(name)!.shape)));
  const norm = clipByGlobalNorm(grads, grpo.max_grad_norm);
  optimizer.step(grads, grpo.learning_rate);
  await norm.data(); // the step is done when its results can be read
  norm.dispose();
  for (const t of grads.values()) t.dispose();
  const t4 = performance.now();
  return {
    sample: (t1 - t0) / 1000,
    logprobs: (t2 - t1) / 1000,
    backward,
    combine_step: (t4 - t3) / 1000,
    total: (t4 - t0) / 1000,
    sampled_tokens: generation.tokens.reduce((a, r) => a + r.length, 0),
  };
}

// ---- rounds: ours, then torch, alternating ----
const ours: Phases[] = [];
const theirs: Phases[] = [];
const loads: number[] = [];
let oursStepNo = 0;
log(`${backendDesc}; ${C} capabilities × ${P} prompts × G=${G} × ${newTokens} new tokens after ${opts.promptLen}; threads ${opts.threads}`);
try {
  for (let round = 0; round < opts.rounds; round++) {
    loads.push(loadavg()[0]);
    // untimed warm-up steps in every round, as the twin runs its own in each round's fresh process: the first step
    // after the other side has had the cores is slow on both (ours measured ~2× in sampling: caches, page and
    // frequency state), and only the twin used to get the warm-up after it
    for (let w = 0; w < opts.warmup; w++) await oursStep(++oursStepNo);
    for (let s = 0; s < opts.steps; s++) ours.push(await oursStep(++oursStepNo));
    const t = runTorch<{ steps: Phases[] }>(
      ["grpo", "--ckpt", dir, "--steps", String(opts.steps), "--warmup", String(opts.warmup), "--seed", String(opts.seed)],
      { stdin: JSON.stringify(plan), threads: opts.threads === "one" ? "one-core" : "all-cores" },
    );
    theirs.push(...t.steps);
    log(
      `round ${round + 1}/${opts.rounds}: ours ${ours.at(-1)!.total.toFixed(3)} s, torch ${t.steps.at(-1)!.total.toFixed(3)} s (load ${loads.at(-1)!.toFixed(2)})`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
loads.push(loadavg()[0]);

// ---- report ----
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** per phase, the median over steps (the phases of the median step need not sum to the median total exactly) */
const summary = (steps: Phases[]) => ({
  total: median(steps.map((s) => s.total)),
  sample: median(steps.map((s) => s.sample)),
  logprobs: median(steps.map((s) => s.logprobs)),
  backward: CAPABILITIES.map((_, c) => median(steps.map((s) => s.backward[c]))),
  combine_step: median(steps.map((s) => s.combine_step)),
  sampled_tokens: steps[0].sampled_tokens,
  steps: steps.length,
});
const o = summary(ours);
const t = summary(theirs);
if (o.sampled_tokens !== t.sampled_tokens) fail(`unequal work: ours sampled ${o.sampled_tokens} tokens, torch ${t.sampled_tokens}`);
const result: GrpoBenchResult & { what: string; config: string } = {
  what: "one whole GRPO step: sample, old/ref log-probs, one backward per capability, plain sum + clip + AdamW",
  config: opts.config,
  shape,
  params: paramCount(policy.config),
  capabilities: CAPABILITIES,
  prompts_per_capability: P,
  num_generations: G,
  max_completion_length: newTokens,
  prompt_len: opts.promptLen,
  threads: opts.threads,
  rounds: opts.rounds,
  backend: backendDesc,
  cpu,
  ours: o,
  torch: t,
  // PyTorch's time ÷ ours: > 1 means ours is faster
  speed_ratio: t.total / o.total,
  load_avg_1min: { min: Math.min(...loads), max: Math.max(...loads) },
  date: new Date().toISOString(),
};
policy.dispose();
reference.dispose();
optimizer.dispose();

if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
else process.stdout.write(`${grpoTable(result).join("\n")}\n`);
