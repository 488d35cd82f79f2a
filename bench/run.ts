/**
 * `npm run bench [-- --json] [--steps N] [--config probe|tiny|small|<file.json>|'<json>']`
 *
 * Trains the identical architecture (same config, same batch, same sequence length, Adam) in this project
 * (TF.js on the backend the chain picks: "native" over libtorch when built, else wasm, single-threaded) and in
 * PyTorch (bench/torch_gpt.py, Debian's python3-torch + OpenBLAS) in one run, and reports:
 *   - train tokens/s for ours, ours on wasm (when the main backend is another one), torch on one core and torch on
 *     all cores, and the ratios;
 *   - greedy sampling tokens/s with vs without the KV cache (and whether both give identical tokens), ours and torch's
 *     incremental decoding (alternating rounds, best of each), the cache speedups and ours ÷ torch;
 *   - MFU: model FLOPs/token (bench/flops.ts) × tokens/s ÷ a measured peak (largest-matmul GFLOP/s of OpenBLAS on
 *     one core, and of TF.js's own backend — the ceiling our kernels could reach);
 *   - a per-kernel profile of one training step (tf.profile, top 10 kernels by time).
 *   - the CPU model and the kernels ATen and OpenBLAS dispatch to, and on the native backend the cost of the pinned
 *     float settings (src/model/float.ts): the same training and sampling rerun in a child process with
 *     BBIO_FLOAT=native (the libraries' own choice for this CPU), and pinned ÷ native (--no-float-compare skips it).
 *   - one whole GRPO step, ours against the PyTorch twin of the same step, per phase (bench/grpo_step.ts, run in a
 *     child process at one thread each: BBIO_THREADS=1, torch.set_num_threads(1)); `--grpo-only` runs just that,
 *     `--grpo-threads all|both` adds every core, `--no-grpo` skips it.
 * Without PyTorch the torch figures are null and the install command is printed.
 * `--torch-plan FILE` also writes the PyTorch twin's train command for this exact batch and update (FILE, with the batch
 * beside it in FILE.batch.json), so another process can replay it on another device: `torch_gpt.py replay FILE --device
 * cuda` (scripts/gpu-check.sh does, with its own time limit).
 */
import { Command, Option } from "commander";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type GrpoBenchResult, grpoTable } from "./grpo_report.ts";
import { rngFor } from "../src/util/rng.ts";
import { mfu, paramCount, trainFlopsPerToken, inferFlopsPerToken, type ShapeConfig } from "./flops.ts";
import { runTorch, torchAvailable, torchPeakGflops, TORCH_INSTALL_HINT, type TorchTrainResult } from "./torch.ts";
import type { BenchAdapter, Batch } from "./adapter.ts";
import { PROJECT_OPTIMIZER } from "./project_adapter.ts";

/** Named shapes. "probe" is the 470,528-parameter model the backend choice was measured on (batch 16 × seq 64). */
const PRESETS: Record<string, ShapeConfig & { batch: number; seq: number }> = {
  tiny: { n_layer: 1, n_head: 2, n_embd: 32, block_size: 32, vocab_size: 128, batch: 4, seq: 32 },
  probe: { n_layer: 2, n_head: 4, n_embd: 128, block_size: 64, vocab_size: 512, batch: 16, seq: 64 },
  small: { n_layer: 4, n_head: 4, n_embd: 256, block_size: 128, vocab_size: 1024, batch: 8, seq: 128 },
};

const opts = new Command()
  .name("bench")
  .description("TF.js (this project) vs PyTorch: train tokens/s, sampling with/without KV cache, MFU, kernel profile")
  .option("--json", "print one JSON object instead of the table", false)
  .option("--config <name|file|json>", `model shape: ${Object.keys(PRESETS).join("|")}, a JSON file or inline JSON`, "probe")
  .option("--steps <n>", "timed training steps per framework", (v) => parseInt(v, 10), 20)
  .option("--warmup <n>", "untimed steps first (kernel compilation, allocator)", (v) => parseInt(v, 10), 3)
  .option("--batch <n>", "override batch size", (v) => parseInt(v, 10))
  .option("--seq <n>", "override sequence length", (v) => parseInt(v, 10))
  .option("--sample-new <n>", "tokens to generate in the sampling benchmark", (v) => parseInt(v, 10), 48)
  .option("--sample-batch <n>", "prompts generated in parallel", (v) => parseInt(v, 10), 1)
  .option(
    "--sample-reps <n>",
    "timed sampling runs per way (cached / uncached, interleaved; best counts), ours and torch alike",
    (v) => parseInt(v, 10),
    5,
  )
  .option(
    "--sample-rounds <n>",
    "rounds of ours-then-torch sampling (best of all rounds counts): a load change hits both",
    (v) => parseInt(v, 10),
    3,
  )
  .addOption(
    new Option("--model <which>", "TF.js model: project = src/model (C's), spec = bench/spec_gpt.ts")
      .choices(["auto", "project", "spec"])
      .default("auto"),
  )
  .option("--backend <name>", "TF.js backend (default: BBIO_BACKEND or auto)", process.env.BBIO_BACKEND ?? "auto")
  .option("--no-torch", "skip PyTorch")
  .option("--no-wasm", "skip the wasm comparison row (run when the main backend is not wasm)")
  .option("--no-profile", "skip the per-kernel profile")
  .option("--no-float-compare", "native backend: skip the rerun with BBIO_FLOAT=native (the cost of pinned float settings)")
  .option("--seed <n>", "seed for weights and the batch", (v) => parseInt(v, 10), 0)
  .option("--no-grpo", "skip the whole-GRPO-step bench (bench/grpo_step.ts)")
  .option("--grpo-only", "run only the whole-GRPO-step bench (ours vs PyTorch, per phase) and exit", false)
  .addOption(
    new Option("--grpo-threads <which>", "GRPO-step bench threads: one (the build's), all cores, or both")
      .choices(["one", "all", "both"])
      .default("one"),
  )
  .option("--grpo-rounds <n>", "GRPO-step bench: rounds of ours then PyTorch (median of all)", (v) => parseInt(v, 10), 3)
  .option("--torch-plan <file>", "write the PyTorch twin's train command for this batch to FILE (+ FILE.batch.json)")
  .parse(process.argv)
  .opts<{
    json: boolean;
    config: string;
    steps: number;
    warmup: number;
    batch?: number;
    seq?: number;
    sampleNew: number;
    sampleBatch: number;
    sampleReps: number;
    sampleRounds: number;
    model: string;
    backend: string;
    torch: boolean;
    wasm: boolean;
    profile: boolean;
    floatCompare: boolean;
    seed: number;
    grpo: boolean;
    grpoOnly: boolean;
    grpoThreads: "one" | "all" | "both";
    grpoRounds: number;
    torchPlan?: string;
  }>();

function fail(msg: string): never {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
}

function resolveConfig(spec: string): ShapeConfig & { batch: number; seq: number } {
  const parse = (text: string, where: string) => {
    try {
      return JSON.parse(text);
    } catch (e) {
      fail(`${where}: invalid JSON (${(e as Error).message})`);
    }
  };
  let raw: Record<string, number>;
  if (PRESETS[spec]) raw = { ...PRESETS[spec] };
  else if (spec.trim().startsWith("{")) raw = parse(spec, "--config");
  else if (existsSync(spec)) {
    const j = parse(readFileSync(spec, "utf8"), spec);
    raw = j.model ?? j; // a bbio config file (model section) or a bare shape
  } else fail(`--config ${spec}: not a preset (${Object.keys(PRESETS).join(", ")}), a file, or JSON`);
  const known = ["n_layer", "n_head", "n_embd", "block_size", "vocab_size", "dropout", "backend", "batch", "seq"]; // dropout, backend: accepted, unused
  const unknown = Object.keys(raw).filter((k) => !known.includes(k));
  if (unknown.length) fail(`--config: unknown key(s) ${unknown.join(", ")} (known: ${known.join(", ")})`);
  // missing fields come from the probe preset; seq defaults to min(64, block_size)
  const merged = { ...PRESETS.probe, ...raw };
  const cfg = { ...merged, batch: opts.batch ?? raw.batch ?? merged.batch, seq: opts.seq ?? raw.seq ?? Math.min(64, merged.block_size) };
  for (const k of ["n_layer", "n_head", "n_embd", "block_size", "vocab_size", "batch", "seq"] as const)
    if (!Number.isInteger(cfg[k]) || cfg[k] <= 0) fail(`config ${k} must be a positive integer, got ${cfg[k]}`);
  if (cfg.n_embd % cfg.n_head) fail(`n_embd ${cfg.n_embd} is not divisible by n_head ${cfg.n_head}`);
  if (cfg.seq > cfg.block_size) fail(`seq ${cfg.seq} is longer than block_size ${cfg.block_size}`);
  return cfg;
}

/** The whole-GRPO-step bench in a child process per thread setting (threads are fixed when the backend loads). */
function grpoBench(json: boolean): GrpoBenchResult[] {
  const script = fileURLToPath(new URL("./grpo_step.ts", import.meta.url));
  if (!existsSync(script)) fail(`the GRPO-step bench ${script} is not there (a bundle carries only this script): run with --no-grpo`);
  const settings = opts.grpoThreads === "both" ? ["one", "all"] : [opts.grpoThreads];
  const out: GrpoBenchResult[] = [];
  for (const threads of settings) {
    const args = [
      "--import",
      "tsx",
      script,
      "--json",
      "--threads",
      threads,
      "--rounds",
      String(opts.grpoRounds),
      "--seed",
      String(opts.seed),
    ];
    const r = spawnSync(process.execPath, args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 26 });
    if (r.status !== 0) fail(`the GRPO-step bench (${threads} thread setting) failed with status ${r.status}`);
    const result = JSON.parse(r.stdout.trim().split("\n").at(-1) ?? "") as GrpoBenchResult;
    if (!json) process.stdout.write(`${grpoTable(result).join("\n")}\n\n`);
    out.push(result);
  }
  return out;
}
if (opts.grpoOnly) {
  const results = grpoBench(opts.json);
  if (opts.json) process.stdout.write(`${JSON.stringify(results.length === 1 ? results[0] : results)}\n`);
  process.exit(0);
}

const cfg = resolveConfig(opts.config);
const shape: ShapeConfig = {
  n_layer: cfg.n_layer,
  n_head: cfg.n_head,
  n_embd: cfg.n_embd,
  block_size: cfg.block_size,
  vocab_size: cfg.vocab_size,
};
const log = (s: string) => process.stderr.write(`bench: ${s}\n`);

// The one batch both frameworks train on: seeded uniform tokens, next-token targets.
const rng = rngFor(opts.seed, "bench/batch");
const rows = Array.from({ length: cfg.batch }, () => Array.from({ length: cfg.seq + 1 }, () => Math.floor(rng() * cfg.vocab_size)));
const batch: Batch = { tokens: rows.map((r) => r.slice(0, -1)), targets: rows.map((r) => r.slice(1)) };
const tokensPerStep = cfg.batch * cfg.seq;

// an explicit --model project skips the source check: a bundle (scripts/gpu-bundle.sh) has the model inside it
const projectExists = opts.model === "project" || existsSync(new URL("../src/model/gpt.ts", import.meta.url));
const which = opts.model === "auto" ? (projectExists ? "project" : "spec") : opts.model;
/** the update each adapter applies (its `optimizer`): the project's step is AdamW + clipping, the spec twin's Adam */
const optimizer: BenchAdapter["optimizer"] = which === "project" ? "adamw" : "adam";

async function makeAdapter(): Promise<BenchAdapter> {
  if (which === "project") {
    if (!projectExists) fail("--model project: src/model/gpt.ts does not exist yet");
    const { projectAdapter } = await import("./project_adapter.ts");
    return projectAdapter(shape, opts.seed, opts.backend);
  }
  if (opts.model === "auto") log("src/model/gpt.ts not found: timing the spec twin bench/spec_gpt.ts instead");
  const { specAdapter } = await import("./adapter.ts");
  return specAdapter(shape, opts.seed, opts.backend);
}

/** The PyTorch twin's train command on the batch in `batchFile`, mirroring our update (Adam, or AdamW + clipping). */
function torchTrainArgs(batchFile: string): string[] {
  const args = ["train", "--config", JSON.stringify(shape), "--tokens", batchFile];
  args.push("--steps", String(opts.steps), "--warmup", String(opts.warmup), "--seed", String(opts.seed));
  if (optimizer === "adamw")
    args.push(
      "--optimizer",
      "adamw",
      "--lr",
      String(PROJECT_OPTIMIZER.lr),
      "--weight-decay",
      String(PROJECT_OPTIMIZER.weightDecay),
      "--clip",
      String(PROJECT_OPTIMIZER.clip),
    );
  else args.push("--optimizer", "adam");
  return args;
}
// written before our model starts, so the twin can run even when our backend cannot
if (opts.torchPlan) {
  const batchFile = resolve(`${opts.torchPlan}.batch.json`);
  writeFileSync(batchFile, JSON.stringify(batch));
  const plan = {
    argv: torchTrainArgs(batchFile),
    shape,
    batch: cfg.batch,
    seq: cfg.seq,
    train_flops_per_token: trainFlopsPerToken(shape, cfg.seq),
  };
  writeFileSync(opts.torchPlan, JSON.stringify(plan) + "\n");
}

// ---- ours: training ----
const model = await makeAdapter();
if (model.optimizer !== optimizer) fail(`internal: the ${model.model} adapter applies ${model.optimizer}, expected ${optimizer}`);
const { describeBackend } = await import("../src/model/backend.ts");
const backendDesc = describeBackend();
log(`model=${model.model} backend=${backendDesc} params=${model.params} batch=${cfg.batch}×${cfg.seq}`);
const losses: number[] = [];
for (let i = 0; i < opts.warmup; i++) losses.push(await model.trainStep(batch));
// per-step wall times; tokens/s comes from the MEDIAN step, which shrugs off the stalls a shared machine causes
const stepTimes: number[] = [];
for (let i = 0; i < opts.steps; i++) {
  const s = performance.now();
  losses.push(await model.trainStep(batch));
  stepTimes.push((performance.now() - s) / 1000);
}
const median = (xs: number[]) => {
  const a = xs.slice().sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
};
const oursSecPerStep = median(stepTimes);
const oursTrain = tokensPerStep / oursSecPerStep;
log(
  `ours: ${oursSecPerStep.toFixed(3)} s/step, ${oursTrain.toFixed(0)} tok/s, loss ${losses[0].toFixed(3)} → ${losses.at(-1)!.toFixed(3)}`,
);

// ---- ours: per-kernel profile of one training step ----
type KernelRow = { name: string; ms: number; calls: number };
let profile: { total_ms: number; kernels: KernelRow[]; timer: string; matmul_gflops: number; matmul_share: number } | null = null;
if (opts.profile) {
  const tf = await import("@tensorflow/tfjs");
  const info = await tf.profile(async () => {
    await model.trainStep(batch);
  });
  const by = new Map<string, KernelRow>();
  let timer = "kernelTimeMs";
  let matmulFlops = 0,
    matmulMs = 0;
  const backendName = tf.getBackend();
  for (const k of info.kernels) {
    // a tf.customGrad op shows up as one entry named after its scope ("forward") whose time INCLUDES the kernels it
    // ran, which are listed too — skip such wrappers so the total is not counted twice
    if (!tf.getKernel(k.name, backendName)) continue;
    // wasm/cpu time each kernel with a wall clock (they run synchronously); a backend without a timer gives {error}
    const ms = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
    if (typeof k.kernelTimeMs !== "number") timer = "unavailable on this backend";
    if (k.name === "BatchMatMul" && k.inputShapes.length >= 2 && k.inputShapes[0] && k.inputShapes[1]) {
      // [..,M,K]·[..,K,N]: 2·batch·M·K·N FLOPs (the project's matmuls use no transposeA/B flags)
      const a = k.inputShapes[0],
        b = k.inputShapes[1];
      const batchN = Math.max(
        a.slice(0, -2).reduce((x, y) => x * y, 1),
        b.slice(0, -2).reduce((x, y) => x * y, 1),
      );
      matmulFlops += 2 * batchN * a[a.length - 2] * a[a.length - 1] * b[b.length - 1];
      matmulMs += ms;
    }
    const row = by.get(k.name) ?? { name: k.name, ms: 0, calls: 0 };
    row.ms += ms;
    row.calls += 1;
    by.set(k.name, row);
  }
  const all = [...by.values()].sort((a, b) => b.ms - a.ms);
  const total = all.reduce((s, r) => s + r.ms, 0);
  // achieved GFLOP/s inside the matmul kernels alone: compare with the TF.js matmul peak to see if shapes or the rest
  // of the step (elementwise, transposes, copies) is where the time goes
  profile = {
    total_ms: total,
    kernels: all.slice(0, 10),
    timer,
    matmul_gflops: matmulFlops / (matmulMs / 1000) / 1e9,
    matmul_share: matmulMs / total,
  };
}

// ---- ours: sampling with vs without the KV cache ----
const srng = rngFor(opts.seed, "bench/prompts");
const promptLen = Math.min(8, cfg.block_size - 1);
const maxNew = Math.max(1, Math.min(opts.sampleNew, cfg.block_size - promptLen));
const prompts = Array.from({ length: opts.sampleBatch }, () =>
  Array.from({ length: promptLen }, () => Math.floor(srng() * cfg.vocab_size)),
);
await model.generate(prompts, 2, true); // warm-up
await model.generate(prompts, 2, false);
// best of --sample-reps timed runs each, cached and uncached interleaved so a stall of the shared machine hits both
// alike (a stall only ever adds time); torch_gpt.py's `sample` times the same way
// In --sample-rounds rounds, ours and then PyTorch's (a subprocess, same reps): on a shared machine the load changes
// over seconds, and alternating keeps one framework from getting all the quiet moments.
const haveTorch = opts.torch && torchAvailable();
if (opts.torch && !haveTorch) log(TORCH_INSTALL_HINT);
type TorchSample = { cached: number; uncached: number; identical: boolean };
let torchSample: TorchSample | null = null;
let cachedS = Infinity,
  uncachedS = Infinity,
  cachedOut: number[][] = [],
  uncachedOut: number[][] = [];
for (let round = 0; round < Math.max(1, opts.sampleRounds); round++) {
  for (let rep = 0; rep < opts.sampleReps; rep++) {
    let s = performance.now();
    cachedOut = await model.generate(prompts, maxNew, true);
    cachedS = Math.min(cachedS, (performance.now() - s) / 1000);
    s = performance.now();
    uncachedOut = await model.generate(prompts, maxNew, false);
    uncachedS = Math.min(uncachedS, (performance.now() - s) / 1000);
  }
  // PyTorch greedy decoding, KV cache (incremental) vs none, all cores
  if (haveTorch) {
    const t = runTorch<TorchSample>(
      [
        "sample",
        "--config",
        JSON.stringify(shape),
        "--batch",
        String(opts.sampleBatch),
        "--prompt",
        String(promptLen),
        "--new",
        String(maxNew),
        "--reps",
        String(opts.sampleReps),
        "--seed",
        String(opts.seed),
      ],
      { threads: "all-cores" },
    );
    torchSample = torchSample
      ? {
          cached: Math.max(torchSample.cached, t.cached),
          uncached: Math.max(torchSample.uncached, t.uncached),
          identical: torchSample.identical && t.identical,
        }
      : t;
  }
}
if (torchSample)
  log(`torch sampling (all cores): cached ${torchSample.cached.toFixed(1)} tok/s, uncached ${torchSample.uncached.toFixed(1)} tok/s`);
const generated = opts.sampleBatch * maxNew;
const sample = {
  cached: generated / cachedS,
  uncached: generated / uncachedS,
  new_tokens: maxNew,
  prompt_len: promptLen,
  batch: opts.sampleBatch,
  greedy_identical: JSON.stringify(cachedOut) === JSON.stringify(uncachedOut),
};
log(
  `sampling: cached ${sample.cached.toFixed(1)} tok/s, uncached ${sample.uncached.toFixed(1)} tok/s, identical=${sample.greedy_identical}`,
);

// ---- TF.js's own matmul ceiling (same backend) ----
async function tfPeakGflops(n = 512): Promise<number> {
  const tf = await import("@tensorflow/tfjs");
  const a = tf.randomNormal([n, n], 0, 1, "float32", 1),
    b = tf.randomNormal([n, n], 0, 1, "float32", 2);
  let best = Infinity;
  for (let i = 0; i < 6; i++) {
    const s = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    best = Math.min(best, (performance.now() - s) / 1000);
    c.dispose();
  }
  a.dispose();
  b.dispose();
  return (2 * n ** 3) / best / 1e9;
}
const tfPeak = await tfPeakGflops();
model.dispose();

// ---- PyTorch ----
let torchOne: TorchTrainResult | null = null,
  torchAll: TorchTrainResult | null = null;
let peakOne: number | null = null,
  peakAll: number | null = null;
if (haveTorch) {
  const dir = mkdtempSync(join(tmpdir(), "bbio-bench-"));
  try {
    const file = join(dir, "batch.json");
    writeFileSync(file, JSON.stringify(batch));
    const args = torchTrainArgs(file);
    torchOne = runTorch<TorchTrainResult>(args, { threads: "one-core" });
    log(`torch one core: ${torchOne.tokens_per_s.toFixed(0)} tok/s`);
    torchAll = runTorch<TorchTrainResult>(args, { threads: "all-cores" });
    log(`torch all cores: ${torchAll.tokens_per_s.toFixed(0)} tok/s`);
    peakOne = torchPeakGflops("one-core");
    peakAll = torchPeakGflops("all-cores");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- ours on wasm (the pure-npm backend), same batch and step, when the main run used another backend ----
let wasmTrain: number | null = null;
if (opts.wasm && model.backend !== "wasm" && model.model === "project") {
  const { projectAdapter } = await import("./project_adapter.ts");
  const w = await projectAdapter(shape, opts.seed, "wasm");
  for (let i = 0; i < Math.min(opts.warmup, 2); i++) await w.trainStep(batch);
  const ts: number[] = [];
  for (let i = 0; i < Math.max(3, Math.min(opts.steps, 8)); i++) {
    const s = performance.now();
    await w.trainStep(batch);
    ts.push((performance.now() - s) / 1000);
  }
  wasmTrain = tokensPerStep / median(ts);
  w.dispose();
  log(`wasm: ${wasmTrain.toFixed(0)} tok/s`);
}

// ---- the CPU, and what the float settings cost ----
const { nativeInfo } = await import("../src/model/native.ts");
const ni = model.backend === "native" ? nativeInfo() : null;
const cpu = {
  model: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  aten: ni?.atenCapability ?? null,
  openblas: ni?.blasCore ?? null,
  float: ni?.float.identity ?? null,
};
log(`cpu: ${cpu.model} (${cpu.cores} cores); ATen ${cpu.aten ?? "—"}, OpenBLAS ${cpu.openblas ?? "—"}, float ${cpu.float ?? "—"}`);
let floatCompare: {
  native: { train: number | null; cached: number | null; aten: string | null; openblas: string | null; float: string | null };
} | null = null;
if (ni && ni.float.mode === "pinned" && opts.floatCompare && !process.env.BBIO_BENCH_FLOAT_CHILD) {
  // the same bench in a child whose libraries choose for this CPU: env vars are read at load, so it needs a process
  log("float: rerunning training and sampling with BBIO_FLOAT=native …");
  const { unpinnedChildEnv } = await import("../src/model/float.ts");
  const args = ["--import", "tsx", new URL(import.meta.url).pathname, "--json", "--no-torch", "--no-wasm", "--no-profile"];
  args.push("--config", opts.config, "--steps", String(opts.steps), "--warmup", String(opts.warmup), "--seed", String(opts.seed));
  args.push("--sample-new", String(opts.sampleNew), "--sample-batch", String(opts.sampleBatch), "--sample-reps", String(opts.sampleReps));
  args.push("--sample-rounds", String(opts.sampleRounds), "--model", opts.model, "--backend", "native");
  if (opts.batch) args.push("--batch", String(opts.batch));
  if (opts.seq) args.push("--seq", String(opts.seq));
  const c = spawnSync(process.execPath, args, { env: { ...unpinnedChildEnv(), BBIO_BENCH_FLOAT_CHILD: "1" }, encoding: "utf8" });
  try {
    const j = JSON.parse(c.stdout.trim().split("\n").at(-1) ?? "");
    floatCompare = {
      native: {
        train: j.train_tokens_per_s.ours,
        cached: j.sample_tokens_per_s.cached,
        aten: j.cpu.aten,
        openblas: j.cpu.openblas,
        float: j.cpu.float,
      },
    };
  } catch {
    log(`float: the BBIO_FLOAT=native rerun failed (${(c.stderr ?? "").trim().split("\n").at(-1)})`);
  }
}

// ---- one whole GRPO step, ours vs PyTorch (needs PyTorch; the GPU bundle runs --no-torch) ----
const grpoResults = opts.grpo && opts.torch && torchAvailable() ? grpoBench(true) : null;

// ---- report ----
const fTrain = trainFlopsPerToken(shape, cfg.seq);
const fInfer = inferFlopsPerToken(shape, promptLen + maxNew);
const r = (x: number | null | undefined, d = 3) => (x == null ? null : Number(x.toPrecision(d + 2)));
const result = {
  backend: model.backend,
  backend_detail: backendDesc,
  model: model.model,
  config: { ...shape, batch: cfg.batch, seq: cfg.seq, steps: opts.steps, warmup: opts.warmup, seed: opts.seed, optimizer: model.optimizer },
  params: paramCount(shape).total,
  train_tokens_per_s: {
    ours: r(oursTrain),
    wasm: model.backend === "wasm" ? r(oursTrain) : r(wasmTrain),
    torch: r(torchOne?.tokens_per_s),
    torch_all_cores: r(torchAll?.tokens_per_s),
  },
  // ours ÷ torch on all cores: the goal is ≥ 1.0
  ours_vs_torch_all_cores: torchAll ? r(oursTrain / torchAll.tokens_per_s) : null,
  // torch ÷ ours: how many times faster PyTorch is (like-for-like one core; practical all cores)
  ratio: torchOne ? r(torchOne.tokens_per_s / oursTrain) : null,
  ratio_all_cores: torchAll ? r(torchAll.tokens_per_s / oursTrain) : null,
  // median step time (mean in *_mean): medians resist the stalls of a shared machine
  sec_per_step: { ours: r(oursSecPerStep), torch: r(torchOne?.sec_per_step), torch_all_cores: r(torchAll?.sec_per_step) },
  sec_per_step_mean: {
    ours: r(stepTimes.reduce((a, b) => a + b, 0) / stepTimes.length),
    torch: r(torchOne?.sec_per_step_mean),
    torch_all_cores: r(torchAll?.sec_per_step_mean),
  },
  loss: { ours_first: r(losses[0]), ours_last: r(losses.at(-1)), torch_first: r(torchOne?.first_loss), torch_last: r(torchOne?.last_loss) },
  sample_tokens_per_s: {
    cached: r(sample.cached),
    uncached: r(sample.uncached),
    torch_cached: r(torchSample?.cached),
    torch_uncached: r(torchSample?.uncached),
  },
  sampling: {
    ...sample,
    cached: undefined,
    uncached: undefined,
    reps: opts.sampleReps,
    rounds: Math.max(1, opts.sampleRounds),
    // the goals: cache speedup ≥ 5 and ours ÷ torch (cached) ≥ 1
    speedup: r(sample.cached / sample.uncached),
    torch_speedup: torchSample ? r(torchSample.cached / torchSample.uncached) : null,
    ours_vs_torch_cached: torchSample ? r(sample.cached / torchSample.cached) : null,
    ours_vs_torch_uncached: torchSample ? r(sample.uncached / torchSample.uncached) : null,
  },
  flops_per_token: { train: fTrain, infer: fInfer },
  peak_gflops: {
    torch_one_core: r(peakOne),
    torch_all_cores: r(peakAll),
    tfjs_matmul_512: r(tfPeak),
    source: "best of n×n float32 matmul (torch n=1024, TF.js n=512), measured now",
  },
  mfu: {
    ours_vs_one_core_peak: peakOne ? r(mfu(oursTrain, fTrain, peakOne)) : null,
    ours_vs_tfjs_matmul_peak: r(mfu(oursTrain, fTrain, tfPeak)),
    torch_vs_one_core_peak: torchOne && peakOne ? r(mfu(torchOne.tokens_per_s, fTrain, peakOne)) : null,
    torch_all_cores_vs_all_cores_peak: torchAll && peakAll ? r(mfu(torchAll.tokens_per_s, fTrain, peakAll)) : null,
  },
  profile,
  cpu,
  // pinned ÷ native: < 1 is what the same numbers on any x86-64 CPU cost here (null: not native, or skipped)
  float_cost: floatCompare
    ? {
        native: floatCompare.native,
        pinned_vs_native_train: floatCompare.native.train ? r(oursTrain / floatCompare.native.train) : null,
        pinned_vs_native_sample_cached: floatCompare.native.cached ? r(sample.cached / floatCompare.native.cached) : null,
      }
    : null,
  // one whole GRPO step per thread setting (bench/grpo_step.ts): speed_ratio = PyTorch's time ÷ ours, > 1 = ours faster
  grpo_step: grpoResults,
  torch_installed: torchAvailable(),
  note: "CPU timings on a shared machine are noisy; rerun to compare",
};

if (opts.json) {
  process.stdout.write(JSON.stringify(result) + "\n");
} else {
  const f = (x: number | null, u = "") => (x == null ? "—" : `${x.toLocaleString("en-US", { maximumFractionDigits: x < 10 ? 3 : 0 })}${u}`);
  const pct = (x: number | null) => (x == null ? "—" : `${(100 * x).toFixed(1)}%`);
  const lines = [
    `BalancedBio bench — ${result.params.toLocaleString("en-US")} params (L${shape.n_layer} H${shape.n_head} C${shape.n_embd} V${shape.vocab_size}), batch ${cfg.batch}×${cfg.seq}, ${opts.steps} timed steps, TF.js backend ${model.backend} (${model.model} model)`,
    "",
    "train (median step)         tokens/s     s/step    MFU",
    `  ours (TF.js ${model.backend})`.padEnd(24) +
      `${f(result.train_tokens_per_s.ours).padStart(10)} ${f(result.sec_per_step.ours).padStart(10)}  ${pct(result.mfu.ours_vs_one_core_peak)} of 1-core BLAS peak, ${pct(result.mfu.ours_vs_tfjs_matmul_peak)} of TF.js matmul peak`,
    `  torch (1 core)          ${f(result.train_tokens_per_s.torch).padStart(10)} ${f(result.sec_per_step.torch).padStart(10)}  ${pct(result.mfu.torch_vs_one_core_peak)}`,
    `  torch (all cores)       ${f(result.train_tokens_per_s.torch_all_cores).padStart(10)} ${f(result.sec_per_step.torch_all_cores).padStart(10)}  ${pct(result.mfu.torch_all_cores_vs_all_cores_peak)}`,
    ...(model.backend !== "wasm" ? [`  ours (wasm, 1 thread)    ${f(result.train_tokens_per_s.wasm).padStart(10)}`] : []),
    `  ratio torch/ours        ${f(result.ratio, "×")} vs torch 1 core, ${f(result.ratio_all_cores, "×")} vs torch all cores  (ours ÷ torch all cores: ${f(result.ours_vs_torch_all_cores, "×")})`,
    `  ours = ${backendDesc}`,
    `  cpu  = ${cpu.model} (${cpu.cores} cores); ATen dispatches to ${cpu.aten ?? "—"}, OpenBLAS to ${cpu.openblas ?? "—"}; float ${cpu.float ?? "—"}`,
    ...(result.float_cost
      ? [
          `  float: pinned ÷ BBIO_FLOAT=native (ATen ${result.float_cost.native.aten}, OpenBLAS ${result.float_cost.native.openblas}): train ${f(result.float_cost.pinned_vs_native_train, "×")} (${f(result.float_cost.native.train)} tok/s unpinned), sampling ${f(result.float_cost.pinned_vs_native_sample_cached, "×")}`,
        ]
      : []),
    "",
    `sample (greedy, ${sample.batch}×${maxNew} new tokens after ${promptLen}, best of ${Math.max(1, opts.sampleRounds)} rounds × ${opts.sampleReps} interleaved runs, ours and torch alternating)`,
    `  KV cache                ${f(result.sample_tokens_per_s.cached).padStart(10)} tok/s   (ours ÷ torch KV cache: ${f(result.sampling.ours_vs_torch_cached, "×")})`,
    `  no cache                ${f(result.sample_tokens_per_s.uncached).padStart(10)} tok/s   (cache speedup ${f(result.sampling.speedup, "×")}, identical tokens: ${sample.greedy_identical})`,
    `  torch KV cache (all cores) ${f(result.sample_tokens_per_s.torch_cached).padStart(7)} tok/s, no cache ${f(result.sample_tokens_per_s.torch_uncached)} tok/s   (torch cache speedup ${f(result.sampling.torch_speedup, "×")}; ours ÷ torch without cache ${f(result.sampling.ours_vs_torch_uncached, "×")})`,
    "",
    `peak GFLOP/s (measured): torch 1 core ${f(result.peak_gflops.torch_one_core)}, all cores ${f(result.peak_gflops.torch_all_cores)}, TF.js ${model.backend} matmul ${f(result.peak_gflops.tfjs_matmul_512)}; train FLOPs/token ${fTrain.toLocaleString("en-US")}`,
  ];
  if (profile) {
    lines.push("", `one training step, per kernel (tf.profile ${profile.timer}, total ${profile.total_ms.toFixed(1)} ms), top 10:`);
    lines.push(
      `  (BatchMatMul kernels: ${pct(profile.matmul_share)} of kernel time at ${profile.matmul_gflops.toFixed(1)} GFLOP/s; on native most matmuls run inside the fused Bbio* kernels)`,
    );
    for (const k of profile.kernels)
      lines.push(
        `  ${k.name.padEnd(28)} ${k.ms.toFixed(1).padStart(8)} ms ${((100 * k.ms) / profile.total_ms).toFixed(1).padStart(5)}%  ${String(k.calls).padStart(4)} calls`,
      );
  }
  for (const g of grpoResults ?? []) lines.push("", ...grpoTable(g));
  if (!result.torch_installed) lines.push("", TORCH_INSTALL_HINT);
  lines.push("", result.note);
  process.stdout.write(lines.join("\n") + "\n");
}
