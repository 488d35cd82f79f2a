/**
 * Cached decoding on the native backend: greedy tokens with the KV cache equal those without it (and the cpu
 * backend's, which composes the same attention from TF.js ops), a decoding step holds a constant number of TF.js
 * tensors and libtorch handles (the cache is written in place, nothing accumulates per token), and a step runs a
 * small, fixed number of kernels. Skips (visibly) when the addon is not built.
 */
import { describe, it, expect } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../src/model/backend.ts";
import { loadNative, type NativeBackend } from "../../src/model/native.ts";
import { GPT, disposeKv, initWeights, type KvCache } from "../../src/model/gpt.ts";
import { generate } from "../../src/model/sample.ts";
import type { ModelConfig } from "../../src/model/config.ts";

const st = loadNative();
const suite = st.ok ? describe : describe.skip;
if (!st.ok) console.warn(`test/native: skipping — ${st.reason}`);
const title = st.ok ? "native cached decoding" : `native cached decoding — SKIPPED: ${st.reason}`;

// odd sizes: 3 heads of 7, a vocabulary that is not a power of two
const cfg: ModelConfig = { n_layer: 2, n_head: 3, n_embd: 21, block_size: 20, vocab_size: 37, dropout: 0 };
const weights = initWeights(cfg, 11);
const prompts = [
  [1, 5, 9, 13, 2],
  [2, 7, 30, 4, 8],
];

async function decode(backend: string, useCache: boolean, maxNewTokens: number) {
  await initBackend(backend, { quiet: true });
  const model = new GPT(cfg, weights);
  const g = await generate(model, prompts, { maxNewTokens, temperature: 0, stop: [], useCache });
  model.dispose();
  return g;
}

suite(title, () => {
  it("greedy tokens with the KV cache equal those without it, and the cpu backend's, up to a full cache", async () => {
    const n = cfg.block_size - prompts[0].length; // the last step writes the cache's last row
    const cached = await decode("native", true, n);
    const plain = await decode("native", false, n);
    const cpu = await decode("cpu", true, n);
    expect(cached.tokens[0]).toHaveLength(n);
    expect(cached.tokens).toEqual(plain.tokens);
    expect(cached.tokens).toEqual(cpu.tokens);
    cached.logprobs.flat().forEach((lp, i) => expect(Math.abs(lp - plain.logprobs.flat()[i])).toBeLessThan(1e-4));
    // a single prompt (one row: the gemv paths) and a one-token prompt
    await initBackend("native", { quiet: true });
    const model = new GPT(cfg, weights);
    for (const p of [[[3, 1, 4, 1, 5]], [[7]]]) {
      const a = await generate(model, p, { maxNewTokens: 9, temperature: 0, stop: [], useCache: true });
      const b = await generate(model, p, { maxNewTokens: 9, temperature: 0, stop: [], useCache: false });
      expect(a.tokens).toEqual(b.tokens);
    }
    model.dispose();
  });

  it("holds a constant number of tensors and libtorch handles per decoding step, and frees them all", async () => {
    await initBackend("native", { quiet: true });
    const backend = tf.backend() as NativeBackend;
    const model = new GPT(cfg, weights);
    const base = { tensors: tf.memory().numTensors, ids: backend.numDataIds(), handles: backend.liveHandles() };
    const kv: KvCache = { k: [], v: [], len: 0 };
    const step = async (ids: number[][]) => {
      const idx = tf.tensor2d(ids, [ids.length, ids[0].length], "int32");
      const logits = model.forward(idx, { kv });
      await logits.data();
      tf.dispose([idx, logits]);
    };
    await step(prompts); // prefill: allocates the caches (2 tensors per layer)
    const after = { tensors: tf.memory().numTensors, ids: backend.numDataIds(), handles: backend.liveHandles() };
    expect(after.tensors - base.tensors).toBe(2 * cfg.n_layer);
    for (let t = 0; t < 8; t++) {
      await step([[t + 1], [t + 2]]);
      expect(tf.memory().numTensors).toBe(after.tensors);
      expect(backend.numDataIds()).toBe(after.ids);
      expect(backend.liveHandles()).toBe(after.handles);
    }
    expect(kv.len).toBe(prompts[0].length + 8);
    disposeKv(kv);
    expect(tf.memory().numTensors).toBe(base.tensors);
    expect(backend.liveHandles()).toBe(base.handles);
    // generate() end to end leaves nothing behind either
    await generate(model, prompts, { maxNewTokens: 6, temperature: 0, stop: [], useCache: true });
    expect(tf.memory().numTensors).toBe(base.tensors);
    expect(backend.numDataIds()).toBe(base.ids);
    expect(backend.liveHandles()).toBe(base.handles);
    model.dispose();
  });

  it("runs one attention kernel per layer and a small fixed number of kernels per decoded token", async () => {
    await initBackend("native", { quiet: true });
    const model = new GPT(cfg, weights);
    const kv: KvCache = { k: [], v: [], len: 0 };
    tf.tidy(() => model.forward(tf.tensor2d(prompts, undefined, "int32"), { kv }));
    const engine = tf.engine() as unknown as { runKernel: (...a: unknown[]) => unknown };
    const orig = engine.runKernel;
    const calls: string[] = [];
    engine.runKernel = function (this: unknown, ...a: unknown[]) {
      calls.push(a[0] as string);
      return orig.apply(this, a);
    };
    try {
      tf.tidy(() => model.forward(tf.tensor2d([[3], [4]], undefined, "int32"), { kv }));
    } finally {
      engine.runKernel = orig;
      disposeKv(kv);
      model.dispose();
    }
    expect(calls.filter((k) => k === "BbioKvAttention")).toHaveLength(cfg.n_layer);
    expect(calls).not.toContain("Concat"); // no cache copy per token
    // embedding 5, per layer 9 (2 LayerNorms, attention, 3 linears, GELU, 2 residual adds), ln_f 1, head 4
    expect(calls.length).toBeLessThanOrEqual(10 + 9 * cfg.n_layer);
  });
});
