/**
 * The pipeline's RM stage: preference pairs → Bradley–Terry training from the SFT checkpoint → held-out evaluation and
 * the noise moments of the minimum-variance α (docs/method.md §4.2) the GRPO stage mixes with.
 */
import * as tf from "@tensorflow/tfjs";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { KG } from "../../kg/types.ts";
import { score as ruleScore } from "../../mkgsg/score.ts";
import { CAPABILITIES, type Item } from "../../mkgsg/types.ts";
import { backendPreference, initBackend } from "../../model/backend.ts";
import { isCheckpoint, loadCheckpoint, type OptimizerState } from "../../model/checkpoint.ts";
import { AdamW, adamwHyper, CheckpointedLoop, clipByGlobalNorm, lrAt, scheduleOf, type TrainingRunOptions } from "../../optim/index.ts";
import { BbioError } from "../../util/errors.ts";
import { toJsonl, writeFileAtomic } from "../../util/fsx.ts";
import { progress } from "../../util/progress.ts";
import { fnv1a, rngFor, shuffled } from "../../util/rng.ts";
import { mean } from "../../util/stats.ts";
import type { RmStageConfig } from "../config.ts";
import { buildPairs, countBy, type Pair } from "../pairs.ts";
import { estimateNoise, minVarianceAlpha } from "../../weighting/min_variance_alpha.ts";
import { BtRewardModel, btLoss, isRewardModelDir, loadRewardModelFull, saveRewardModel, sigmoid } from "./model.ts";
import { groupAcc, pairAcc, pairRewards } from "./pairs_eval.ts";

export interface RmStageOptions extends TrainingRunOptions {
  config: RmStageConfig;
  items: Item[];
  /** the SFT checkpoint directory (or the SFT stage directory holding checkpoint/) */
  sftCheckpointDir: string;
  seed: number;
  kg: KG;
  log: (m: string) => void;
}

export interface RmStageResult {
  pairsPath: string;
  rmDir: string;
  /** held-out pairwise accuracy: fraction of eval pairs with r(chosen) > r(rejected) (ties count ½); NaN without eval pairs */
  evalAccuracy: number;
  /** the same on (at most rm.train_eval_pairs) training pairs, after training */
  trainAccuracy: number;
  steps: number;
  seconds: number;
  backend: string;
}

export interface NoiseEntry {
  sigmaRule2: number;
  sigmaRm2: number;
  rho: number;
  n: number;
  /** minimum-variance α* from these moments (rule weight in r_c = α r_rule + (1−α) r_RM) */
  alpha: number;
}

/** an SFT checkpoint dir, or a stage dir holding checkpoint/ */
export function resolveSftCheckpoint(dir: string): string {
  if (isCheckpoint(dir)) return dir;
  if (isCheckpoint(join(dir, "checkpoint"))) return join(dir, "checkpoint");
  throw new BbioError(`${dir}: not an SFT checkpoint directory (needs config.json and weights.bin)`, 2, "train one with: bbio train-sft");
}

/**
 * One epoch's batches of pair indices, length-bucketed: a seeded shuffle of the pairs, cut into windows of 8 batches,
 * sorted by length inside each window (far less padding than random batches), cut into batches of B, the batches
 * shuffled. The ragged tail is dropped. Pure function of (lengths, B, seed, epoch), so a resumed run sees the same order.
 */
export function pairBatches(lengths: readonly number[], B: number, seed: number, epoch: number): number[][] {
  const n = lengths.length;
  const b = Math.min(B, n);
  const order = shuffled(
    rngFor(seed, `rm-epoch:${epoch}`),
    Array.from({ length: n }, (_, i) => i),
  );
  const W = b * 8;
  const batches: number[][] = [];
  for (let w = 0; w < n; w += W) {
    const win = order.slice(w, w + W).sort((x, y) => lengths[x] - lengths[y] || x - y);
    for (let i = 0; i + b <= win.length; i += b) batches.push(win.slice(i, i + b));
  }
  if (batches.length === 0) batches.push(order.slice(0, b));
  return shuffled(rngFor(seed, `rm-epoch-batches:${epoch}`), batches);
}

/**
 * The pipeline's RM stage: pairs → Bradley–Terry training from the SFT checkpoint → held-out evaluation + the noise of the minimum-variance α.
 * Writes <outDir>/pairs.jsonl, <outDir>/rm/ (loadRewardModel) and <outDir>/result.json.
 */
export async function runRmStage(o: RmStageOptions): Promise<RmStageResult> {
  const t0 = performance.now();
  const { config, sink } = o;
  const c = config.rm;
  const backend = await initBackend(backendPreference(config.backend));
  mkdirSync(o.outDir, { recursive: true });

  // --- pairs (deterministic; rebuilt identically on resume)
  const pstats = { itemsWithoutPairs: [] as string[] };
  const pairs = buildPairs(o.items, o.kg, { pairsPerItem: c.pairs_per_item, seed: o.seed, corruptions: c.corruptions }, pstats);
  const pairsPath = join(o.outDir, "pairs.jsonl");
  writeFileAtomic(pairsPath, toJsonl(pairs));
  // train pairs split by item: most train the RM; a seeded share (rm.alpha_holdout) is held out to estimate the minimum-variance α
  // noise and α on. Eval-split pairs only ever measure the RM's held-out accuracy.
  const alphaItem = (id: string) => fnv1a(`${o.seed}:rm-alpha:${id}`) / 2 ** 32 < c.alpha_holdout;
  const trainPairs = pairs.filter((p) => p.split === "train" && !alphaItem(p.item_id));
  const alphaPairs = pairs.filter((p) => p.split === "train" && alphaItem(p.item_id));
  const heldPairs = pairs.filter((p) => p.split === "eval");
  o.log(`${pairs.length} pairs (${trainPairs.length} train, ${heldPairs.length} held-out) from ${o.items.length} items`);
  if (trainPairs.length === 0)
    throw new BbioError(
      "rm: no training pairs (no train-split items, or no corruption applied to them)",
      2,
      "check the items and rm.corruptions",
    );

  // --- model: resumed, or SFT transformer + fresh head
  const rmDir = join(o.outDir, "rm");
  let rm: BtRewardModel, resumedAt: number | undefined, optState: OptimizerState | undefined;
  if (o.resume && isRewardModelDir(rmDir)) {
    const l = await loadRewardModelFull(rmDir, config.model, o.seed);
    [rm, resumedAt, optState] = [l.rm, l.step, l.optimizer];
  } else {
    const ck = await loadCheckpoint(resolveSftCheckpoint(o.sftCheckpointDir), { expect: config.model, seed: o.seed });
    rm = new BtRewardModel(ck.model, ck.tokenizer, BtRewardModel.initHead(ck.modelConfig.n_embd, c.head_init_std, o.seed));
  }
  const params = rm.params;
  const opt = new AdamW(params, adamwHyper(c));
  if (optState) opt.load(optState);

  try {
    // --- encode; pairs that do not fit the context are skipped (counted)
    const byId = new Map(o.items.map((it) => [it.id, it]));
    const T = config.model.block_size;
    let skipped = 0;
    const encodeAll = (ps: readonly Pair[]) =>
      ps.flatMap((pair) => {
        const item = byId.get(pair.item_id)!;
        const e = { pair, item, c: rm.sequence(item.prompt, pair.chosen), r: rm.sequence(item.prompt, pair.rejected) };
        if (e.c.length > T || e.r.length > T) return (skipped++, []);
        return [e];
      });
    const trainEx = encodeAll(trainPairs);
    const heldEx = encodeAll(heldPairs);
    const alphaEx = encodeAll(alphaPairs);
    if (skipped) o.log(`${skipped} pairs longer than block_size ${T} skipped`);
    if (trainEx.length === 0)
      throw new BbioError(`rm: every training pair is longer than model.block_size ${T}`, 2, "raise model.block_size");
    const heldProbe = shuffled(rngFor(o.seed, "rm:eval-probe"), heldEx).slice(0, c.eval_max_pairs);
    const probeAcc = async () => {
      if (heldProbe.length === 0) return NaN;
      const { rc, rr } = await pairRewards(rm, heldProbe, c.score_batch_size);
      return mean(rc.map((x, i) => pairAcc(x, rr[i])));
    };

    // --- training
    const lengths = trainEx.map((e) => Math.max(e.c.length, e.r.length));
    const epochs = new Map<number, number[][]>();
    const batchAt = (step: number): number[] => {
      // every epoch has the same number of batches (the window/tail structure depends only on n and B)
      const perEpoch = (epochs.get(0) ?? epochs.set(0, pairBatches(lengths, c.batch_size, o.seed, 0)).get(0)!).length;
      const e = Math.floor(step / perEpoch);
      if (!epochs.has(e)) epochs.set(e, pairBatches(lengths, c.batch_size, o.seed, e));
      return epochs.get(e)![step % perEpoch];
    };
    const vars = [...params.values()];
    const byVarName = new Map([...params].map(([name, v]) => [v.name, name]));
    const save = async (step: number) => {
      await saveRewardModel(rmDir, rm, {
        optimizer: await opt.state(),
        step,
        config,
        meta: {
          seed: o.seed,
          max_steps: c.max_steps,
          backend,
          sft_checkpoint: o.sftCheckpointDir,
          n_train_pairs: trainEx.length,
          n_eval_pairs: heldEx.length,
        },
      });
    };
    const loop = new CheckpointedLoop({
      stage: "rm",
      checkpointDir: rmDir,
      resumedAt,
      maxSteps: c.max_steps,
      saveEvery: c.save_every,
      stopAfter: o.stopAfter,
      sink,
      hasCheckpoint: () => isRewardModelDir(rmDir),
      save,
      log: o.log,
    });
    const { start, end } = loop;
    const bar = progress("rm", end - start, { enabled: o.progress ?? true });
    try {
      await loop.run(async (step) => {
        const idx = batchAt(step);
        const B = idx.length;
        const seqs = [...idx.map((i) => trainEx[i].c), ...idx.map((i) => trainEx[i].r)];
        const lr = lrAt(step, scheduleOf(c));
        let rKept: tf.Tensor1D | null = null;
        const { value, grads } = tf.variableGrads(() => {
          const r = rm.rewardTensor(seqs, true); // [2B]: chosen rows, then rejected rows
          rKept = tf.keep(r);
          return btLoss(tf.slice(r, [0], [B]) as tf.Tensor1D, tf.slice(r, [B], [B]) as tf.Tensor1D);
        }, vars);
        const named = new Map(Object.entries(grads).map(([vn, g]) => [byVarName.get(vn)!, g]));
        const normT = clipByGlobalNorm(named, c.max_grad_norm);
        const loss = (await value.data())[0],
          gradNorm = (await normT.data())[0];
        const r = await rKept!.data();
        for (const t of [value, normT, rKept!]) t.dispose();
        if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
          for (const g of named.values()) g.dispose();
          throw new BbioError(
            `RM training stopped: loss is ${loss} (grad norm ${gradNorm}) at step ${step + 1}; the update was not applied`,
            1,
            "lower rm.learning_rate",
          );
        }
        opt.step(named, lr);
        for (const g of named.values()) g.dispose();
        let acc = 0;
        for (let i = 0; i < B; i++) acc += pairAcc(r[i], r[B + i]);
        acc /= B;

        const done = step + 1;
        sink.metric(done, "rm/loss", loss);
        sink.metric(done, "rm/accuracy", acc);
        sink.metric(done, "rm/lr", lr);
        sink.metric(done, "rm/grad_norm", gradNorm);
        if (done % c.eval_every === 0 && done !== end) {
          const ea = await probeAcc();
          if (Number.isFinite(ea)) sink.metric(done, "rm/eval_accuracy", ea);
        }
        bar.tick(1, { loss: loss.toFixed(3), acc: acc.toFixed(2) });
        if (done % c.log_every === 0 && !(process.stderr.isTTY && (o.progress ?? true)))
          o.log(`step ${done}/${c.max_steps} loss ${loss.toFixed(4)} acc ${acc.toFixed(2)}`);
      });
    } finally {
      bar.stop();
    }

    // --- final evaluation: every held-out pair, a seeded subset of train pairs
    const held = heldEx.length
      ? await pairRewards(rm, heldEx, c.score_batch_size)
      : { rc: [], rr: [], byAnswer: new Map<string, number>() };
    const heldAcc = held.rc.map((x, i) => pairAcc(x, held.rr[i]));
    const evalAccuracy = mean(heldAcc);
    const trainProbe = shuffled(rngFor(o.seed, "rm:train-probe"), trainEx).slice(0, c.train_eval_pairs);
    const tr = await pairRewards(rm, trainProbe, c.score_batch_size);
    const trainAccuracy = mean(tr.rc.map((x, i) => pairAcc(x, tr.rr[i])));
    const accBy = (key: "family" | "corruption") => groupAcc(heldEx, heldAcc, key);

    // --- noise for the minimum-variance α per capability on the TRAIN hold-out's answers (never eval pairs): latent quality 1 for the gold,
    // 0 for a corrupted answer
    const alphaScored = alphaEx.length
      ? await pairRewards(rm, alphaEx, c.score_batch_size)
      : { rc: [], rr: [], byAnswer: new Map<string, number>() };
    const noise: Record<string, NoiseEntry | null> = {};
    for (const capability of CAPABILITIES) {
      const seen = new Set<string>();
      const rule: number[] = [],
        rmS: number[] = [],
        gold: number[] = [];
      for (const e of alphaEx.filter((x) => x.item.family === capability))
        for (const ans of [e.pair.chosen, e.pair.rejected]) {
          const k = `${e.item.id}\u0000${ans}`;
          if (seen.has(k)) continue;
          seen.add(k);
          rule.push(ruleScore(e.item, ans, o.kg).score);
          rmS.push(sigmoid(alphaScored.byAnswer.get(k)!));
          gold.push(ans === e.item.gold ? 1 : 0);
        }
      if (gold.length < 2) {
        noise[capability] = null;
        continue;
      }
      const ns = estimateNoise(rule, rmS, gold, c.noise_moments);
      noise[capability] = { sigmaRule2: ns.sigmaRule2, sigmaRm2: ns.sigmaRm2, rho: ns.rho, n: ns.n, alpha: minVarianceAlpha(ns).alpha };
    }

    const steps = Math.max(end, start);
    if (Number.isFinite(evalAccuracy)) sink.metric(steps, "rm/eval_accuracy", evalAccuracy);
    sink.metric(steps, "rm/train_accuracy", trainAccuracy);
    for (const [capability, v] of Object.entries(accBy("family"))) sink.metric(steps, `rm/eval_accuracy/${capability}`, v.accuracy);
    for (const [capability, v] of Object.entries(noise)) if (v) sink.metric(steps, `rm/alpha/${capability}`, v.alpha);
    await sink.flush();

    const seconds = (performance.now() - t0) / 1000;
    const result = {
      backend,
      seed: o.seed,
      steps,
      seconds,
      evalAccuracy: Number.isFinite(evalAccuracy) ? evalAccuracy : null,
      trainAccuracy,
      evalAccuracyByFamily: accBy("family"),
      evalAccuracyByCorruption: accBy("corruption"),
      counts: {
        items: o.items.length,
        pairs: { train: trainPairs.length, alpha_holdout: alphaPairs.length, eval: heldPairs.length },
        byFamily: { train: countBy(trainPairs, "family"), eval: countBy(heldPairs, "family") },
        byCorruption: { train: countBy(trainPairs, "corruption"), eval: countBy(heldPairs, "corruption") },
        itemsWithoutPairs: pstats.itemsWithoutPairs.length,
        skippedTooLong: skipped,
      },
      noiseMoments: c.noise_moments,
      noise,
    };
    writeFileAtomic(join(o.outDir, "result.json"), JSON.stringify(result, null, 1) + "\n");
    o.log(
      `held-out pairwise accuracy ${Number.isFinite(evalAccuracy) ? evalAccuracy.toFixed(3) : "n/a"} (${heldEx.length} pairs), train ${trainAccuracy.toFixed(3)}, ${seconds.toFixed(1)} s on ${backend}`,
    );
    return { pairsPath, rmDir, evalAccuracy, trainAccuracy, steps, seconds, backend };
  } finally {
    opt.dispose();
    rm.dispose();
  }
}
