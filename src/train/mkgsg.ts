/**
 * The two things SFT, curation and evaluation need from the MKGSG stage (src/mkgsg), behind one seam:
 *   generate(kg, dataConfig, seed) → {items, ...}   and   score(item, answer, kg, {loose}) → ScoreResult.
 * Loaded lazily (src/mkgsg/index.ts, then the per-file modules), so this stage type-checks and its tests run
 * with injected fakes even before/without the generator; a missing export is one clear error.
 */
import type { KG } from "../kg/types.ts";
import type { Item, ScoreResult } from "../mkgsg/types.ts";
import { BbioError } from "../util/errors.ts";

export type Scorer = (item: Item, answer: string, kg: KG, opts?: { loose?: boolean }) => ScoreResult;
export type Generator = (kg: KG, dataConfig: unknown, seed: number, opts?: Record<string, unknown>) => { items: Item[] } | Promise<{ items: Item[] }>;

const CANDIDATES = ["../mkgsg/index.ts", "../mkgsg/score.ts", "../mkgsg/scorer.ts", "../mkgsg/generate.ts", "../mkgsg/generator.ts"];

async function findExport<T>(name: string): Promise<T> {
  for (const rel of CANDIDATES) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(/* @vite-ignore */ new URL(rel, import.meta.url).href)) as Record<string, unknown>;
    } catch (e) {
      if ((e as { code?: string }).code === "ERR_MODULE_NOT_FOUND" || /Cannot find module|Failed to load url/.test(String(e))) continue;
      throw e;
    }
    if (typeof mod[name] === "function") return mod[name] as T;
  }
  throw new BbioError(`the MKGSG stage does not export ${name}() yet (looked in src/mkgsg/index.ts and its modules)`, 2, "pass items with --items <file.jsonl>");
}

export const loadScorer = () => findExport<Scorer>("score");
export const loadGenerator = () => findExport<Generator>("generate");
