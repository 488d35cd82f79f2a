/**
 * The GRPO loop against TRL's definitions, where a unit test of loss.ts / advantages.ts cannot see the wiring: the
 * log-prob calls carry the sampling temperature, dapo gets the whole batch's token count, and with μ = num_iterations > 1 a stateful strategy and grad_norm see one update per step.
 * sample.ts and loss.ts are wrapped (same behaviour) so the test can read the arguments the loop passed.
 */
import { describe, it, expect, beforeAll, vi } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "../../src/model/backend.ts";
import { runSft } from "../../src/sft/sft.ts";
import { runGrpo, CAPABILITIES } from "../../src/grpo/train.ts";
import { loadCheckpoint } from "../../src/model/checkpoint.ts";
import * as sample from "../../src/model/sample.ts";
import { MemorySink } from "../../src/util/sink.ts";
import type { Item, ScoreResult } from "../../src/mkgsg/types.ts";
import type { KG } from "../../src/kg/types.ts";
import { fakeItems, inPlaceScorer, tinyConfig } from "../model/fixtures.ts";

vi.mock("../../src/model/sample.ts", async (importOriginal) => {
  const m = await importOriginal<typeof import("../../src/model/sample.ts")>();
  return { ...m, sequenceLogprobs: vi.fn(m.sequenceLogprobs), sequenceLogprobsArray: vi.fn(m.sequenceLogprobsArray) };
});
vi.mock("../../src/grpo/loss.ts", async (importOriginal) => {
  const m = await importOriginal<typeof import("../../src/grpo/loss.ts")>();
  // record each call's normaliser and its own completion-token count while the mask tensor is alive
  const seen = ((globalThis as Record<string, unknown>).__grpoLossCalls = [] as { n: number | undefined; tokens: number }[]);
  return {
    ...m,
    grpoLoss: vi.fn((x: Parameters<typeof m.grpoLoss>[0], o: Parameters<typeof m.grpoLoss>[1]) => {
      seen.push({ n: o.numItemsInBatch, tokens: (x.mask.arraySync() as number[][]).flat().reduce((a, b) => a + b, 0) });
      return m.grpoLoss(x, o);
    }),
  };
});
const lossCalls = () => (globalThis as Record<string, unknown>).__grpoLossCalls as { n: number | undefined; tokens: number }[];

const tmp = () => mkdtempSync(join(tmpdir(), "bbio-grpo-trl-"));
const kg = {} as KG;
const scorer: (item: Item, answer: string) => ScoreResult = inPlaceScorer;
const items = fakeItems(6);
let sftDir = "";
beforeAll(async () => {
  await initBackend("cpu", { quiet: true });
  const d = tmp();
  await runSft({ config: tinyConfig(), items, outDir: d, sink: new MemorySink(), progress: false });
  sftDir = join(d, "checkpoint");
}, 120_000);

const run = async (over: Record<string, unknown>) => {
  const config = tinyConfig({
    grpo: {
      method: "sum",
      max_steps: 3,
      prompts_per_capability: 1,
      num_generations: 3,
      max_completion_length: 8,
      save_every: 1,
      log_completions_every: 2,
      alpha: 1,
      ...over,
    },
  });
  const sink = new MemorySink(),
    outDir = tmp();
  await runGrpo({
    config,
    items,
    kg,
    scorer,
    sftCheckpointDir: sftDir,
    rewardModel: null,
    alphas: Object.fromEntries(CAPABILITIES.map((c) => [c, 1])) as never,
    outDir,
    sink,
    progress: false,
  });
  return { sink, outDir };
};

describe("GRPO loop = TRL's definitions", () => {
  it("policy, old and reference log-probs are all taken at the sampling temperature", async () => {
    vi.mocked(sample.sequenceLogprobs).mockClear();
    vi.mocked(sample.sequenceLogprobsArray).mockClear();
    await run({ temperature: 0.7, num_iterations: 2, beta: 0.04, max_steps: 1 });
    const policy = vi.mocked(sample.sequenceLogprobs).mock.calls,
      arrays = vi.mocked(sample.sequenceLogprobsArray).mock.calls;
    expect(policy.length).toBe(2 * 2 * CAPABILITIES.length); // μ passes × capabilities × their two halves
    expect(arrays.length).toBe(2 * CAPABILITIES.length); // old (μ > 1) and reference (β > 0) per capability
    for (const c of [...policy, ...arrays]) expect(c[2]).toBe(0.7);
  }, 120_000);

  it("dapo divides every capability's loss by the completion tokens of the whole step's batch", async () => {
    lossCalls().length = 0;
    await run({ loss_type: "dapo", max_steps: 2 });
    const calls = lossCalls();
    // one call per half of each capability's completions (gradients.ts splitHalves), every one with the whole normaliser
    expect(calls).toHaveLength(2 * 2 * CAPABILITIES.length);
    for (let s = 0; s < 2; s++) {
      const step = calls.slice(s * 8, s * 8 + 8);
      const total = step.reduce((a, c) => a + c.tokens, 0);
      for (const c of step) expect(c.n).toBe(total);
      expect(step.every((c) => c.tokens < total)).toBe(true);
    }
  }, 120_000);

  it("μ = 2: the dynamic strategy's EMA takes one observation per step, and grad_norm is one row per step", async () => {
    const { sink, outDir } = await run({ num_iterations: 2, weight_strategy: "dynamic", dynamic_every: 1, max_steps: 3 });
    expect(sink.metrics.filter((m) => m.name === "grad_norm").map((m) => m.step)).toEqual([1, 2, 3]);
    const ck = await loadCheckpoint(join(outDir, "checkpoint"));
    const st = (ck.state as unknown as { strategy: { nGram: number; nVar: number } }).strategy;
    ck.model.dispose();
    expect(st.nGram).toBe(3);
    expect(st.nVar).toBe(3);
  }, 120_000);
});
