import { describe, it, expect, beforeAll } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "../../src/model/backend.ts";
import { GPT, initWeights, weightShapes, paramCount } from "../../src/model/gpt.ts";
import { generate, sampleRow, sequenceLogprobs, sequenceLogprobsArray } from "../../src/model/sample.ts";
import { rngFor } from "../../src/util/rng.ts";
import { saveCheckpoint, loadCheckpoint } from "../../src/model/checkpoint.ts";
import { Tokenizer } from "../../src/model/tokenizer.ts";
import { mulberry32 } from "../../src/util/rng.ts";
import { TINY_MODEL } from "./fixtures.ts";

beforeAll(async () => {
  await initBackend("cpu", { quiet: true });
});

describe("gpt", () => {
  it("has the spec's weights and shapes", () => {
    const names = weightShapes({ ...TINY_MODEL, n_layer: 2 }).map(([n]) => n);
    expect(names.slice(0, 4)).toEqual(["wte", "wpe", "h.0.ln_1.g", "h.0.ln_1.b"]);
    expect(names).toContain("h.1.mlp.w_proj");
    expect(names.at(-1)).toBe("ln_f.b");
    // the probe shape bench/run.ts measures backends on: 470,528 params with V=512, C=128, L=2, T=64
    expect(paramCount({ n_layer: 2, n_head: 4, n_embd: 128, block_size: 64, vocab_size: 512, dropout: 0 })).toBe(470528);
  });

  it("initialises deterministically from the seed, nanoGPT-style", () => {
    const a = initWeights(TINY_MODEL, 3),
      b = initWeights(TINY_MODEL, 3),
      c = initWeights(TINY_MODEL, 4);
    expect(a.get("wte")).toEqual(b.get("wte"));
    expect(a.get("wte")).not.toEqual(c.get("wte"));
    expect([...a.get("h.0.ln_1.g")!].every((x) => x === 1)).toBe(true);
    expect([...a.get("h.0.attn.b_q")!].every((x) => x === 0)).toBe(true);
    const std = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
    expect(std(a.get("wte")!)).toBeCloseTo(0.02, 2);
    expect(std(a.get("h.0.mlp.w_proj")!)).toBeLessThan(0.017); // 0.02/sqrt(2)
  });

  it("forward is causal: changing a later token leaves earlier logits unchanged", async () => {
    const m = GPT.init(TINY_MODEL, 0);
    const a = m.forward(tf.tensor2d([[5, 6, 7, 8]], undefined, "int32"));
    const b = m.forward(tf.tensor2d([[5, 6, 7, 99]], undefined, "int32"));
    const [da, db] = [await a.array(), await b.array()];
    expect(da[0].slice(0, 3)).toEqual(db[0].slice(0, 3));
    expect(da[0][3]).not.toEqual(db[0][3]);
    tf.dispose([a, b]);
    m.dispose();
  });

  it("attention block gradients match finite differences", async () => {
    // larger weights than init so attention is far from uniform and every path matters
    const cfg = { n_layer: 1, n_head: 2, n_embd: 8, block_size: 8, vocab_size: 12, dropout: 0 };
    const rng = mulberry32(7);
    const w = initWeights(cfg, 1);
    for (const [name, data] of w)
      for (let i = 0; i < data.length; i++) data[i] = name.endsWith(".g") ? 1 + 0.3 * (rng() - 0.5) : 0.8 * (rng() - 0.5);
    const m = new GPT(cfg, w);
    const idx = tf.tensor2d(
      [
        [1, 4, 2, 7, 3],
        [0, 9, 9, 5, 11],
      ],
      undefined,
      "int32",
    );
    const R = tf.tensor3d(
      Array.from({ length: 2 * 5 * 12 }, () => rng() - 0.5),
      [2, 5, 12],
    );
    const loss = () => tf.sum(tf.mul(m.forward(idx), R)) as tf.Scalar;
    const { grads } = tf.variableGrads(loss, m.variables);
    const checked: string[] = [];
    for (const name of ["h.0.attn.w_q", "h.0.attn.w_k", "h.0.attn.w_v", "h.0.attn.b_k", "h.0.attn.w_o", "h.0.ln_1.g", "wte", "wpe"]) {
      const v = m.params.get(name)!;
      const g = await grads[v.name].data();
      const base = Float32Array.from(await v.data());
      for (const i of [0, 3, 5].filter((i) => i < base.length)) {
        const eps = 1e-2;
        const at = async (d: number) => {
          const x = base.slice();
          x[i] += d;
          v.assign(tf.tensor(x, v.shape));
          const l = loss();
          const r = (await l.data())[0];
          l.dispose();
          return r;
        };
        const fd = ((await at(eps)) - (await at(-eps))) / (2 * eps);
        v.assign(tf.tensor(base, v.shape));
        expect(Math.abs(fd - g[i]), `${name}[${i}] fd=${fd} grad=${g[i]}`).toBeLessThan(2e-3 + 2e-2 * Math.abs(fd));
        checked.push(name);
      }
    }
    expect(checked.length).toBeGreaterThan(15);
    m.dispose();
  });
});

describe("generation", () => {
  it("greedy decoding gives identical tokens with and without the KV cache", async () => {
    const m = GPT.init({ ...TINY_MODEL, n_layer: 2 }, 11);
    const prompts = [
      [1, 10, 20, 30, 2],
      [1, 40, 50, 60, 2],
      [1, 7, 2],
    ];
    const a = await generate(m, prompts, { maxNewTokens: 20, temperature: 0, stop: [], useCache: true });
    const b = await generate(m, prompts, { maxNewTokens: 20, temperature: 0, stop: [], useCache: false });
    expect(a.tokens).toEqual(b.tokens);
    expect(a.tokens[0].length).toBe(20);
    for (let r = 0; r < 3; r++) for (let t = 0; t < 20; t++) expect(a.logprobs[r][t]).toBeCloseTo(b.logprobs[r][t], 4);
    m.dispose();
  });

  it("rows that stop leave the batch: every row decodes as it would have in a batch where nothing stops", async () => {
    const m = GPT.init({ ...TINY_MODEL, n_layer: 2 }, 11);
    const prompts = [
      [1, 10, 20, 30, 2],
      [1, 40, 50, 60, 2],
      [1, 70, 80, 90, 2],
      [1, 15, 25, 35, 2],
    ];
    const n = 16;
    // sampled (an untrained model's greedy rows all repeat one token); each row draws from its own seeded stream
    const o = { maxNewTokens: n, temperature: 1, seed: 1 };
    const free = await generate(m, prompts, { ...o, stop: [] });
    // stop tokens that end rows 0–2 at different steps (at the latest), and never appear in row 3
    const stop = [free.tokens[0][2], free.tokens[1][5], free.tokens[2][8]];
    const cut = (row: number[]) => {
      const at = row.findIndex((t) => stop.includes(t));
      return at < 0 ? row : row.slice(0, at + 1);
    };
    const expected = free.tokens.map(cut);
    expect(new Set(expected.map((row) => row.length)).size).toBe(4); // rows leave at different steps
    expect(expected[3]).toHaveLength(n); // and one row decodes to the end after the others left
    for (const useCache of [true, false]) {
      const g = await generate(m, prompts, { ...o, stop, useCache });
      expect(g.tokens).toEqual(expected);
      expect(g.finished).toEqual([true, true, true, false]);
      g.logprobs.forEach((row, r) => row.forEach((lp, t) => expect(lp).toBeCloseTo(free.logprobs[r][t], 4)));
    }
    m.dispose();
  });

  it("top-k / top-p keep the highest-probability tokens, ties by id, and draw from them in that order", () => {
    // reference: the candidates sorted by a comparator, then truncated and drawn in sorted order
    const reference = (logits: Float32Array, t: number, topK: number, topP: number, u: number): number => {
      let ids = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a] || a - b);
      if (topK > 0 && topK < logits.length) ids = ids.slice(0, topK);
      const max = Math.max(...Array.from(logits, (x) => x / t));
      let probs = ids.map((i) => Math.exp(logits[i] / t - max));
      if (topP < 1) {
        const total = probs.reduce((a, b) => a + b, 0);
        let acc = 0,
          keep = 0;
        while (keep < probs.length && acc < topP * total) acc += probs[keep++];
        ids = ids.slice(0, Math.max(1, keep));
        probs = probs.slice(0, ids.length);
      }
      let r = u * probs.reduce((a, b) => a + b, 0);
      for (let j = 0; j < ids.length; j++) if ((r -= probs[j]) <= 0) return ids[j];
      return ids[ids.length - 1];
    };
    const rng = rngFor(7, "sampler-test");
    let truncatedDraws = 0;
    for (let trial = 0; trial < 300; trial++) {
      const V = 2 + Math.floor(rng() * 200);
      // many exact ties (small integers), negative values, −0
      const logits = Float32Array.from({ length: V }, () => (rng() < 0.3 ? Math.round(rng() * 4 - 2) : (rng() - 0.5) * 12));
      if (trial % 5 === 0) logits[0] = -0;
      for (const [t, k, p] of [
        [1, 5, 1],
        [0.7, 0, 0.8],
        [1.3, 40, 0.95],
      ] as const) {
        if (!(k > 0 && k < V) && p === 1) continue;
        const u = rngFor(trial, "draw")();
        const [id] = sampleRow(logits, t, k, p, () => u);
        expect(id).toBe(reference(logits, t, k, p, u));
        truncatedDraws++;
      }
    }
    expect(truncatedDraws).toBeGreaterThan(600);
  });

  it("seeded sampling is reproducible and different seeds differ", async () => {
    const m = GPT.init(TINY_MODEL, 2);
    const p = [
      [1, 3, 4, 2],
      [1, 3, 4, 2],
    ];
    const o = { maxNewTokens: 12, temperature: 1.5, topK: 50, topP: 0.95, stop: [] };
    const a = await generate(m, p, { ...o, seed: 1 });
    const b = await generate(m, p, { ...o, seed: 1 });
    const c = await generate(m, p, { ...o, seed: 2 });
    expect(a.tokens).toEqual(b.tokens);
    expect(a.tokens).not.toEqual(c.tokens);
    expect(a.tokens[0]).not.toEqual(a.tokens[1]); // rows have their own streams
    m.dispose();
  });

  it("sequenceLogprobs matches the sampler's log-probs and is differentiable", async () => {
    const m = GPT.init(TINY_MODEL, 5);
    const prompts = [
      [1, 3, 4, 5, 2],
      [1, 9, 2],
    ];
    const g = await generate(m, prompts, { maxNewTokens: 6, temperature: 1, seed: 3, stop: [] });
    const lp = await sequenceLogprobsArray(m, { prompts, completions: g.tokens });
    for (let b = 0; b < 2; b++) for (let t = 0; t < 6; t++) expect(lp[b][t]).toBeCloseTo(g.logprobs[b][t], 4);
    const { value, grads } = tf.variableGrads(
      () => tf.sum(sequenceLogprobs(m, { prompts, completions: [g.tokens[0], g.tokens[1].slice(0, 2)] })) as tf.Scalar,
      m.variables,
    );
    expect(Number.isFinite((await value.data())[0])).toBe(true);
    expect(Math.abs((await grads[m.params.get("h.0.attn.w_q")!.name].data())[0])).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads)]);
    m.dispose();
  });

  it("does not leak tensors across generate / sequenceLogprobs calls", async () => {
    const m = GPT.init(TINY_MODEL, 5);
    const run = async () => {
      await generate(
        m,
        [
          [1, 3, 2],
          [1, 4, 5, 2],
        ],
        { maxNewTokens: 5, temperature: 0.8, seed: 1 },
      );
      await sequenceLogprobsArray(m, { prompts: [[1, 3, 2]], completions: [[7, 8, 3]] });
    };
    await run();
    const before = tf.memory().numTensors;
    await run();
    await run();
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });
});

describe("checkpoint", () => {
  it("round-trips weights, tokenizer and config: identical logits", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bbio-ckpt-"));
    try {
      const m = GPT.init(TINY_MODEL, 9);
      const tok = Tokenizer.fit(["hello world GO:0006821", "hello TP53"], 256);
      await saveCheckpoint(join(dir, "ck"), { model: m, tokenizer: tok, state: { step: 7 } });
      const ck = await loadCheckpoint(join(dir, "ck"));
      const idx = tf.tensor2d([[1, 5, 9, 33, 2]], undefined, "int32");
      const [a, b] = [m.forward(idx), ck.model.forward(idx)];
      expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
      expect(ck.tokenizer.vocab).toEqual(tok.vocab);
      expect(ck.state?.step).toBe(7);
      await expect(loadCheckpoint(join(dir, "ck"), { expect: { ...TINY_MODEL, n_embd: 32 } })).rejects.toThrow(
        /n_embd 16 \(checkpoint\) vs 32/,
      );
      await expect(loadCheckpoint(join(dir, "nope"))).rejects.toThrow(/not found/);
      tf.dispose([a, b, idx]);
      m.dispose();
      ck.model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
