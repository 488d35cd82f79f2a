/**
 * The whole-GRPO-step bench (bench/grpo_step.ts, `npm run bench -- --grpo-only`) at a tiny size: both sides ran the
 * same work, the ratio is PyTorch's time ÷ ours, and each side's phases add up to its step. Without PyTorch the bench
 * fails instead of printing a one-sided ratio.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { GrpoBenchResult, GrpoSide } from "../../bench/grpo_report.ts";
import { torchAvailable } from "../../bench/torch.ts";

const TINY = ["--model", '{"n_layer":1,"n_head":2,"n_embd":32,"vocab_size":128,"block_size":32}'];
const SIZE = [...TINY, "--prompts", "1", "--generations", "2", "--new", "4", "--prompt-len", "4", "--rounds", "3"];

function bench(args: string[], env: Record<string, string> = {}) {
  return spawnSync("npx", ["tsx", "bench/grpo_step.ts", ...SIZE, ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 110_000,
  });
}

function checkSide(side: GrpoSide, capabilities: number, tokens: number) {
  expect(side.steps).toBe(3);
  expect(side.sampled_tokens).toBe(tokens);
  expect(side.backward).toHaveLength(capabilities);
  const phases = [side.sample, side.logprobs, ...side.backward, side.combine_step];
  for (const t of [side.total, ...phases]) expect(t).toBeGreaterThan(0);
  // per-phase medians: their sum is near the median step, never far from it
  const sum = phases.reduce((a, b) => a + b, 0);
  expect(sum / side.total).toBeGreaterThan(0.6);
  expect(sum / side.total).toBeLessThan(1.4);
}

describe("bench/grpo_step.ts", () => {
  it.skipIf(!torchAvailable())("times both sides on equal work, per phase, and prints PyTorch ÷ ours", () => {
    const r = bench(["--json"]);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as GrpoBenchResult;
    expect(j.capabilities).toHaveLength(4);
    // 4 capabilities × 1 prompt × G=2 × 4 tokens, forced to full length on both sides
    checkSide(j.ours, 4, 32);
    checkSide(j.torch, 4, 32);
    expect(Number.isFinite(j.speed_ratio)).toBe(true);
    expect(j.speed_ratio).toBeGreaterThan(0);
    expect(j.speed_ratio).toBeCloseTo(j.torch.total / j.ours.total, 6);
    expect(j.threads).toBe("one");
    expect(j.backend).toMatch(/1 thread|wasm|cpu/);
    expect(j.cpu.model).toMatch(/\S/);
    expect(j.load_avg_1min.max).toBeGreaterThanOrEqual(j.load_avg_1min.min);
  });

  it.skipIf(!torchAvailable())("prints the table with the ratio's direction", () => {
    const r = bench(["--rounds", "1"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/speed ratio \(PyTorch time ÷ our time; > 1 = ours faster\): \d+\.\d+×/);
    for (const phase of ["sample", "old + ref log-probs", "backward knowledge", "combine + clip + AdamW", "whole step"])
      expect(r.stdout).toContain(phase);
    expect(r.stdout).toMatch(/load average \d/);
  });

  it("fails, with the install hint, when PyTorch cannot run", () => {
    const r = bench(["--json"], { BBIO_TORCH_PYTHON: "/nonexistent/python3" });
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("apt-get install -y python3-torch");
  });
});
