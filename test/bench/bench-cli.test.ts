/**
 * `npm run bench -- --json` contract: one JSON object with train tokens/s for ours and torch, sampling
 * tokens/s with and without the KV cache, the backend, the ratio — and honest nulls plus the install hint when
 * PyTorch is missing. Tiny config so it runs in seconds; the FLOPs accounting is checked against the model.
 */
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { paramCount, trainFlopsPerToken, mfu } from "../../bench/flops.ts";
import { torchAvailable } from "../../bench/torch.ts";
import { paramCount as modelParamCount } from "../../src/model/gpt.ts";

function bench(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(
    "npx",
    ["tsx", "bench/run.ts", "--config", "tiny", "--steps", "2", "--warmup", "1", "--sample-new", "4", "--no-profile", "--no-grpo", ...args],
    {
      encoding: "utf8",
      env: { ...process.env, ...env },
      timeout: 110_000,
    },
  );
  return r;
}

describe("npm run bench -- --json", () => {
  it.skipIf(!torchAvailable())("reports ours, torch and their ratio", () => {
    const r = bench(["--json"]);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.backend).toMatch(/native|wasm|cpu|tensorflow/);
    expect(j.train_tokens_per_s.ours).toBeGreaterThan(0);
    expect(j.train_tokens_per_s.torch).toBeGreaterThan(0);
    expect(j.ratio).toBeCloseTo(j.train_tokens_per_s.torch / j.train_tokens_per_s.ours, 2);
    expect(j.sample_tokens_per_s.cached).toBeGreaterThan(0);
    expect(j.sample_tokens_per_s.uncached).toBeGreaterThan(0);
    expect(j.sampling.greedy_identical).toBe(true);
    expect(j.params).toBe(paramCount(j.config).total);
  });

  it("without PyTorch: torch figures are null, ours still reported, install hint on stderr", () => {
    const r = bench(["--json"], { BBIO_TORCH_PYTHON: "/nonexistent/python3" });
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.train_tokens_per_s.torch).toBeNull();
    expect(j.ratio).toBeNull();
    expect(j.train_tokens_per_s.ours).toBeGreaterThan(0);
    expect(r.stderr).toContain("apt-get install -y python3-torch");
    // the CPU and, on native, the kernels the libraries dispatch to and what pinning them costs (src/model/float.ts)
    expect(j.cpu.model).toMatch(/\S/);
    if (j.backend === "native") {
      expect(j.cpu).toMatchObject({ aten: "AVX2", openblas: "Haswell", float: expect.stringMatching(/^pinned-v\d+;threads=/) });
      expect(j.float_cost.native.float).toMatch(/^native:aten=/);
      expect(j.float_cost.pinned_vs_native_train).toBeCloseTo(j.train_tokens_per_s.ours / j.float_cost.native.train, 2);
    }
  });

  it("rejects an impossible shape with one clear line", () => {
    const r = bench(["--config", '{"n_embd": 30, "n_head": 4}'], { BBIO_TORCH_PYTHON: "/nonexistent/python3" });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("not divisible by n_head");
  });
});

describe("FLOPs accounting", () => {
  it("parameter count agrees with the project's model", () => {
    for (const c of [
      { n_layer: 2, n_head: 4, n_embd: 128, block_size: 64, vocab_size: 512, dropout: 0 },
      { n_layer: 3, n_head: 2, n_embd: 48, block_size: 100, vocab_size: 300, dropout: 0 },
    ])
      expect(paramCount(c).total).toBe(modelParamCount(c));
    expect(paramCount({ n_layer: 2, n_head: 4, n_embd: 128, block_size: 64, vocab_size: 512 }).total).toBe(470_528); // the probe shape
  });

  it("6N + 12·L·C·T and MFU", () => {
    const c = { n_layer: 2, n_head: 4, n_embd: 128, block_size: 64, vocab_size: 512 };
    const n = 470_528 - 64 * 128; // the position table takes no part in matmuls
    expect(trainFlopsPerToken(c, 64)).toBe(6 * n + 12 * 2 * 128 * 64);
    expect(mfu(1000, 3e6, 30)).toBeCloseTo(0.1, 10);
  });
});
