/**
 * Fake stages with the same shape as the real pipeline (generate → sft → rm → grpo → eval), cheap and deterministic:
 * they write files, emit metrics and table rows, checkpoint and resume. Used in-process and by fake-run.ts (a child
 * process the kill -9 test can murder).
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PipelineSpec, StageContext, StageDef } from "../../src/pipeline/stage.ts";
import { mulberry32, fnv1a } from "../../src/util/rng.ts";
import { writeFileAtomic } from "../../src/util/fsx.ts";

export interface FakeConfig {
  name: string;
  seed: number;
  backend: string;
  data: { n: number };
  sft: { steps: number; delay_ms: number };
  grpo: { method: string; steps: number; ckpt_every: number; delay_ms: number; fail_at: number };
}

export function fakeConfig(
  over: Partial<{
    name: string;
    seed: number;
    n: number;
    method: string;
    steps: number;
    delay_ms: number;
    fail_at: number;
    sft_delay_ms: number;
  }> = {},
): FakeConfig {
  return {
    name: over.name ?? "fake",
    seed: over.seed ?? 1,
    backend: "auto",
    data: { n: over.n ?? 6 },
    sft: { steps: 5, delay_ms: over.sft_delay_ms ?? 0 },
    grpo: {
      method: over.method ?? "sum",
      steps: over.steps ?? 12,
      ckpt_every: 4,
      delay_ms: over.delay_ms ?? 0,
      fail_at: over.fail_at ?? -1,
    },
  };
}

/** every stage computation in this process, for cache-reuse assertions */
export const calls: string[] = [];

const CAPABILITIES = ["knowledge", "reasoning", "instruction", "integration"];
const value = (seed: number, label: string, step: number) => mulberry32(fnv1a(`${seed}:${label}:${step}`))();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A checkpointed loop: resumes after the last checkpoint, flushes the sink at each one. */
async function loop<S>(
  ctx: StageContext<S>,
  label: string,
  steps: number,
  every: number,
  body: (step: number) => Promise<void>,
): Promise<void> {
  const ckpt = join(ctx.dir, "ckpt.json");
  let start = 1;
  if (ctx.resume && existsSync(ckpt)) {
    const s = JSON.parse(readFileSync(ckpt, "utf8")).step as number;
    ctx.sink.resumeFrom(s);
    start = s + 1;
  }
  appendFileSync(join(ctx.dir, "starts.log"), `${start}\n`);
  for (let step = start; step <= steps; step++) {
    await body(step);
    if (step % every === 0 || step === steps) {
      await ctx.sink.flush();
      writeFileAtomic(ckpt, JSON.stringify({ step }));
    }
    if (process.env.FAKE_PRINT_STEPS) process.stdout.write(`${label} step ${step}\n`);
  }
}

const generate: StageDef<FakeConfig, FakeConfig["data"]> = {
  name: "generate",
  version: 1,
  deps: () => [],
  enabled: () => true,
  slice: (c) => c.data,
  usesBackend: false,
  definesData: true,
  async run(ctx) {
    calls.push("generate");
    const items = Array.from({ length: ctx.slice.n }, (_, i) => ({
      id: `it${i}`,
      family: CAPABILITIES[i % 4],
      kind: "k",
      split: i % 3 ? "train" : "eval",
      prompt: `q${i}`,
      gold: `a${i}`,
      checks: [],
      provenance: { genes: [i], terms: [], evidence: [] },
      seed: ctx.seed,
    }));
    writeFileSync(join(ctx.dir, "items.jsonl"), items.map((x) => JSON.stringify(x)).join("\n") + "\n");
    writeFileSync(
      join(ctx.dir, "rejects.jsonl"),
      JSON.stringify({ id: "rj0", family: "knowledge", kind: "k", stage: "ontology", reason: "r", detail: "d" }) + "\n",
    );
  },
  dataRows(dir) {
    const read = (f: string) =>
      readFileSync(join(dir, f), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
    return [
      { table: "items", rows: read("items.jsonl") },
      { table: "rejects", rows: read("rejects.jsonl") },
    ];
  },
};

const sft: StageDef<FakeConfig, FakeConfig["sft"]> = {
  name: "sft",
  version: 1,
  deps: () => ["generate"],
  enabled: () => true,
  slice: (c) => c.sft,
  usesBackend: true,
  runLabel: () => "sft-only",
  async run(ctx) {
    calls.push("sft");
    if (!existsSync(join(ctx.upstream.generate.dir, "items.jsonl"))) throw new Error("missing upstream items");
    await loop(ctx, "sft", ctx.slice.steps, 2, async (step) => {
      ctx.sink.metric(step, "loss", value(ctx.seed, "sft", step));
      if (ctx.slice.delay_ms) await sleep(ctx.slice.delay_ms);
    });
    writeFileSync(join(ctx.dir, "model.json"), JSON.stringify({ trained: ctx.slice.steps }));
  },
};

const rm: StageDef<FakeConfig> = {
  name: "rm",
  version: 1,
  deps: () => ["generate", "sft"],
  enabled: (c) => c.grpo.method !== "none",
  slice: () => ({}),
  usesBackend: true,
  async run(ctx) {
    calls.push("rm");
    ctx.sink.metric(0, "rm/accuracy", 0.75);
    writeFileSync(
      join(ctx.dir, "pairs.jsonl"),
      JSON.stringify({ item_id: "it0", family: "knowledge", split: "train", chosen: "a0", rejected: "b0", corruption: "wrong_option" }) +
        "\n",
    );
  },
  dataRows(dir) {
    return [
      {
        table: "pairs",
        rows: readFileSync(join(dir, "pairs.jsonl"), "utf8")
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l)),
      },
    ];
  },
};

const grpo: StageDef<FakeConfig, FakeConfig["grpo"]> = {
  name: "grpo",
  version: 1,
  deps: () => ["generate", "sft", "rm"],
  enabled: (c) => c.grpo.method !== "none",
  slice: (c) => c.grpo,
  usesBackend: true,
  runLabel: (c) => c.grpo.method,
  async run(ctx) {
    calls.push("grpo");
    const g = ctx.slice;
    await loop(ctx, "grpo", g.steps, g.ckpt_every, async (step) => {
      if (step === g.fail_at) throw new Error(`fake failure at step ${step}`);
      ctx.sink.metric(step, "reward", value(ctx.seed, g.method, step));
      ctx.sink.metric(step, "kl", value(ctx.seed, "kl", step));
      const gram = [];
      for (const a of CAPABILITIES)
        for (const b of CAPABILITIES) gram.push({ step, capability_i: a, capability_j: b, dot: a === b ? 1 : 0.1, cos: a === b ? 1 : 0.1 });
      ctx.sink.rows("grad_gram", gram);
      ctx.sink.rows("completions", [
        {
          step,
          item_id: "it1",
          capability: "reasoning",
          prompt: "q1",
          completion: `c${step}`,
          rewards: { reasoning: 0.5 },
          reward: 0.5,
          advantage: 0,
        },
      ]);
      if (g.delay_ms) await sleep(g.delay_ms);
    });
    writeFileSync(join(ctx.dir, "policy.json"), JSON.stringify({ steps: g.steps }));
  },
};

const evaluate: StageDef<FakeConfig> = {
  name: "eval",
  version: 1,
  deps: (c) => (c.grpo.method === "none" ? ["generate", "sft"] : ["generate", "grpo"]),
  enabled: () => true,
  slice: () => ({}),
  usesBackend: true,
  async run(ctx) {
    calls.push("eval");
    const policy = ctx.upstream.grpo ?? ctx.upstream.sft;
    ctx.sink.rows(
      "evals",
      CAPABILITIES.map((f) => ({
        step: 0,
        capability: f,
        metric: "accuracy",
        value: value(ctx.seed, policy.hash + f, 0),
        ci_lo: 0,
        ci_hi: 1,
        n: 10,
      })),
    );
    writeFileSync(join(ctx.dir, "evals.json"), "{}");
  },
};

export const fakeSpec: PipelineSpec<FakeConfig> = {
  stages: [generate, sft, rm, grpo, evaluate],
  initBackend: async () => "fake",
};
