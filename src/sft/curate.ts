/**
 * Source2Synth's curation by answerability (Lupidi et al. 2024, arXiv 2409.08239, §3.2): split the synthetic training
 * set into two slices, fine-tune on slice 0, then keep a slice-1 item only if that model produces a fully correct
 * answer (scorer == 1) in at most k sampled tries; the final model is fine-tuned on slice 0 + the kept items.
 * (Source2Synth also re-generates questions — "imputation"; our prompts are template-built from the KG, so that step
 * does not apply and is not implemented.)
 *
 *   curateByAnswerability({config, items, checkpointDir | model+tokenizer, k, kg, scorer?, seed?}) → {kept, dropped}
 *   runCuratedSft({config, items, outDir, sink, kg, seed?, scorer?}) → SftResult & {curation}
 */
import { join } from "node:path";
import type { KG } from "../kg/types.ts";
import type { Item, Reject } from "../mkgsg/types.ts";
import { loadCheckpoint } from "../model/checkpoint.ts";
import type { GPT } from "../model/gpt.ts";
import { generate } from "../model/sample.ts";
import { EOS, type Tokenizer } from "../model/tokenizer.ts";
import { writeFileAtomic, toJsonl } from "../util/fsx.ts";
import { fnv1a } from "../util/rng.ts";
import type { Sink } from "../util/sink.ts";
import { BbioError } from "../util/errors.ts";
import { score } from "../mkgsg/index.ts";
import type { SftStageConfig } from "./config.ts";
import { runSft, type SftResult } from "./sft.ts";

export interface CurationResult {
  kept: Item[];
  dropped: Reject[];
}

export async function curateByAnswerability(o: {
  config: SftStageConfig;
  items: readonly Item[];
  checkpointDir?: string;
  model?: GPT;
  tokenizer?: Tokenizer;
  k?: number;
  kg: KG;
  /** rule scorer (default: MKGSG's); tests inject fakes */
  scorer?: typeof score;
  seed?: number;
}): Promise<CurationResult> {
  const c = o.config.sft.curation;
  const k = o.k ?? c.k;
  const scorer = o.scorer ?? score;
  let model = o.model,
    tok = o.tokenizer,
    owned = false;
  if (!model || !tok) {
    if (!o.checkpointDir) throw new BbioError("curateByAnswerability: give a checkpointDir or a model and tokenizer");
    const ck = await loadCheckpoint(o.checkpointDir);
    [model, tok, owned] = [ck.model, ck.tokenizer, true];
  }
  const kept: Item[] = [],
    dropped: Reject[] = [];
  try {
    const per = Math.max(1, Math.floor(c.batch_size / k)); // items per generate() call
    for (let i = 0; i < o.items.length; i += per) {
      const chunk = o.items.slice(i, i + per);
      // k rows per item (same prompt → one equal-length group); each row has its own seeded stream
      const prompts = chunk.flatMap((it) => Array.from({ length: k }, () => tok!.encodePrompt(it.prompt)));
      const g = await generate(model, prompts, {
        maxNewTokens: c.max_new_tokens,
        temperature: c.temperature,
        seed: (o.seed ?? o.config.seed) + i,
        stop: [EOS],
      });
      chunk.forEach((it, j) => {
        const scores = g.tokens.slice(j * k, (j + 1) * k).map((t) => scorer(it, tok!.decode(t.filter((x) => x !== EOS)), o.kg).score);
        if (scores.some((s) => s >= 1)) kept.push(it);
        else
          dropped.push({
            id: it.id,
            family: it.family,
            kind: it.kind,
            stage: "answerability",
            reason: "not_answered_in_k",
            detail: `best score ${Math.max(...scores).toFixed(3)} in ${k} tries`,
          });
      });
    }
  } finally {
    if (owned) model.dispose();
  }
  return { kept, dropped };
}

/** Deterministic slice of a training item: 1 with probability ≈ fraction (hash of seed and id). */
export function sliceOf(id: string, seed: number, fraction: number): 0 | 1 {
  return fnv1a(`${seed}:slice:${id}`) / 2 ** 32 < fraction ? 1 : 0;
}

/** A sink view that prefixes metric names (phase 1 of the curated run logs as "curation/phase1/..."). */
function prefixed(sink: Sink, prefix: string): Sink {
  return {
    metric: (step, name, v) => sink.metric(step, `${prefix}${name}`, v),
    rows: () => {},
    resumeFrom: () => {},
    flush: () => sink.flush(),
  };
}

export async function runCuratedSft(o: {
  config: SftStageConfig;
  items: readonly Item[];
  outDir: string;
  sink: Sink;
  kg: KG;
  seed?: number;
  scorer?: typeof score;
  progress?: boolean;
}): Promise<SftResult & { curation: { slice0: number; slice1: number; kept: number; dropped: number } }> {
  const seed = o.seed ?? o.config.seed;
  const frac = o.config.sft.curation.slice_fraction;
  const train = o.items.filter((it) => it.split === "train");
  const held = o.items.filter((it) => it.split !== "train");
  const slice0 = train.filter((it) => sliceOf(it.id, seed, frac) === 0);
  const slice1 = train.filter((it) => sliceOf(it.id, seed, frac) === 1);
  if (!slice0.length || !slice1.length)
    throw new BbioError(`curation: slice_fraction ${frac} leaves an empty slice (${slice0.length}/${slice1.length} items)`);
  process.stderr.write(`[sft] curation: phase 1 on slice 0 (${slice0.length} items); slice 1 has ${slice1.length}\n`);
  // tokenizer fitted once on what training reads (train items only), shared by both phases
  const { Tokenizer, trainingCorpus } = await import("../model/tokenizer.ts");
  const tokenizer = Tokenizer.fit(trainingCorpus(o.items), o.config.model.vocab_size);
  const phase1 = await runSft({
    config: o.config,
    items: [...slice0, ...held],
    outDir: join(o.outDir, "phase1"),
    sink: prefixed(o.sink, "curation/phase1/"),
    seed,
    tokenizer,
    progress: o.progress,
  });
  const cur = await curateByAnswerability({
    config: o.config,
    items: slice1,
    checkpointDir: phase1.checkpointDir,
    kg: o.kg,
    scorer: o.scorer,
    seed,
  });
  writeFileAtomic(join(o.outDir, "curation_dropped.jsonl"), toJsonl(cur.dropped));
  o.sink.metric(0, "curation/kept", cur.kept.length);
  o.sink.metric(0, "curation/dropped", cur.dropped.length);
  process.stderr.write(
    `[sft] curation: kept ${cur.kept.length}/${slice1.length} slice-1 items; phase 2 on ${slice0.length + cur.kept.length}\n`,
  );
  const final = await runSft({
    config: o.config,
    items: [...slice0, ...cur.kept, ...held],
    outDir: o.outDir,
    sink: o.sink,
    seed,
    tokenizer,
    progress: o.progress,
  });
  return { ...final, curation: { slice0: slice0.length, slice1: slice1.length, kept: cur.kept.length, dropped: cur.dropped.length } };
}
