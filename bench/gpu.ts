/**
 * The GPU check's entry (scripts/gpu-check.sh; bundled into plain JavaScript by scripts/gpu-bundle.sh). It uses the
 * pipeline's own stage functions (generate, runSft, runGrpo) but no run store, so the bundle carries no DuckDB: every
 * phase writes JSON. One process per phase, so each phase runs under its own time limit.
 *
 *   gpu backend                                      exactly `bbio backend` (src/model/commands.ts)
 *   gpu sft  --config paper.json --work DIR --steps 40 [--set k=v …] --out sft.json
 *            generates the data (the config's data section), writes DIR/items.jsonl and DIR/cards.jsonl, trains
 *            the config's model for --steps SFT steps into DIR/sft/checkpoint
 *   gpu grpo --config paper.json --work DIR --steps 10 [--set k=v …] --out grpo.json
 *            GRPO from DIR/sft/checkpoint on DIR/items.jsonl, rule rewards only (α = 1: no reward-model stage)
 *   gpu report --work DIR --out gpu-check.json      the one JSON of the check (tokens/s, MFU, losses), from the phases'
 *
 * While a phase trains, its JSON is rewritten after every step with status "running": a phase its time limit stops
 * still leaves the steps it finished, and the report says it timed out.
 */
import { Command } from "commander";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { register as registerBackend } from "../src/model/commands.ts";
import { MemorySink } from "../src/util/sink.ts";
import { trainFlopsPerToken, type ShapeConfig } from "./flops.ts";

/**
 * Dense (no sparsity) peak TFLOP/s of an NVIDIA H200 SXM, from NVIDIA's H200 datasheet
 * (https://www.nvidia.com/en-us/data-center/h200/): FP32 67; TF32 Tensor Core 989 and BF16 Tensor Core 1,979 are
 * quoted "with sparsity", so dense is half: 494.5 and 989.5. (H200 NVL: FP32 60, BF16 835 dense.) The model trains in
 * float32 without TF32 (libtorch's default for matmuls), so the FP32 figure is the like-for-like denominator.
 * Override with BBIO_PEAK_FP32_TFLOPS / BBIO_PEAK_TF32_TFLOPS / BBIO_PEAK_BF16_TFLOPS for another GPU.
 */
export const H200_PEAK_TFLOPS = {
  fp32: 67,
  tf32: 494.5,
  bf16: 989.5,
  source: "NVIDIA H200 SXM datasheet, dense (sparsity figures ÷ 2): https://www.nvidia.com/en-us/data-center/h200/",
} as const;

export function peaks(env: NodeJS.ProcessEnv = process.env): { fp32: number; tf32: number; bf16: number; source: string } {
  const num = (k: string, d: number) => {
    const v = env[k];
    if (v === undefined || v === "") return d;
    const x = Number(v);
    if (!Number.isFinite(x) || x <= 0) throw new Error(`${k}=${v}: not a positive number`);
    return x;
  };
  const overridden = ["BBIO_PEAK_FP32_TFLOPS", "BBIO_PEAK_TF32_TFLOPS", "BBIO_PEAK_BF16_TFLOPS"].some((k) => env[k]);
  return {
    fp32: num("BBIO_PEAK_FP32_TFLOPS", H200_PEAK_TFLOPS.fp32),
    tf32: num("BBIO_PEAK_TF32_TFLOPS", H200_PEAK_TFLOPS.tf32),
    bf16: num("BBIO_PEAK_BF16_TFLOPS", H200_PEAK_TFLOPS.bf16),
    source: overridden ? `BBIO_PEAK_*_TFLOPS overrides; defaults: ${H200_PEAK_TFLOPS.source}` : H200_PEAK_TFLOPS.source,
  };
}

/** MFU of a tokens/s figure against each peak (null when either side is missing). */
export function mfuAgainst(
  tokensPerS: number | null | undefined,
  flopsPerToken: number | null | undefined,
  p: { fp32: number; bf16: number },
) {
  if (tokensPerS == null || flopsPerToken == null || !(tokensPerS > 0)) return { fp32: null, bf16: null };
  const achieved = (tokensPerS * flopsPerToken) / 1e12;
  return { fp32: achieved / p.fp32, bf16: achieved / p.bf16 };
}

// biome-ignore lint/suspicious/noExplicitAny: phase JSON read back from disk
type J = Record<string, any>;
const readJson = (f: string): J | null => {
  if (!existsSync(f)) return null;
  try {
    return JSON.parse(readFileSync(f, "utf8"));
  } catch {
    return null;
  }
};
const writeJson = (f: string, o: unknown) => writeFileSync(f, JSON.stringify(o, null, 1) + "\n");

/** A MemorySink that calls `onStep` whenever the stage logs its per-step metric. */
class StepSink extends MemorySink {
  constructor(
    private readonly stepMetric: string,
    private readonly onStep: () => void,
  ) {
    super();
  }
  override metric(step: number, name: string, value: number): void {
    super.metric(step, name, value);
    if (name === this.stepMetric) this.onStep();
  }
}

function shapeOf(m: { n_layer: number; n_head: number; n_embd: number; block_size: number; vocab_size: number }): ShapeConfig {
  return { n_layer: m.n_layer, n_head: m.n_head, n_embd: m.n_embd, block_size: m.block_size, vocab_size: m.vocab_size };
}

async function loadRunConfig(config: string, sets: string[]) {
  const { loadConfig } = await import("../src/config/index.ts");
  return loadConfig(config, sets);
}

const collect = (v: string, acc: string[]) => [...acc, v];
const program = new Command().name("gpu").description("the GPU check's phases (scripts/gpu-check.sh)");
registerBackend(program);

program
  .command("sft")
  .description("generate the data and run a short SFT of the config's model; writes --out JSON after every step")
  .requiredOption("--config <file>", "run config (e.g. configs/paper.json)")
  .requiredOption("--work <dir>", "work directory (items, checkpoint)")
  .requiredOption("--out <file>", "phase JSON")
  .option("--steps <n>", "SFT steps", (v) => parseInt(v, 10), 40)
  .option("--set <key=value>", "config override (repeatable)", collect, [])
  .action(async (o: { config: string; work: string; out: string; steps: number; set: string[] }) => {
    const t0 = performance.now();
    const config = await loadRunConfig(o.config, [...o.set, `sft.max_steps=${o.steps}`]);
    mkdirSync(o.work, { recursive: true });
    const { loadKG } = await import("../src/kg/load.ts");
    const { generate } = await import("../src/mkgsg/index.ts");
    const { toJsonl, writeFileAtomic } = await import("../src/util/fsx.ts");
    const gen = generate(loadKG(), config.data, config.seed);
    writeFileAtomic(join(o.work, "items.jsonl"), toJsonl(gen.items));
    writeFileAtomic(join(o.work, "cards.jsonl"), toJsonl(gen.cards ?? []));
    const generateS = (performance.now() - t0) / 1000;
    const shape = shapeOf(config.model);
    const s = config.sft;
    const base = {
      phase: "sft",
      config: o.config,
      sets: o.set,
      shape,
      batch_size: s.batch_size,
      pack_length: s.pack_length,
      tokens_per_step: s.batch_size * (s.pack_length || config.model.block_size),
      train_flops_per_token: trainFlopsPerToken(shape, s.pack_length || config.model.block_size),
      items: gen.items.length,
      cards: gen.cards?.length ?? 0,
      generate_s: generateS,
      max_steps: o.steps,
    };
    const tTrain = performance.now();
    const stepAt: number[] = []; // when each step's loss arrived
    // tokens/s between the first and the last step: leaves out model start-up, the first step (kernel/cuBLAS set-up),
    // the held-out evaluations and the final checkpoint, which runSft's own figure includes
    const steady = () => (stepAt.length >= 2 ? ((stepAt.length - 1) * base.tokens_per_step) / ((stepAt.at(-1)! - stepAt[0]) / 1000) : null);
    const sink = new StepSink("train/loss", () => {
      stepAt.push(performance.now());
      const losses = sink.series("train/loss");
      const train_s = (performance.now() - tTrain) / 1000;
      writeJson(o.out, { ...base, status: "running", steps: losses.length, losses, tokens_per_s_steady: steady(), train_s });
    });
    const { runSft } = await import("../src/sft/sft.ts");
    const { describeBackend } = await import("../src/model/backend.ts");
    const r = await runSft({
      config: { seed: config.seed, backend: config.backend, data: config.data, model: config.model, sft: config.sft },
      items: gen.items,
      cards: gen.cards ?? [],
      outDir: join(o.work, "sft"),
      sink,
      seed: config.seed,
      progress: false,
    });
    writeJson(o.out, {
      ...base,
      status: "ok",
      backend: r.backend,
      backend_detail: describeBackend(),
      steps: r.steps,
      losses: r.losses,
      loss_first: r.losses[0] ?? null,
      loss_last: r.losses.at(-1) ?? null,
      eval_loss_start: Number.isFinite(r.evalLossStart) ? r.evalLossStart : null,
      eval_loss_end: Number.isFinite(r.evalLossEnd) ? r.evalLossEnd : null,
      tokens_per_s: r.tokensPerSec,
      tokens_per_s_steady: steady(),
      train_s: (performance.now() - tTrain) / 1000,
      checkpoint: r.checkpointDir,
    });
    process.stderr.write(
      `[gpu] sft: ${r.steps} steps, loss ${r.losses[0]?.toFixed(3)} → ${r.losses.at(-1)?.toFixed(3)}, ${Math.round(r.tokensPerSec)} tok/s\n`,
    );
  });

program
  .command("grpo")
  .description("a short GRPO from the sft phase's checkpoint, rule rewards only; writes --out JSON after every step")
  .requiredOption("--config <file>", "run config (e.g. configs/paper.json)")
  .requiredOption("--work <dir>", "the sft phase's work directory")
  .requiredOption("--out <file>", "phase JSON")
  .option("--steps <n>", "GRPO steps", (v) => parseInt(v, 10), 10)
  .option("--max-seconds <s>", 'stop after the step that ends past this many seconds (status "budget")', (v) => Number(v))
  .option("--set <key=value>", "config override (repeatable)", collect, [])
  .action(async (o: { config: string; work: string; out: string; steps: number; maxSeconds?: number; set: string[] }) => {
    // α = 1: rule rewards only, so the check needs no reward-model stage
    const config = await loadRunConfig(o.config, [...o.set, `grpo.max_steps=${o.steps}`, "grpo.alpha=1"]);
    const { readJsonl } = await import("../src/util/fsx.ts");
    const { loadKG } = await import("../src/kg/load.ts");
    const { score, CAPABILITIES } = await import("../src/mkgsg/index.ts");
    const { runGrpo } = await import("../src/grpo/train.ts");
    const { describeBackend } = await import("../src/model/backend.ts");
    const items = readJsonl<import("../src/mkgsg/types.ts").Item>(join(o.work, "items.jsonl"));
    const g = config.grpo;
    const completionsPerStep = g.prompts_per_capability * CAPABILITIES.length * g.num_generations;
    const base = {
      phase: "grpo",
      config: o.config,
      sets: o.set,
      shape: shapeOf(config.model),
      method: g.method,
      prompts_per_capability: g.prompts_per_capability,
      num_generations: g.num_generations,
      max_completion_length: g.max_completion_length,
      completions_per_step: completionsPerStep,
      max_steps: o.steps,
    };
    const t0 = performance.now();
    const stepTimes: number[] = [];
    let last = t0;
    const summary = () => {
      const lengths = sink.series("completions/mean_length");
      const secs = (performance.now() - t0) / 1000;
      const tokens = lengths.reduce((a, l) => a + l * completionsPerStep, 0);
      return {
        steps: stepTimes.length,
        loss: sink.series("loss"),
        reward: sink.series("reward"),
        completion_mean_length: lengths,
        step_s: stepTimes,
        completion_tokens_per_s: secs > 0 ? tokens / secs : null,
        train_s: secs,
      };
    };
    const budget = new Error("time budget reached");
    const sink = new StepSink("loss", () => {
      const now = performance.now();
      stepTimes.push((now - last) / 1000);
      last = now;
      writeJson(o.out, { ...base, status: "running", ...summary() });
      // nothing runs after GRPO, so stopping it mid-run (no final checkpoint) loses nothing the check reports
      if (o.maxSeconds !== undefined && (now - t0) / 1000 > o.maxSeconds) throw budget;
    });
    const alphas = Object.fromEntries(CAPABILITIES.map((f) => [f, 1])) as Record<(typeof CAPABILITIES)[number], number>;
    const r = await runGrpo({
      config: { seed: config.seed, backend: config.backend, data: config.data, model: config.model, grpo: config.grpo },
      items,
      kg: loadKG(),
      scorer: score,
      sftCheckpointDir: join(o.work, "sft", "checkpoint"),
      rewardModel: null,
      alphas,
      outDir: join(o.work, "grpo"),
      sink,
      progress: false,
    }).catch((e) => {
      if (e !== budget) throw e;
      return null;
    });
    if (!r) {
      writeJson(o.out, { ...base, status: "budget", ...summary() });
      process.stderr.write(`[gpu] grpo: stopped by --max-seconds ${o.maxSeconds} after ${stepTimes.length} steps\n`);
      return;
    }
    writeJson(o.out, {
      ...base,
      status: "ok",
      backend: r.backend,
      backend_detail: describeBackend(),
      ...summary(),
      reward_first: r.rewardFirst,
      reward_last: r.rewardLast,
      seconds: r.seconds,
    });
    process.stderr.write(`[gpu] grpo: ${r.steps} steps in ${r.seconds.toFixed(1)} s\n`);
  });

program
  .command("report")
  .description("assemble the phases' JSON files in --work into the check's one JSON")
  .requiredOption("--work <dir>", "the check's work directory")
  .requiredOption("--out <file>", "the check's JSON")
  .action((o: { work: string; out: string }) => {
    const report = buildReport(o.work);
    writeJson(o.out, report);
    process.stdout.write(JSON.stringify(report.summary, null, 1) + "\n");
  });

const median = (xs: number[]) => {
  const a = xs.slice().sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
};

/** The phase status as the shell recorded it (phases.json: exit code per phase; 124/137 = its time limit). */
function phaseStatus(phases: J, name: string, json: J | null): string {
  const rc = phases[name]?.rc;
  if (rc === undefined) return "not run";
  if (phases[name]?.skipped) return `skipped (${phases[name].skipped})`;
  if (rc === 124 || rc === 137) return "timed out";
  if (rc !== 0) return `failed (exit ${rc})`;
  return json ? String(json.status ?? "ok") : "ok, no JSON";
}

export function buildReport(work: string) {
  const p = peaks();
  const meta = readJson(join(work, "meta.json")) ?? {};
  const phases = readJson(join(work, "phases.json")) ?? {};
  const backend = readJson(join(work, "backend.json"));
  const bench = (name: string) => readJson(join(work, `bench-${name}.json`));
  const plan = (name: string) => readJson(join(work, `bench-${name}.plan.json`));
  const torch = (name: string) => readJson(join(work, `torch-${name}.json`));
  const shapes: Record<string, J> = {};
  for (const name of ["probe", "paper"]) {
    const b = bench(name),
      t = torch(name),
      pl = plan(name);
    const flops = (b?.flops_per_token?.train as number | undefined) ?? (pl?.train_flops_per_token as number | undefined) ?? null;
    const ours = (b?.train_tokens_per_s?.ours as number | undefined) ?? null;
    const theirs = (t?.tokens_per_s as number | undefined) ?? null;
    shapes[name] = {
      status: { bench: phaseStatus(phases, `bench_${name}`, b), torch: phaseStatus(phases, `torch_${name}`, t) },
      config: b?.config ?? (pl ? { ...pl.shape, batch: pl.batch, seq: pl.seq } : null),
      params: b?.params ?? t?.params ?? null,
      train_flops_per_token: flops,
      tokens_per_s: { ours, torch: theirs },
      ours_vs_torch: ours != null && theirs ? ours / theirs : null,
      mfu: { ours: mfuAgainst(ours, flops, p), torch: mfuAgainst(theirs, flops, p) },
      loss: {
        ours_first: b?.loss?.ours_first ?? null,
        ours_last: b?.loss?.ours_last ?? null,
        torch_first: t?.first_loss ?? null,
        torch_last: t?.last_loss ?? null,
      },
      sample_tokens_per_s: b?.sample_tokens_per_s ?? null,
      backend_detail: b?.backend_detail ?? null,
      torch_device: t?.device_name ?? t?.device ?? null,
    };
  }
  const sft = readJson(join(work, "sft.json"));
  const grpo = readJson(join(work, "grpo.json"));
  const sftLosses = (sft?.losses as number[] | undefined) ?? [];
  const sftTokS = (sft?.tokens_per_s_steady as number | undefined) ?? (sft?.tokens_per_s as number | undefined) ?? null;
  const grpoLoss = (grpo?.loss as number[] | undefined) ?? [];
  const report = {
    kind: "bbio gpu-check",
    version: 1,
    dry_run: meta.dry_run ?? null,
    started: meta.started ?? null,
    finished: new Date().toISOString(),
    host: meta.host ?? null,
    gpu: meta.gpu ?? null,
    torch_dir: meta.torch_dir ?? null,
    node: meta.node ?? null,
    build: { status: phaseStatus(phases, "build", {}), seconds: phases.build?.s ?? null },
    backend: backend ?? null,
    phases,
    peak_tflops: { ...p, measured_fp32_matmul: (readJson(join(work, "peak.json"))?.gflops as number | undefined) ?? null },
    bench: shapes,
    sft: {
      status: phaseStatus(phases, "sft", sft),
      steps: sft?.steps ?? 0,
      // between the first and last step (runSft's own figure, with start-up, evaluations and checkpoint: tokens_per_s_runner)
      tokens_per_s: sftTokS,
      tokens_per_s_runner: sft?.tokens_per_s ?? null,
      mfu: mfuAgainst(sftTokS, sft?.train_flops_per_token as number | undefined, p),
      loss_first: sftLosses[0] ?? null,
      loss_last: sftLosses.at(-1) ?? null,
      loss_falls: sftLosses.length >= 2 ? sftLosses.at(-1)! < sftLosses[0] : null,
      eval_loss_start: sft?.eval_loss_start ?? null,
      eval_loss_end: sft?.eval_loss_end ?? null,
      generate_s: sft?.generate_s ?? null,
      train_s: sft?.train_s ?? null,
      detail: sft,
    },
    grpo: {
      status: phaseStatus(phases, "grpo", grpo),
      steps: grpo?.steps ?? 0,
      // median: the first step also loads the policy and the reference
      s_per_step: grpo?.step_s?.length ? median(grpo.step_s as number[]) : null,
      completion_tokens_per_s: grpo?.completion_tokens_per_s ?? null,
      loss_first: grpoLoss[0] ?? null,
      loss_last: grpoLoss.at(-1) ?? null,
      detail: grpo,
    },
    summary: {} as J,
  };
  report.summary = {
    dry_run: report.dry_run,
    gpu: report.gpu,
    backend: (backend?.backend as string | undefined) ?? null,
    device: backend?.native?.device ?? null,
    probe_ours_vs_torch: shapes.probe.ours_vs_torch,
    paper_ours_vs_torch: shapes.paper.ours_vs_torch,
    paper_tokens_per_s: shapes.paper.tokens_per_s,
    paper_mfu_fp32: shapes.paper.mfu.ours.fp32,
    sft_tokens_per_s: sftTokS,
    sft_mfu_fp32: report.sft.mfu.fp32,
    sft_loss_first: report.sft.loss_first,
    sft_loss_last: report.sft.loss_last,
    grpo_steps: report.grpo.steps,
    phases: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, (v as J).rc])),
  };
  return report;
}

if (process.argv[1] && /gpu\.(ts|mjs|js)$/.test(process.argv[1])) await program.parseAsync(process.argv);
