/**
 * Evaluation on the held-out split, per capability, with the MKGSG rule-based scorer (the same function the rewards use).
 *
 *   evaluate({checkpointDir | model+tokenizer, items, kg, config, seed, sink?, scorer?, step?}) → EvalReport
 *
 * For every item: greedy answer (temperature 0, stop at EOS) → score strict and loose (IFEval's loose mode: the
 * scorer strips markdown / first-last lines). Per capability the headline `mean` (stored as metric `score`) is:
 *   knowledge    cloze accuracy, as lm-evaluation-harness scores a multiple_choice task (src/sft/cloze.ts): after the
 *                prompt and the answer's fixed prefix ("The chromosome is"), the option whose value (" 16", no EOS)
 *                has the highest summed log-likelihood is the model's choice → `acc` (the headline); the same with
 *                each sum divided by the option's length in characters → `acc_norm`. `acc_generate`: the greedy
 *                value after the same prefix is exactly the gold value. Secondary: acc_letter_loglik (the option
 *                LETTER with the highest log-likelihood), score_mean (the whole greedy answer states the gold)
 *   reasoning    mean score: content checks (chain validity, each hop's value) decide; workflow checks count only
 *                with the content right (src/mkgsg/score.ts), so another item's gold scores ~0, not 0.53
 *   instruction  IFEval prompt-level strict: every INSTRUCTION (format check) passes. Content correctness is its own
 *                metric (`content`: every knowledge check passes), never folded in. prompt_loose uses IFEval's
 *                response variants; instruction_strict/_loose are the micro-averages over instructions
 *   integration  all components pass (instructions + content + chain)       + partial credit: component/<name> means
 * With the gene world the evaluation also scores the CONTROL split (genes with neither card nor QA: guessing), stored
 * beside every metric as `control` (the headline) and `control/<metric>`, each with its interval and n.
 * Every metric gets a seeded 95% percentile-bootstrap CI (src/analysis/bootstrap.ts). Baselines: `chance` = the score
 * of a well-formed but unrelated answer (another item's gold of the same kind, seeded derangement; for MCQ also the
 * analytic 1/#options), and `untrained` = the same evaluation of a freshly initialised model with the same tokenizer.
 */
import type { EvalConfig, EvalStageConfig } from "./config.ts";
import type { KG } from "../kg/types.ts";
import type { Capability, Item, ScoreResult } from "../mkgsg/types.ts";
import { CAPABILITIES } from "../mkgsg/types.ts";
import { bootstrapCI } from "../analysis/bootstrap.ts";
import { initBackend, backendPreference } from "../model/backend.ts";
import { loadCheckpoint } from "../model/checkpoint.ts";
import { GPT } from "../model/gpt.ts";
import { bestCompletions, generate } from "../model/sample.ts";
import { EOS, type Tokenizer } from "../model/tokenizer.ts";
import { clozeScoresMany, generatedValues, valueSpec } from "../sft/cloze.ts";
import { score } from "../mkgsg/index.ts";

/** the rule scorer's signature (MKGSG's score; tests inject fakes) */
export type Scorer = typeof score;
import { BbioError } from "../util/errors.ts";
import { progress } from "../util/progress.ts";
import { fnv1a, rngFor, shuffled } from "../util/rng.ts";
import type { Sink } from "../util/sink.ts";
import { mean } from "../util/stats.ts";

export interface MetricCI {
  value: number;
  ci_lo: number;
  ci_hi: number;
  n: number;
}

export interface CapabilityReport {
  n: number;
  mean: number;
  ci_lo: number;
  ci_hi: number;
  metrics: Record<string, MetricCI>;
}

export interface ItemResult {
  id: string;
  capability: Capability;
  kind: string;
  split?: Item["split"];
  answer: string;
  score: number;
  loose: number;
  checks: ScoreResult["checks"];
  /** loose result's checks (IFEval loose: any response variant passes) */
  loose_checks?: ScoreResult["checks"];
  /** 1 when the option LETTER with the highest log-likelihood is the gold letter (MCQ items) */
  loglik_correct?: number;
  /** 1 when the option TEXT with the highest log-likelihood is the gold value (value-answered MCQ items): lm-eval acc */
  value_loglik_correct?: number;
  /** the same with log-likelihoods divided by the option's length in characters: lm-eval acc_norm */
  value_loglik_norm_correct?: number;
  /** 1 when the greedy value after the answer prefix is exactly the gold value (value-answered MCQ items) */
  generated_value_correct?: number;
  /** eval.samples > 0: the mean strict score of k sampled completions (the policy's expected reward) */
  sampled?: number;
}

export interface EvalReport {
  capabilities: Partial<Record<Capability, CapabilityReport>>;
  backend: string;
  baselines: {
    chance: Partial<Record<Capability, { mean: number; analytic?: number }>>;
    untrained?: Partial<Record<Capability, { n: number; mean: number; ci_lo: number; ci_hi: number }>>;
  };
  items: ItemResult[];
}

export interface EvaluateOptions {
  checkpointDir?: string;
  model?: GPT;
  tokenizer?: Tokenizer;
  items: readonly Item[];
  kg: KG;
  config: EvalStageConfig;
  seed?: number;
  sink?: Sink;
  /** default: src/mkgsg's score() */
  scorer?: Scorer;
  /** step recorded with the sink rows (e.g. the SFT/GRPO step of the checkpoint) */
  step?: number;
  progress?: boolean;
}

const LETTER = /^\s*\(?([A-H])\)?/;

/**
 * Items the evaluation scores: the configured split's items of eval.capabilities, at most max_items_per_family per family
 * (first ones, stable), plus — when the data has a control split and eval.split is "eval" — the control items, capped
 * the same way.
 */
export function selectItems(allItems: readonly Item[], cfg: EvalConfig): Item[] {
  const scored = new Set<string>(cfg.capabilities);
  const items = allItems.filter((it) => scored.has(it.family));
  const cap = (pool: readonly Item[]) => {
    if (!cfg.max_items_per_family) return [...pool];
    const count = new Map<Capability, number>();
    return pool.filter((it) => {
      const c = count.get(it.family) ?? 0;
      count.set(it.family, c + 1);
      return c < cfg.max_items_per_family;
    });
  };
  const main = cap(cfg.split === "all" ? items.filter((it) => it.split !== "control") : items.filter((it) => it.split === cfg.split));
  const control = cfg.split === "eval" && cfg.control !== false ? cap(items.filter((it) => it.split === "control")) : [];
  return [...main, ...control];
}

/** the instructions of an item (IFEval): its format checks; items without any are judged on all their checks */
const instructions = (checks: ScoreResult["checks"]) =>
  checks.some((c) => c.component === "format") ? checks.filter((c) => c.component === "format") : checks;
const allPass = (checks: ScoreResult["checks"]) => checks.length > 0 && checks.every((c) => c.pass);

/** Headline per-item value of a capability (see the file comment). */
export function primary(
  r: Pick<ItemResult, "capability" | "score"> & Partial<Pick<ItemResult, "checks" | "value_loglik_correct">>,
): number {
  switch (r.capability) {
    case "knowledge":
      return r.value_loglik_correct ?? r.score;
    case "instruction":
      return r.checks ? (allPass(instructions(r.checks)) ? 1 : 0) : r.score >= 1 ? 1 : 0;
    case "integration":
      return r.score >= 1 ? 1 : 0;
    default:
      return r.score;
  }
}

/** All per-item metric columns of one result: name → value (absent when not applicable). */
export function metricValues(r: ItemResult): Record<string, number> {
  const inst = instructions(r.checks);
  const looseInst = r.loose_checks ? instructions(r.loose_checks) : null;
  const m: Record<string, number> = {
    score_mean: r.score,
    loose_score_mean: r.loose,
    all_components: r.score >= 1 ? 1 : 0,
    prompt_strict: inst.length ? (allPass(inst) ? 1 : 0) : r.score >= 1 ? 1 : 0,
    prompt_loose: looseInst?.length ? (allPass(looseInst) ? 1 : 0) : r.loose >= 1 ? 1 : 0,
    instruction_strict: inst.length ? inst.filter((c) => c.pass).length / inst.length : r.score,
  };
  if (looseInst?.length) m.instruction_loose = looseInst.filter((c) => c.pass).length / looseInst.length;
  const content = r.checks.filter((c) => c.component === "knowledge" || c.component === "reasoning");
  if (content.length) m.content = allPass(content) ? 1 : 0;
  if (r.capability === "knowledge") m.acc_generate = r.generated_value_correct ?? r.score;
  if (r.loglik_correct !== undefined) m.acc_letter_loglik = r.loglik_correct;
  if (r.value_loglik_correct !== undefined) m.acc = r.value_loglik_correct;
  if (r.value_loglik_norm_correct !== undefined) m.acc_norm = r.value_loglik_norm_correct;
  if (r.sampled !== undefined) m.sampled = r.sampled;
  const comps = new Map<string, boolean[]>();
  for (const c of r.checks) {
    m[`check/${c.name}`] = c.pass ? 1 : 0;
    comps.set(c.component, [...(comps.get(c.component) ?? []), c.pass]);
  }
  for (const [comp, passes] of comps) m[`component/${comp}`] = passes.filter(Boolean).length / passes.length;
  return m;
}

/**
 * Aggregate item results into per-capability reports with bootstrap CIs. Control-split results (gene world) do not enter
 * the headline: they become `control` (their headline) and `control/<metric>` beside it.
 */
export function summarize(results: readonly ItemResult[], cfg: EvalConfig, seed: number): Partial<Record<Capability, CapabilityReport>> {
  const out: Partial<Record<Capability, CapabilityReport>> = {};
  const ci = (xs: number[]): MetricCI => {
    const c = bootstrapCI(xs, { resamples: cfg.bootstrap_resamples, level: cfg.ci_level, seed });
    return { value: c.estimate, ci_lo: c.lo, ci_hi: c.hi, n: xs.length };
  };
  const columns = (rs: readonly ItemResult[]) => {
    const cols = new Map<string, number[]>();
    for (const r of rs) for (const [k, v] of Object.entries(metricValues(r))) cols.set(k, [...(cols.get(k) ?? []), v]);
    return [...cols].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  };
  for (const capability of CAPABILITIES) {
    const rs = results.filter((r) => r.capability === capability && r.split !== "control");
    if (rs.length === 0) continue;
    const head = ci(rs.map(primary));
    const metrics: Record<string, MetricCI> = {};
    for (const [k, xs] of columns(rs)) metrics[k] = ci(xs);
    const control = results.filter((r) => r.capability === capability && r.split === "control");
    if (control.length) {
      metrics.control = ci(control.map(primary));
      for (const [k, xs] of columns(control)) metrics[`control/${k}`] = ci(xs);
    }
    out[capability] = { n: rs.length, mean: head.value, ci_lo: head.ci_lo, ci_hi: head.ci_hi, metrics };
  }
  return out;
}

/** new-token budget for answering the items: eval.max_new_tokens, capped at the longest gold answer + 16 tokens */
function answerBudget(tok: Tokenizer, items: readonly Item[], cfg: EvalConfig): number {
  const longestGold = Math.max(...items.map((it) => tok.encodeCompletion(it.gold).length));
  return Math.min(cfg.max_new_tokens, longestGold + 16);
}

/** Greedy answers for the items, in item order. */
async function answers(
  model: GPT,
  tok: Tokenizer,
  items: readonly Item[],
  cfg: EvalConfig,
  label: string,
  showProgress: boolean,
): Promise<string[]> {
  const maxNew = answerBudget(tok, items, cfg);
  const out: string[] = [];
  const bar = progress(label, items.length, { enabled: showProgress });
  for (let i = 0; i < items.length; i += cfg.batch_size) {
    const chunk = items.slice(i, i + cfg.batch_size);
    const g = await generate(
      model,
      chunk.map((it) => tok.encodePrompt(it.prompt)),
      { maxNewTokens: maxNew, temperature: 0, stop: [EOS] },
    );
    for (const t of g.tokens) out.push(tok.decode(t.filter((x) => x !== EOS)));
    bar.tick(chunk.length);
  }
  bar.stop();
  return out;
}

/**
 * eval.samples completions per item at eval.sample_temperature, each scored strictly: per item the mean score, i.e.
 * an unbiased estimate of the policy's expected reward on that prompt. Seeded by the evaluation seed.
 */
async function sampledScores(
  model: GPT,
  tok: Tokenizer,
  items: readonly Item[],
  cfg: EvalConfig,
  o: EvaluateOptions,
  scorer: Scorer,
  seed: number,
): Promise<number[]> {
  const k = cfg.samples;
  const maxNew = answerBudget(tok, items, cfg);
  const flat = items.flatMap((it) => Array.from({ length: k }, () => it));
  const totals = new Array<number>(items.length).fill(0);
  for (let i = 0; i < flat.length; i += cfg.batch_size) {
    const chunk = flat.slice(i, i + cfg.batch_size);
    const g = await generate(
      model,
      chunk.map((it) => tok.encodePrompt(it.prompt)),
      {
        maxNewTokens: maxNew,
        temperature: cfg.sample_temperature,
        seed: fnv1a(`${seed}:eval:sample:${i}`),
        stop: [EOS],
      },
    );
    g.tokens.forEach((t, j) => (totals[Math.floor((i + j) / k)] += scorer(chunk[j], tok.decode(t.filter((x) => x !== EOS)), o.kg).score));
  }
  return totals.map((t) => t / k);
}

/**
 * MCQ items: does the highest-likelihood option LETTER, and (value-answered items) the highest-likelihood option TEXT,
 * hit the gold? Every item's options are scored together, batchSize rows per forward.
 */
async function loglikCorrect(
  model: GPT,
  tok: Tokenizer,
  items: readonly Item[],
  batchSize: number,
): Promise<{ letter?: number; value?: number; valueNorm?: number }[]> {
  const letterQuestions: { at: number; gold: string; letters: string[] }[] = [];
  items.forEach((item, at) => {
    if (!item.options?.length) return;
    const letters = "ABCDEFGH".slice(0, item.options.length).split("");
    const value = valueSpec(item)?.value;
    const gold = value !== undefined ? letters[item.options.indexOf(value)] : LETTER.exec(item.gold)?.[1];
    if (gold) letterQuestions.push({ at, gold, letters });
  });
  const picks = await bestCompletions(
    model,
    tok,
    letterQuestions.map((q) => ({ prompt: items[q.at].prompt, completions: q.letters })),
    batchSize,
  );
  const cloze = await clozeScoresMany(model, tok, items, batchSize);
  const out: { letter?: number; value?: number; valueNorm?: number }[] = items.map((_, i) => {
    const c = cloze[i];
    return c ? { value: c.acc, valueNorm: c.acc_norm } : {};
  });
  letterQuestions.forEach((q, k) => (out[q.at].letter = q.letters[picks[k]] === q.gold ? 1 : 0));
  return out;
}

/** Chance: score each item against another item's gold of the same kind (seeded derangement within kind). */
function chance(allItems: readonly Item[], kg: KG, scorer: Scorer, seed: number): EvalReport["baselines"]["chance"] {
  const items = allItems.filter((it) => it.split !== "control");
  const byKind = new Map<string, Item[]>();
  for (const it of items) byKind.set(`${it.family}/${it.kind}`, [...(byKind.get(`${it.family}/${it.kind}`) ?? []), it]);
  const vals = new Map<Capability, number[]>();
  const analytic = new Map<Capability, number[]>();
  for (const [key, group] of byKind) {
    const order = shuffled(rngFor(seed, `chance:${key}`), group);
    order.forEach((it, i) => {
      const other = order.length > 1 ? order[(i + 1) % order.length] : undefined; // a cycle: never its own gold
      const r = other ? scorer(it, other.gold, kg) : { score: 0, checks: [] };
      vals.set(it.family, [...(vals.get(it.family) ?? []), primary({ capability: it.family, score: r.score, checks: r.checks })]);
      if (it.options?.length) analytic.set(it.family, [...(analytic.get(it.family) ?? []), 1 / it.options.length]);
    });
  }
  const out: EvalReport["baselines"]["chance"] = {};
  for (const [f, xs] of vals) out[f] = { mean: mean(xs), ...(analytic.has(f) ? { analytic: mean(analytic.get(f)!) } : {}) };
  return out;
}

async function scoreModel(model: GPT, tok: Tokenizer, items: readonly Item[], o: EvaluateOptions, scorer: Scorer, label: string) {
  const cfg = o.config.eval;
  const ans = await answers(model, tok, items, cfg, label, o.progress ?? true);
  const sampled = cfg.samples > 0 ? await sampledScores(model, tok, items, cfg, o, scorer, o.seed ?? o.config.seed) : null;
  const genValues = await generatedValues(model, tok, items, { batchSize: cfg.batch_size });
  const logliks = await loglikCorrect(model, tok, items, cfg.batch_size);
  const results: ItemResult[] = [];
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    const strict = scorer(it, ans[i], o.kg);
    const loose = scorer(it, ans[i], o.kg, { loose: true });
    const ll = logliks[i];
    results.push({
      id: it.id,
      capability: it.family,
      kind: it.kind,
      split: it.split,
      answer: ans[i],
      score: strict.score,
      loose: loose.score,
      checks: strict.checks,
      loose_checks: loose.checks,
      ...(ll.letter !== undefined ? { loglik_correct: ll.letter } : {}),
      ...(ll.value !== undefined ? { value_loglik_correct: ll.value } : {}),
      ...(ll.valueNorm !== undefined ? { value_loglik_norm_correct: ll.valueNorm } : {}),
      ...(genValues[i] ? { generated_value_correct: genValues[i]!.correct } : {}),
      ...(sampled ? { sampled: sampled[i] } : {}),
    });
  }
  return { results, capabilities: summarize(results, cfg, o.seed ?? o.config.seed) };
}

export async function evaluate(o: EvaluateOptions): Promise<EvalReport> {
  const backend = await initBackend(backendPreference(o.config.backend));
  const seed = o.seed ?? o.config.seed;
  const scorer = o.scorer ?? score;
  let model = o.model,
    tok = o.tokenizer,
    owned = false;
  if (!model || !tok) {
    if (!o.checkpointDir) throw new BbioError("evaluate: give a checkpointDir or a model and tokenizer");
    const ck = await loadCheckpoint(o.checkpointDir);
    model = ck.model;
    tok = ck.tokenizer;
    owned = true;
  }
  const items = selectItems(o.items, o.config.eval);
  if (items.length === 0) throw new BbioError(`evaluate: no items in split "${o.config.eval.split}"`);
  try {
    const { results, capabilities } = await scoreModel(model, tok, items, o, scorer, "eval");
    const report: EvalReport = { capabilities, backend, baselines: { chance: chance(items, o.kg, scorer, seed) }, items: results };
    if (o.config.eval.untrained_baseline) {
      const fresh = GPT.init(model.config, seed);
      try {
        const u = await scoreModel(fresh, tok, items, o, scorer, "eval (untrained baseline)");
        report.baselines.untrained = Object.fromEntries(
          Object.entries(u.capabilities).map(([f, r]) => [f, { n: r!.n, mean: r!.mean, ci_lo: r!.ci_lo, ci_hi: r!.ci_hi }]),
        );
      } finally {
        fresh.dispose();
      }
    }
    if (o.sink) {
      const step = o.step ?? 0;
      const rows: Record<string, unknown>[] = [];
      for (const [capability, r] of Object.entries(report.capabilities)) {
        rows.push({ step, capability, metric: "score", value: r!.mean, ci_lo: r!.ci_lo, ci_hi: r!.ci_hi, n: r!.n });
        for (const [metric, m] of Object.entries(r!.metrics))
          rows.push({ step, capability, metric, value: m.value, ci_lo: m.ci_lo, ci_hi: m.ci_hi, n: m.n });
        const c = report.baselines.chance[capability as Capability];
        if (c) rows.push({ step, capability, metric: "baseline/chance", value: c.mean, ci_lo: null, ci_hi: null, n: r!.n });
        const u = report.baselines.untrained?.[capability as Capability];
        if (u) rows.push({ step, capability, metric: "baseline/untrained", value: u.mean, ci_lo: u.ci_lo, ci_hi: u.ci_hi, n: u.n });
      }
      o.sink.rows("evals", rows);
      o.sink.rows(
        "eval_items",
        report.items.map((r) => ({
          step,
          item_id: r.id,
          capability: r.capability,
          kind: r.kind,
          split: r.split ?? null,
          value: primary(r),
          partial: r.score,
        })),
      );
      for (const [capability, r] of Object.entries(report.capabilities)) o.sink.metric(step, `eval/${capability}/mean`, r!.mean);
      await o.sink.flush();
    }
    return report;
  } finally {
    if (owned) model.dispose();
  }
}
