/**
 * Numerical reference: the same weights in TF.js and in the PyTorch twin (bench/torch_gpt.py) must give the same
 * logits and masked loss (max abs diff ≲ 1e-4 in float32) — evidence that the two models really are identical.
 *
 * Project path: GPT (src/model/gpt.ts) → saveCheckpoint (src/model/checkpoint.ts) → loadCheckpoint → logits/loss of
 * an item in the spec token format ([BOS] prompt [SEP] gold [EOS], prompt masked; src/sft/batch.ts) vs torch
 * loading the same checkpoint directory. Skipped only when Debian's torch is not importable (CI installs it).
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { torchAvailable, torchForward, runTorch, TORCH_INSTALL_HINT } from "../../bench/torch.ts";
import * as spec from "../../bench/spec_gpt.ts";
import { paramCount } from "../../bench/flops.ts";
import { initBackend } from "../../src/model/backend.ts";
import { GPT } from "../../src/model/gpt.ts";
import { saveCheckpoint, loadCheckpoint } from "../../src/model/checkpoint.ts";
import { Tokenizer } from "../../src/model/tokenizer.ts";
import { encodeExample, maskedLoss } from "../../src/sft/batch.ts";

const HAVE_TORCH = torchAvailable();
if (!HAVE_TORCH) console.warn(`torch-parity: PyTorch tests skipped — ${TORCH_INSTALL_HINT}`);

// tiny but not degenerate: 2 layers, 2 heads, T < block_size, vocab ≠ width (the tokenizer needs ~116 base tokens)
const cfg = { n_layer: 2, n_head: 2, n_embd: 16, block_size: 40, vocab_size: 160, dropout: 0 };
const items = [
  { id: "a", prompt: "Which gene? GO:0006821", gold: "CFTR" },
  { id: "b", prompt: "Answer A or B: TP53?", gold: "B) yes" },
];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "bbio-parity-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Scale the matrices ×15 (std ≈ 0.3) and perturb biases and LayerNorm params. At the nanoGPT init (std 0.02)
 * attention is nearly uniform and most weights barely move the logits, so 1e-4 agreement would prove little; with
 * these weights every tensor matters (the "not vacuous" tests check that).
 */
function roughen(params: Map<string, tf.Variable>, seed: number): void {
  let k = 0;
  for (const [name, v] of params) {
    if (/w_|wte|wpe/.test(name)) v.assign(tf.mul(v, 15));
    else v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.3, "float32", seed * 100 + k++)));
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Both items, right-padded to one batch: the spec's teacher-forced inputs, targets and loss mask. */
function itemBatch(tok: Tokenizer) {
  const ex = items.map((it) => encodeExample(tok, it));
  const L = Math.max(...ex.map((e) => e.input.length));
  const pad = (xs: number[]) => xs.concat(Array(L - xs.length).fill(0));
  return { tokens: ex.map((e) => pad(e.input)), targets: ex.map((e) => pad(e.target)), mask: ex.map((e) => pad(e.mask)) };
}

describe.each(["cpu", "wasm"])("project model on TF.js %s vs PyTorch twin", (backend) => {
  let tok: Tokenizer;
  let ckpt: string;
  beforeAll(async () => {
    await initBackend(backend, { quiet: true });
    tok = Tokenizer.fit(
      items.flatMap((i) => [i.prompt, i.gold]),
      cfg.vocab_size,
    );
    const model = GPT.init(cfg, 11);
    roughen(model.params, 11);
    ckpt = join(dir, `project-${backend}`);
    await saveCheckpoint(ckpt, { model, tokenizer: tok });
    model.dispose();
  });

  it.skipIf(!HAVE_TORCH)("checkpoint → same logits and masked loss in both (max abs diff < 1e-4)", async () => {
    const { model } = await loadCheckpoint(ckpt);
    const b = itemBatch(tok);
    expect(b.mask.flat().filter((m) => m === 0).length).toBeGreaterThan(0); // the prompt really is masked
    const logits = model.forward(tf.tensor2d(b.tokens, undefined, "int32"));
    const loss = (await maskedLoss(logits, tf.tensor2d(b.targets, undefined, "int32"), tf.tensor2d(b.mask)).data())[0];
    const ref = torchForward(ckpt, b);
    expect(ref.shape).toEqual(logits.shape);
    const d = maxAbsDiff(await logits.data(), ref.logits);
    console.log(
      `torch-parity (project, ${backend}): max |Δlogit| ${d.toExponential(2)}, |Δloss| ${Math.abs(loss - ref.loss!).toExponential(2)}, loss ${loss.toFixed(4)}`,
    );
    expect(d).toBeLessThan(1e-4);
    expect(Math.abs(loss - ref.loss!)).toBeLessThan(1e-4);
    model.dispose();
  });

  it.skipIf(!HAVE_TORCH)("is not vacuous: transposing one [C,C] matrix on the TF.js side only breaks parity", async () => {
    const { model } = await loadCheckpoint(ckpt);
    const b = itemBatch(tok);
    const q = model.params.get("h.1.attn.w_q")!;
    q.assign(tf.transpose(q)); // the classic layout bug: [in,out] read as [out,in]
    const d = maxAbsDiff(await model.forward(tf.tensor2d(b.tokens, undefined, "int32")).data(), torchForward(ckpt, b).logits);
    expect(d).toBeGreaterThan(1e-2);
    model.dispose();
  });
});

describe("PyTorch twin", () => {
  it.skipIf(!HAVE_TORCH)("has the spec's parameter count and trains with the project's AdamW step (loss falls)", () => {
    const r = runTorch<{ params: number; first_loss: number; last_loss: number }>([
      "train",
      "--config",
      JSON.stringify(cfg),
      "--batch",
      "2",
      "--seq",
      "8",
      "--steps",
      "15",
      "--warmup",
      "1",
      "--lr",
      "1e-2",
      "--optimizer",
      "adamw",
      "--clip",
      "1.0",
    ]);
    expect(r.params).toBe(paramCount(cfg).total);
    expect(r.last_loss).toBeLessThan(r.first_loss - 0.5);
  });
});

describe("spec twin (bench/spec_gpt.ts, the --model spec fallback)", () => {
  const tokens = [
    [1, 5, 9, 3, 4, 30, 2, 11, 0, 36],
    [3, 3, 3, 8, 20, 12, 1, 1, 2, 17],
  ];

  it.skipIf(!HAVE_TORCH)("matches PyTorch (max abs diff < 1e-4)", async () => {
    await initBackend("cpu", { quiet: true });
    const w = spec.initWeights(cfg, 7);
    roughen(w, 7);
    const ck = join(dir, "spec");
    await spec.saveSpecWeights(ck, cfg, w);
    const ours = await spec.forward(cfg, w, tf.tensor2d(tokens, undefined, "int32")).data();
    expect(maxAbsDiff(ours, torchForward(ck, { tokens }).logits)).toBeLessThan(1e-4);
  });

  it("greedy decoding with and without the KV cache gives identical tokens", async () => {
    await initBackend("cpu", { quiet: true });
    const w = spec.initWeights(cfg, 5);
    roughen(w, 5);
    const prompts = [
      [1, 2, 3],
      [4, 5, 6],
    ];
    const a = await spec.greedy(cfg, w, prompts, 6, true);
    expect(a).toEqual(await spec.greedy(cfg, w, prompts, 6, false));
    expect(a[0]).toHaveLength(6);
  });
});
