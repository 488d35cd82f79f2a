/**
 * The Bradley–Terry reward model (src/rewards/rm/): loss numbers, learning on synthetic preferences, save/load,
 * tensor hygiene, resume, and the rm-train / rm-eval commands. Tiny model (1 layer, 32 wide) on the wasm backend.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig, type Config } from "../../src/config/index.ts";
import { loadKG } from "../../src/kg/index.ts";
import type { KG } from "../../src/kg/types.ts";
import { generate, type Item } from "../../src/mkgsg/index.ts";
import { initBackend } from "../../src/model/backend.ts";
import { saveCheckpoint } from "../../src/model/checkpoint.ts";
import type { ModelConfig } from "../../src/model/config.ts";
import { GPT } from "../../src/model/gpt.ts";
import { Tokenizer, corpusOf } from "../../src/model/tokenizer.ts";
import type { Pair } from "../../src/rewards/pairs.ts";
import {
  BtRewardModel,
  btLoss,
  btLossValue,
  evaluatePairs,
  loadRewardModel,
  loadRewardModelFull,
  runRmStage,
  saveRewardModel,
} from "../../src/rewards/rm/index.ts";
import { readJsonl } from "../../src/util/fsx.ts";
import { SMALL } from "../mkgsg/helpers.ts";
import { MemorySink } from "../../src/util/sink.ts";

const TINY: ModelConfig = { n_layer: 1, n_head: 2, n_embd: 32, block_size: 256, vocab_size: 512, dropout: 0 };
/** corruptions a small model can learn from the surface of the answer (knowledge ones need facts it never saw) */
const SURFACE = [
  "lower_case",
  "break_json",
  "drop_evidence",
  "hedge",
  "add_commas",
  "merge_lines",
  "wrong_keys",
  "break_table",
  "drop_end_word",
  "exceed_words",
  "wrong_sentence_count",
  "answer_before_evidence",
  "out_of_scope",
];

let kg: KG;
let items: Item[];
let dir: string;
let sftDir: string;
let tok: Tokenizer;

const cfg = (rm: Record<string, unknown> = {}): Config =>
  parseConfig({
    backend: "wasm",
    model: TINY,
    rm: { max_steps: 80, batch_size: 8, learning_rate: 3e-3, min_lr: 3e-4, eval_every: 40, log_every: 1000, corruptions: SURFACE, ...rm },
  });

beforeAll(async () => {
  await initBackend("wasm", { quiet: true });
  kg = loadKG();
  items = generate(kg, { world: { ...SMALL, genes: 24 } }, 0).items;
  dir = mkdtempSync(join(tmpdir(), "bbio-rm-"));
  tok = Tokenizer.fit(corpusOf(items), TINY.vocab_size);
  sftDir = join(dir, "sft");
  const m = GPT.init(TINY, 0);
  await saveCheckpoint(sftDir, { model: m, tokenizer: tok, config: cfg() });
  m.dispose();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("Bradley–Terry loss", () => {
  it("matches hand-computed values and gradients", () => {
    // r⁺ − r⁻ = 2, 0, −2  →  log(1+e^{−2}), log 2, log(1+e^{2})
    const rc = tf.tensor1d([2, 0, -1]),
      rr = tf.tensor1d([0, 0, 1]);
    const want = [0.1269280110429725, Math.LN2, 2.1269280110429727];
    const l = btLoss(rc, rr);
    expect(l.dataSync()[0]).toBeCloseTo((want[0] + want[1] + want[2]) / 3, 5); // 0.982334
    expect(btLossValue(2, 0)).toBeCloseTo(want[0], 12);
    expect(btLossValue(0, 0)).toBeCloseTo(want[1], 12);
    expect(btLossValue(-1, 1)).toBeCloseTo(want[2], 12);
    expect(btLossValue(100, -100)).toBeCloseTo(0, 12); // stable far out
    expect(btLossValue(-400, 400)).toBeCloseTo(800, 9);
    // ∂L/∂r⁺_i = −σ(r⁻_i − r⁺_i)/N, ∂L/∂r⁻_i = +σ(r⁻_i − r⁺_i)/N
    const [gc, gr] = tf.grads((a: tf.Tensor, b: tf.Tensor) => btLoss(a as tf.Tensor1D, b as tf.Tensor1D))([rc, rr]);
    const sig = [0.11920292202211755, 0.5, 0.8807970779778823];
    Array.from(gc.dataSync()).forEach((g, i) => expect(g).toBeCloseTo(-sig[i] / 3, 5));
    Array.from(gr.dataSync()).forEach((g, i) => expect(g).toBeCloseTo(sig[i] / 3, 5));
    for (const t of [rc, rr, l, gc, gr]) t.dispose();
  });
});

describe("reward model save / load", () => {
  it("round trip gives identical scores; scores are σ ∈ [0,1], batch-independent; wrong config is a clear error", async () => {
    const rm = new BtRewardModel(GPT.init(TINY, 3), tok, { w: BtRewardModel.initHead(TINY.n_embd, 0.5, 7).w, b: 0.25 });
    const its = items.slice(0, 6);
    const prompts = its.map((i) => i.prompt),
      answers = its.map((i, k) => (k % 2 ? i.gold : i.gold.toLowerCase()));
    const before = await rm.score(prompts, answers);
    for (const s of before) expect(s > 0 && s < 1).toBe(true);
    const one = await rm.score([prompts[1]], [answers[1]]);
    expect(one[0]).toBeCloseTo(before[1], 5); // padding with other rows does not change a row
    const out = join(dir, "rt", "rm");
    await saveRewardModel(out, rm, { step: 0 });
    rm.dispose();
    const back = await loadRewardModel(out, TINY);
    expect(await back.score(prompts, answers)).toEqual(before);
    back.dispose();
    await expect(loadRewardModel(out, { ...TINY, n_embd: 64 })).rejects.toThrow(
      /incompatible with the model config: n_embd 32 \(reward model\) vs 64/,
    );
    await expect(loadRewardModel(join(dir, "nope"))).rejects.toThrow(/not found/);
    await expect(loadRewardModel(sftDir)).rejects.toThrow(/not a reward model directory/);
  });
});

describe("runRmStage", () => {
  it("learns synthetic preferences (held-out pairwise accuracy clearly above 0.5) without leaking tensors", async () => {
    const counts: number[] = [];
    const sink = new MemorySink();
    const spy = Object.assign(Object.create(sink), {
      metric(step: number, name: string, value: number) {
        if (name === "rm/loss") counts.push(tf.memory().numTensors);
        sink.metric(step, name, value);
      },
    }) as MemorySink;
    const logs: string[] = [];
    const t0 = performance.now();
    const tensorsBefore = tf.memory().numTensors;
    const out = join(dir, "stage");
    const r = await runRmStage({
      config: cfg(),
      items,
      sftCheckpointDir: sftDir,
      outDir: out,
      sink: spy,
      seed: 0,
      resume: false,
      kg,
      log: (m) => logs.push(m),
      progress: false,
    });
    const secs = (performance.now() - t0) / 1000;
    expect(tf.memory().numTensors).toBe(tensorsBefore); // model, head and optimizer state all freed
    expect(counts.length).toBe(80);
    expect(new Set(counts.slice(1)).size, `tensor count per step: ${counts.join(",")}`).toBe(1);
    expect(counts[0]).toBe(counts[1]);

    expect(r.evalAccuracy, logs.join("\n")).toBeGreaterThan(0.65);
    expect(r.trainAccuracy).toBeGreaterThan(0.65);
    expect(r).toMatchObject({ pairsPath: join(out, "pairs.jsonl"), rmDir: join(out, "rm"), steps: 80, backend: "wasm" });
    process.stderr.write(`[rm test] eval ${r.evalAccuracy.toFixed(3)} train ${r.trainAccuracy.toFixed(3)} in ${secs.toFixed(1)} s\n`);

    const pairs = readJsonl<Pair>(r.pairsPath);
    const res = JSON.parse(readFileSync(join(out, "result.json"), "utf8"));
    expect(res.evalAccuracy).toBeCloseTo(r.evalAccuracy, 12);
    expect(res.counts.pairs.train + res.counts.pairs.alpha_holdout + res.counts.pairs.eval).toBe(pairs.length);
    // W3's α is estimated on the train hold-out's answers, never on eval pairs: at most 2 answers per hold-out pair
    expect(res.counts.pairs.alpha_holdout).toBeGreaterThan(0);
    const alphaN = Object.values(res.noise as Record<string, { n: number } | null>).reduce((a, v) => a + (v?.n ?? 0), 0);
    expect(alphaN).toBeLessThanOrEqual(2 * res.counts.pairs.alpha_holdout);
    expect(Object.values(res.counts.byCorruption.train as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(res.counts.pairs.train);
    for (const f of ["reasoning", "instruction", "integration"]) {
      expect(res.noise[f]).toMatchObject({ sigmaRule2: expect.any(Number), sigmaRm2: expect.any(Number), rho: expect.any(Number) });
      expect(res.noise[f].alpha).toBeGreaterThanOrEqual(0);
      expect(res.noise[f].alpha).toBeLessThanOrEqual(1);
    }
    expect(res.noise.knowledge).toBeNull(); // no surface corruption applies to an MCQ letter
    for (const n of ["rm/loss", "rm/accuracy", "rm/eval_accuracy", "rm/lr", "rm/grad_norm"])
      expect(sink.series(n).length, n).toBeGreaterThan(0);
    expect(sink.series("rm/eval_accuracy").at(-1)).toBeCloseTo(r.evalAccuracy, 12);

    // the saved model reproduces the stage's held-out accuracy
    const { rm } = await loadRewardModelFull(r.rmDir, TINY);
    const ev = await evaluatePairs(
      rm,
      pairs.filter((p) => p.split === "eval"),
      items,
    );
    rm.dispose();
    expect(ev.accuracy).toBeCloseTo(r.evalAccuracy, 12);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it("resumes an interrupted run to the same result as an uninterrupted one", async () => {
    const c = cfg({ max_steps: 6, save_every: 100, eval_every: 100, train_eval_pairs: 16 });
    const opts = { config: c, items, sftCheckpointDir: sftDir, seed: 1, kg, log: () => {}, progress: false };
    const full = new MemorySink();
    const a = await runRmStage({ ...opts, outDir: join(dir, "full"), sink: full, resume: false });
    const part = new MemorySink();
    await runRmStage({ ...opts, outDir: join(dir, "part"), sink: part, resume: false, stopAfter: 3 });
    expect(part.series("rm/loss").length).toBe(3);
    const b = await runRmStage({ ...opts, outDir: join(dir, "part"), sink: part, resume: true });
    expect(b.steps).toBe(6);
    const la = full.series("rm/loss"),
      lb = part.series("rm/loss");
    expect(lb.length).toBe(6);
    lb.forEach((x, i) => expect(x).toBeCloseTo(la[i], 5));
    expect(b.evalAccuracy).toBeCloseTo(a.evalAccuracy, 5);
  });
});

describe("bbio rm-train / rm-eval", () => {
  const bbio = (args: string[]) =>
    spawnSync("npx", ["tsx", "src/cli.ts", ...args], { encoding: "utf8", env: { ...process.env, BBIO_BACKEND: "wasm" } });
  it("runs the pipeline up to the reward model, evaluates its held-out pairs, and prints the documented JSON", () => {
    const store = ["--db", join(dir, "cli.duckdb"), "--cache", join(dir, "cache")];
    const sets = [
      "sft.max_steps=2",
      "sft.eval_every=2",
      "sft.save_every=2",
      "sft.probe_every=0",
      "rm.max_steps=3",
      "rm.train_eval_pairs=8",
    ].flatMap((s) => ["--set", s]);
    const t = bbio(["rm-train", "ci", "--json", ...sets, ...store]);
    expect(t.status, t.stderr).toBe(0);
    const res = JSON.parse(t.stdout);
    expect(res).toMatchObject({ steps: 3, backend: "wasm", outcome: "stopped", stage: "rm" });
    expect(res.dir).toMatch(new RegExp(`^${join(dir, "cache", "rm")}/[0-9a-f]{16}$`));
    expect(res).toMatchObject({ rmDir: join(res.dir, "rm"), pairsPath: join(res.dir, "pairs.jsonl") });
    expect(t.stderr).toMatch(/stages generate → sft → rm \(stopping after rm/); // sft came from the pipeline, not a --sft dir
    expect(res.itemsPath).toMatch(new RegExp(`^${join(dir, "cache", "generate")}/[0-9a-f]{16}/items.jsonl$`));
    // the rm stage stores only its config slice: without the items rm-eval cannot know them, and says so
    const noItems = bbio(["rm-eval", res.rmDir]);
    expect(noItems.status).toBe(2);
    expect(noItems.stderr).toMatch(/no data section.*\nhint: pass --items/);
    // rm-eval: the pairs next to the reward model, the run's items
    const e = bbio(["rm-eval", res.rmDir, "--items", res.itemsPath, "--json"]);
    expect(e.status, e.stderr).toBe(0);
    const ev = JSON.parse(e.stdout);
    expect(ev.split).toBe("eval");
    expect(ev.accuracy).toBeCloseTo(res.evalAccuracy, 9);
    expect(ev.n).toBeGreaterThan(0);
    // rm-train starts from the config's own SFT stage: --sft is no option of it
    const noSft = bbio(["rm-train", "ci", "--sft", sftDir, ...store]);
    expect(noSft.status).toBe(2);
    expect(noSft.stderr).toMatch(/^error: unknown option '--sft'/);
    const badEval = bbio(["rm-eval", sftDir]);
    expect(badEval.status).toBe(2);
    expect(badEval.stderr).toMatch(/not a reward model directory/);
  });
});
