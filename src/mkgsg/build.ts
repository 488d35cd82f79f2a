/**
 * Shared construction steps for the item kinds (kinds.ts): the Source2Synth "step-by-step grounded construction" —
 * MCQ option layout, the workflow layout of a gold and its workflow checks, the item id. Curation (validate.ts,
 * workflow.ts) then checks every constructed item against the KG.
 */
import type { KG } from "../kg/types.ts";
import { hashOf } from "../util/hash.ts";
import { randInt, type Rng } from "../util/rng.ts";
import type { DataConfig } from "./config.ts";
import type { KGIndex } from "./kgindex.ts";
import type { CheckSpec, Capability, Item, ItemSplit } from "./types.ts";

export interface BuildCtx {
  kg: KG;
  ix: KGIndex;
  rng: Rng;
  cfg: DataConfig;
  /** workflow constraints on (Evidence-first answers + workflow checks) */
  wf: boolean;
}

/** an item before id/split/seed are assigned */
export interface Draft {
  prompt: string;
  gold: string;
  checks: CheckSpec[];
  provenance: Item["provenance"];
  options?: string[];
}

export const LETTERS = ["A", "B", "C", "D"] as const;

/** deterministic id: family-kind-hash(prompt, gold, options); the split is the caller's (KG gene split or world role) */
export function itemOf(family: Capability, kind: string, d: Draft, seed: number, split: ItemSplit): Item {
  const h = hashOf({ p: d.prompt, g: d.gold, o: d.options ?? null }, 10);
  const item: Item = {
    id: `${family}-${kind}-${h}`,
    family,
    kind,
    split,
    prompt: d.prompt,
    gold: d.gold,
    checks: d.checks,
    provenance: d.provenance,
    seed,
  };
  if (d.options) item.options = d.options;
  return item;
}

export const label = (kg: KG, id: string) => `${id} (${kg.term(id)?.name ?? "?"})`;

/** gold placed at a random letter among shuffled distractors */
export function placeOptions(rng: Rng, correct: string, distractors: readonly string[]): { options: string[]; letter: string } {
  const ds = distractors.slice(0, 3);
  const pos = randInt(rng, 4);
  const options = [...ds.slice(0, pos), correct, ...ds.slice(pos)];
  return { options, letter: LETTERS[pos] };
}

export function mcqPrompt(question: string, options: readonly string[]): string {
  return `${question}\n${options.map((o, i) => `${LETTERS[i]}) ${o}`).join("\n")}\nAnswer with one letter.`;
}

/** the terms on any is_a/part_of path start → target (both included): the scope of a chain question */
export function pathScope(kg: KG, start: string, target: string): string[] {
  return [start, ...kg.ancestors(start)].filter((t) => kg.isA(t, target)).sort();
}

/** genes at a band whose propagated terms include `go` (Entrez order) */
export function genesAtBandWith(ctx: { kg: KG; ix: KGIndex }, band: string, go: string): number[] {
  return (ctx.ix.genesAtBand.get(band) ?? []).filter((g) => ctx.kg.propagatedTerms(g).has(go));
}

/** the direct annotations (gene, term) that put each gene under `go`: the facts a set answer rests on */
export function supportingFacts(kg: KG, ix: KGIndex, genes: readonly number[], go: string): [number, string][] {
  const facts: [number, string][] = [];
  for (const g of genes) for (const t of ix.directTerms(g)) if (kg.isA(t, go)) facts.push([g, t]);
  return facts;
}

export function evidenceOfFacts(ix: KGIndex, facts: readonly (readonly [number, string])[]): string[] {
  const s = new Set<string>();
  for (const [g, t] of facts) for (const e of ix.evidenceOf(g, t)) s.add(e);
  return [...s].sort();
}

/** workflow layout: "Evidence: <codes>" first, then the body lines (ablation off: body only) */
export function wfGold(ctx: BuildCtx, codes: readonly string[] | null, body: string): string {
  return ctx.wf && codes ? `Evidence: ${codes.join(", ")}\n${body}` : body;
}

/** the workflow answer rules for an item (empty when the ablation turns them off) */
export function wfChecks(
  ctx: BuildCtx,
  o: { facts?: readonly (readonly [number, string])[]; terms: readonly string[]; genes: readonly string[] },
): CheckSpec[] {
  if (!ctx.wf) return [];
  const out: CheckSpec[] = [];
  if (o.facts) {
    out.push({ name: "workflow_evidence_first", component: "workflow", args: {} });
    out.push({ name: "workflow_evidence_code", component: "workflow", args: { codes: evidenceOfFacts(ctx.ix, o.facts), facts: o.facts } });
  }
  out.push({ name: "workflow_in_scope", component: "workflow", args: { terms: [...o.terms], genes: [...o.genes] } });
  out.push({ name: "workflow_single_conclusion", component: "workflow", args: {} });
  return out;
}

export const uniqSorted = <T extends string | number>(xs: Iterable<T>): T[] =>
  [...new Set(xs)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
