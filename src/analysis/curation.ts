/**
 * The Data page's counts and MKGSG curation funnel: generated candidates → passed each validator stage → kept.
 * Each rejected candidate is counted at the stage that rejected it.
 */

import { REJECT_STAGES } from "../util/reject_stages.ts";

/** the validator stages in the order they run (MKGSG's one list); an unknown stage comes last */
export const VALIDATOR_STAGES: readonly string[] = REJECT_STAGES;

/** [{key, n}] per distinct value of `key`, keys sorted ascending */
export function countsBy<T>(xs: readonly T[], key: (x: T) => string): { key: string; n: number }[] {
  const m = new Map<string, number>();
  for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return [...m].map(([k, n]) => ({ key: k, n })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** the funnel's bars: generated, then what passed each stage that rejected something, then kept */
export function curationFunnel(kept: number, rejects: readonly { stage: string }[]): { step: string; n: number }[] {
  const stages = [...new Set(rejects.map((d) => d.stage))].sort(
    (a, b) => (VALIDATOR_STAGES.indexOf(a) + 1 || 99) - (VALIDATOR_STAGES.indexOf(b) + 1 || 99),
  );
  let n = kept + rejects.length;
  const steps = [{ step: "generated", n }];
  for (const s of stages) {
    n -= rejects.filter((d) => d.stage === s).length;
    steps.push({ step: `passed ${s}`, n });
  }
  steps.push({ step: "kept", n: kept });
  return steps;
}

/** reject reasons ("stage: reason") by count, most frequent first (ties alphabetically) */
export const rejectReasons = (rejects: readonly { stage: string; reason: string }[]): { key: string; n: number }[] =>
  countsBy(rejects, (d) => `${d.stage}: ${d.reason}`).sort((a, b) => b.n - a.n);
