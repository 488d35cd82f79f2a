/**
 * Supervised fine-tuning, flat and commented (nanoGPT's train.py shape):
 *   fit tokenizer → init model (or resume) → for each step: batch → masked CE loss → grads → clip → AdamW → log;
 *   every eval_every steps the held-out loss; every save_every steps (and at the end) an atomic checkpoint.
 *
 *   runSft({config, items, outDir, sink, seed, resume?}) → {checkpointDir, steps, finalLoss, backend, ...}
 *
 * The checkpoint lives in <outDir>/checkpoint. A NaN/Inf loss stops the run BEFORE the bad update is applied, with a
 * clear error; the last checkpoint on disk stays the last good one.
 */
import * as tf from "@tensorflow/tfjs";
import { join } from "node:path";
import type { Item } from "../mkgsg/types.ts";
import { initBackend, backendPreference } from "../model/backend.ts";
import { isCheckpoint, loadCheckpoint, saveCheckpoint } from "../model/checkpoint.ts";
import { GPT } from "../model/gpt.ts";
import { clozeScoresMany, generatedValues } from "./cloze.ts";
import { Tokenizer, trainingCorpus } from "../model/tokenizer.ts";
import { BbioError } from "../util/errors.ts";
import { progress } from "../util/progress.ts";
import { AdamW, adamwHyper, CheckpointedLoop, clipByGlobalNorm, lrAt, scheduleOf, type TrainingRunOptions } from "../optim/index.ts";
import { batchIndices, disposeBatch, encodeDocument, encodeExample, makeBatch, maskedLoss, type Example } from "./batch.ts";
import type { SftStageConfig } from "./config.ts";
import { PackedSchedule, sftStreams } from "./pack.ts";

export interface SftOptions extends TrainingRunOptions {
  config: SftStageConfig;
  items: readonly Item[];
  /** gene-world cards (src/mkgsg/gene_world.ts): documents read with loss on every token, mixed in by sft.card_share */
  cards?: readonly { id: string; text: string; entrez?: number | null }[];
  /** default: config.seed */
  seed?: number;
}

export interface SftResult {
  checkpointDir: string;
  steps: number;
  finalLoss: number;
  /** held-out loss before the first update and at the end (NaN when there is no eval split) */
  evalLossStart: number;
  evalLossEnd: number;
  backend: string;
  tokensPerSec: number;
  losses: number[];
}

/** Fails with one clear error when an item (or card) does not fit the context, naming the config key to change. */
export function checkFits(examples: readonly Example[], blockSize: number, what = "item"): void {
  const worst = examples.reduce((a, e) => (e.input.length > a.input.length ? e : a), examples[0]);
  if (worst && worst.input.length > blockSize)
    throw new BbioError(
      `model.block_size ${blockSize} is shorter than the longest tokenized ${what} (${worst.id}: ${worst.input.length} tokens)`,
      2,
      `raise model.block_size to at least ${worst.input.length}`,
    );
}

/** Mean masked loss over fixed held-out batches (no gradient). */
export async function evalLoss(model: GPT, examples: readonly Example[], batchSize: number, batches: number): Promise<number> {
  if (examples.length === 0) return NaN;
  let sum = 0,
    n = 0;
  for (let b = 0; b < batches && b * batchSize < examples.length; b++) {
    const batch = makeBatch(examples.slice(b * batchSize, (b + 1) * batchSize));
    const l = tf.tidy(() => maskedLoss(model.forward(batch.inputs), batch.targets, batch.mask));
    sum += (await l.data())[0];
    n += 1;
    l.dispose();
    disposeBatch(batch);
  }
  return sum / n;
}

export async function runSft(opts: SftOptions): Promise<SftResult> {
  const { config, outDir, sink } = opts;
  const s = config.sft;
  const seed = opts.seed ?? config.seed;
  const backend = await initBackend(backendPreference(config.backend));
  const checkpointDir = join(outDir, "checkpoint");

  const train = opts.items.filter((it) => it.split === "train");
  // held-out loss: the development split when the data has one (budgets are chosen on it), else the eval split
  const hasDev = opts.items.some((it) => it.split === "dev");
  const held = opts.items.filter((it) => it.split === (hasDev ? "dev" : "eval"));
  if (train.length === 0) throw new BbioError('SFT: no items with split "train"');

  // --- model, tokenizer, optimizer: fresh or resumed
  let model: GPT, tokenizer: Tokenizer, resumedAt: number | undefined;
  const hyper = adamwHyper(s);
  let opt: AdamW;
  const losses: number[] = [];
  // running totals behind cumulative metrics (train/padding_share): saved with every checkpoint and restored on resume,
  // so a resumed run logs the same values as an uninterrupted one (and the two merge without "inconsistent duplicates")
  let tokensSeen = 0,
    paddedSeen = 0;
  if (opts.resume && isCheckpoint(checkpointDir)) {
    const ck = await loadCheckpoint(checkpointDir, { expect: config.model, seed });
    model = ck.model;
    tokenizer = ck.tokenizer;
    opt = new AdamW(model.params, hyper);
    if (ck.optimizer) opt.load(ck.optimizer);
    resumedAt = ck.state?.step ?? 0;
    losses.push(...((ck.state?.losses as number[] | undefined) ?? []).slice(0, resumedAt));
    tokensSeen = Number(ck.state?.tokens_seen ?? 0);
    paddedSeen = Number(ck.state?.padded_seen ?? 0);
  } else {
    tokenizer = Tokenizer.fit(trainingCorpus(opts.items, opts.cards), config.model.vocab_size);
    if (tokenizer.size > config.model.vocab_size)
      throw new BbioError(`tokenizer has ${tokenizer.size} tokens but model.vocab_size is ${config.model.vocab_size}`);
    model = GPT.init(config.model, seed);
    opt = new AdamW(model.params, hyper);
  }

  const trainEx = train.map((it) => encodeExample(tokenizer, it));
  const heldEx = held.map((it) => encodeExample(tokenizer, it));
  const trainLengths = trainEx.map((e) => e.input.length);
  checkFits([...trainEx, ...heldEx], config.model.block_size);
  const cardEx = (opts.cards ?? []).map((c) => encodeDocument(tokenizer, c));
  checkFits(cardEx, config.model.block_size, "a gene card");
  if (cardEx.length && s.pack_length === 0)
    throw new BbioError("SFT: gene cards need packed batches", 2, "set sft.pack_length > 0 (e.g. 128)");
  if (s.pack_length > config.model.block_size)
    throw new BbioError(`sft.pack_length ${s.pack_length} exceeds model.block_size ${config.model.block_size}`, 2, "lower sft.pack_length");
  // packed schedule: card rows and QA rows in fixed shares (pack.ts); null = one padded example per row (batch.ts)
  const schedule =
    s.pack_length > 0
      ? new PackedSchedule(
          sftStreams(
            cardEx.map((example, i) => ({ example, term: opts.cards![i].entrez == null })),
            trainEx,
            s,
          ),
          s.pack_length,
          seed,
        )
      : null;
  // whether batches read gene cards (a card stream with rows): the card-read metrics exist only then
  const readsCards = schedule?.streams.some((x) => x.name === "cards" && x.rows > 0) ?? false;

  const byVarName = new Map([...model.params].map(([spec, v]) => [v.name, spec]));
  const save = async (step: number) => {
    await saveCheckpoint(checkpointDir, {
      model,
      tokenizer,
      config,
      optimizer: await opt.state(),
      state: {
        step,
        losses,
        tokens_seen: tokensSeen,
        padded_seen: paddedSeen,
        batch_order: "pure function of (seed, step): src/sft/batch.ts batchIndices",
      },
      extra: { backend, stage: "sft", seed, n_train: train.length, n_eval: held.length },
    });
  };
  const loop = new CheckpointedLoop({
    stage: "sft",
    checkpointDir,
    resumedAt,
    maxSteps: s.max_steps,
    saveEvery: s.save_every,
    stopAfter: opts.stopAfter,
    sink,
    hasCheckpoint: () => isCheckpoint(checkpointDir),
    save,
  });
  const { start, end } = loop;

  // the capacity probe (sft.probe_every): cloze accuracy on a few value-answered knowledge items of each split
  // (probe/dev is what budgets are chosen on; probe/extraction only draws the Data page's capacity curve)
  const probeSets = (["train", "dev", "eval", "control"] as const)
    .map((split) => ({
      name: split === "eval" ? "extraction" : split === "train" ? "train_qa" : split,
      items: opts.items.filter((it) => it.split === split && it.checks.some((c) => c.name === "answer_value")).slice(0, s.probe_items),
    }))
    .filter((p) => p.items.length > 0);
  const geneCards = (opts.cards ?? []).filter((c) => c.entrez != null);
  const cardsPerGene = geneCards.length / Math.max(1, new Set(geneCards.map((c) => c.entrez)).size);
  const probe = async (step: number) => {
    if (!s.probe_every || probeSets.length === 0 || (step % s.probe_every !== 0 && step !== s.max_steps)) return;
    for (const p of probeSets) {
      let hits = 0,
        norm = 0;
      for (const c of await clozeScoresMany(model, tokenizer, p.items)) {
        hits += c?.acc ?? 0;
        norm += c?.acc_norm ?? 0;
      }
      const gen = await generatedValues(model, tokenizer, p.items);
      sink.metric(step, `probe/${p.name}`, hits / p.items.length);
      sink.metric(step, `probe/${p.name}/acc_norm`, norm / p.items.length);
      sink.metric(step, `probe/${p.name}/acc_generate`, gen.reduce((a, g) => a + (g?.correct ?? 0), 0) / p.items.length);
    }
    if (readsCards) sink.metric(step, "probe/card_reads_per_gene", schedule!.epochsRead("cards", step) * cardsPerGene);
  };
  if (start === 0) await probe(0);

  const evalStart = start === 0 ? await evalLoss(model, heldEx, s.batch_size, s.eval_batches) : NaN;
  if (start === 0 && Number.isFinite(evalStart)) sink.metric(0, "eval/loss", evalStart);

  const bar = progress("sft", end - start, { enabled: opts.progress ?? true });
  // tokens of THIS process: the throughput (a timing metric) is per process, unlike the padding share
  let tokensNow = 0,
    t0 = performance.now(),
    lastLoss = NaN;
  try {
    await loop.run(async (step) => {
      const batch = makeBatch(
        schedule ? schedule.batch(step) : batchIndices(trainEx.length, s.batch_size, seed, step, trainLengths).map((i) => trainEx[i]),
      );
      paddedSeen += batch.inputs.shape[0] * batch.inputs.shape[1];
      const lr = lrAt(step, scheduleOf(s));

      // forward + backward: loss [scalar], grads keyed by variable name → spec name
      const { value, grads } = tf.variableGrads(
        () => maskedLoss(model.forward(batch.inputs, { train: true }), batch.targets, batch.mask),
        model.variables,
      );
      const named = new Map(Object.entries(grads).map(([vn, g]) => [byVarName.get(vn)!, g]));
      const normT = clipByGlobalNorm(named, s.max_grad_norm);
      const [loss, gradNorm] = [(await value.data())[0], (await normT.data())[0]];
      value.dispose();
      normT.dispose();

      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
        for (const g of named.values()) g.dispose();
        disposeBatch(batch);
        throw new BbioError(
          `SFT stopped: loss is ${loss} (grad norm ${gradNorm}) at step ${step + 1}; the update was not applied`,
          1,
          isCheckpoint(checkpointDir)
            ? `the last good checkpoint is ${checkpointDir}; lower sft.learning_rate and resume`
            : "lower sft.learning_rate",
        );
      }
      opt.step(named, lr);
      for (const g of named.values()) g.dispose();
      tokensSeen += batch.tokens;
      tokensNow += batch.tokens;
      disposeBatch(batch);

      losses.push(loss);
      lastLoss = loss;
      const done = step + 1;
      const secs = (performance.now() - t0) / 1000;
      sink.metric(done, "train/loss", loss);
      sink.metric(done, "train/lr", lr);
      sink.metric(done, "train/grad_norm", gradNorm);
      if (done % s.log_every === 0 || done === end) {
        sink.metric(done, "train/tokens_per_s", tokensNow / secs);
        // compute spent on padding: the reason for packing (pack.ts)
        sink.metric(done, "train/padding_share", 1 - tokensSeen / paddedSeen);
        if (readsCards) sink.metric(done, "train/card_epochs", schedule!.epochsRead("cards", done));
      }
      bar.tick(1, { loss: loss.toFixed(3), "tok/s": Math.round(tokensNow / secs), "steps/s": ((done - start) / secs).toFixed(2) });

      await probe(done);
      if (done % s.eval_every === 0 && heldEx.length)
        sink.metric(done, "eval/loss", await evalLoss(model, heldEx, s.batch_size, s.eval_batches));
    });
  } finally {
    bar.stop();
  }
  const secs = (performance.now() - t0) / 1000;
  const evalEnd = await evalLoss(model, heldEx, s.batch_size, s.eval_batches);
  const result: SftResult = {
    checkpointDir,
    steps: end,
    finalLoss: lastLoss,
    evalLossStart: evalStart,
    evalLossEnd: evalEnd,
    backend,
    tokensPerSec: secs > 0 ? tokensNow / secs : 0,
    losses,
  };
  opt.dispose();
  model.dispose();
  return result;
}
