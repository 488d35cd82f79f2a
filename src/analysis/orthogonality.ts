/**
 * Aggregates for the orthogonality page, computed from the store's long-format grad_gram rows
 * ({step, capability_i, capability_j, dot, cos}): per capability pair, the time-averaged cosine, the conflict ratio
 * (fraction of steps with cos < 0, docs/method.md §8.3) and the mean |cos| (distance from orthogonality).
 */

import { fractionInsideBand, nullCosineBand } from "./null_cosine.ts";

export interface GramRow {
  step: number;
  capability_i: string;
  capability_j: string;
  cos: number;
}

export interface PairStats {
  capability_i: string;
  capability_j: string;
  steps: number;
  meanCos: number;
  meanAbsCos: number;
  conflictRatio: number;
  /** steps with cos < 0 and with cos > 0 (exact zeros are neither: the sign test leaves them out) */
  negative: number;
  positive: number;
}

export function pairStats(rows: readonly GramRow[]): PairStats[] {
  const acc = new Map<string, { capability_i: string; capability_j: string; n: number; s: number; a: number; c: number; pos: number }>();
  for (const r of rows) {
    if (r.capability_i === r.capability_j || !Number.isFinite(r.cos)) continue;
    const [a, b] = r.capability_i < r.capability_j ? [r.capability_i, r.capability_j] : [r.capability_j, r.capability_i];
    const k = `${a}\u0000${b}`;
    const e = acc.get(k) ?? { capability_i: a, capability_j: b, n: 0, s: 0, a: 0, c: 0, pos: 0 };
    e.n++;
    e.s += r.cos;
    e.a += Math.abs(r.cos);
    e.c += r.cos < 0 ? 1 : 0;
    e.pos += r.cos > 0 ? 1 : 0;
    acc.set(k, e);
  }
  return [...acc.values()].map((e) => ({
    capability_i: e.capability_i,
    capability_j: e.capability_j,
    steps: e.n,
    meanCos: e.s / e.n,
    meanAbsCos: e.a / e.n,
    conflictRatio: e.c / e.n,
    negative: e.c,
    positive: e.pos,
  }));
}

/** a Gram row with its run and the dot product (the diagonal capability_i = capability_j carries the squared norm) */
export interface RunGramRow extends GramRow {
  run_id: string;
  dot?: number | null;
}

/**
 * Gradient-magnitude similarity per capability pair, averaged over steps (Yu et al. 2020, Gradient Surgery, §3):
 * GMS = 2‖g_i‖‖g_j‖ / (‖g_i‖² + ‖g_j‖²), with the norms² from the Gram diagonal; a step where either norm is 0 is
 * skipped. → "capability_i|capability_j" → {sum, n}
 */
export function gradientMagnitudeSimilarity(rows: readonly RunGramRow[]): Map<string, { sum: number; n: number }> {
  const acc = new Map<string, { sum: number; n: number }>();
  const bySteps = new Map<number, RunGramRow[]>();
  for (const d of rows) bySteps.set(d.step, [...(bySteps.get(d.step) ?? []), d]);
  for (const at of bySteps.values()) {
    const n2 = new Map(at.filter((d) => d.capability_i === d.capability_j).map((d) => [d.capability_i, d.dot]));
    for (const d of at) {
      if (!(d.capability_i < d.capability_j)) continue;
      const a = n2.get(d.capability_i),
        b = n2.get(d.capability_j);
      if (!(a! > 0 && b! > 0)) continue;
      const k = `${d.capability_i}|${d.capability_j}`;
      const e = acc.get(k) ?? { sum: 0, n: 0 };
      e.sum += (2 * Math.sqrt(a! * b!)) / (a! + b!);
      e.n++;
      acc.set(k, e);
    }
  }
  return acc;
}

/**
 * One run's pair statistics as the Orthogonality page's table shows them: mean cos, mean |cos|, conflict ratio, GMS,
 * the steps with a cosine and those without a gradient (no cosine: either capability's gradient was exactly 0).
 */
export function pairTable(rows: readonly RunGramRow[], run: { name: string; method: string }): Record<string, string | number>[] {
  const g = gradientMagnitudeSimilarity(rows);
  const allSteps = new Map<string, Set<number>>();
  for (const d of rows)
    if (d.capability_i < d.capability_j)
      allSteps.set(`${d.capability_i}|${d.capability_j}`, (allSteps.get(`${d.capability_i}|${d.capability_j}`) ?? new Set()).add(d.step));
  return pairStats(rows.filter((d) => d.capability_i < d.capability_j)).map((p) => {
    const k = `${p.capability_i}|${p.capability_j}`;
    return {
      run: run.name,
      method: run.method,
      pair: `${p.capability_i} · ${p.capability_j}`,
      "mean cos": p.meanCos,
      "mean |cos|": p.meanAbsCos,
      "conflict ratio": p.conflictRatio,
      GMS: (g.get(k) ?? { sum: NaN, n: 1 }).sum / (g.get(k)?.n ?? 1),
      steps: p.steps,
      "no gradient": allSteps.get(k)!.size - p.steps,
    };
  });
}

/** the conflict ratio and mean |cos| of each capability pair, averaged over the runs of each method (in first-seen order) */
export function methodConflict(
  runs: readonly { id: string; method: string }[],
  byRun: ReadonlyMap<string, readonly GramRow[]>,
): { method: string; pair: string; conflict: number; absCos: number; runs: number }[] {
  const acc = new Map<string, Map<string, { conflict: number[]; absCos: number[] }>>();
  for (const r of runs)
    for (const p of pairStats(byRun.get(r.id) ?? [])) {
      const m = acc.get(r.method) ?? acc.set(r.method, new Map()).get(r.method)!;
      const pair = `${p.capability_i} · ${p.capability_j}`;
      const e = m.get(pair) ?? m.set(pair, { conflict: [], absCos: [] }).get(pair)!;
      e.conflict.push(p.conflictRatio), e.absCos.push(p.meanAbsCos);
    }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return [...acc].flatMap(([method, ps]) =>
    [...ps].map(([pair, e]) => ({ method, pair, conflict: mean(e.conflict), absCos: mean(e.absCos), runs: e.conflict.length })),
  );
}

const finiteMean = (xs: readonly number[]) => {
  const v = xs.filter((x) => Number.isFinite(x));
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
};

/**
 * The measured off-diagonal cosines against the null band of a d-parameter model: the share inside it over all runs
 * and outside the conflict control, and the conflict control's mean instruction · integration cosine (capitals vs
 * lower case: what measured interference looks like). null when d is unknown.
 */
export function nullBandSummary(gram: readonly RunGramRow[], conflictRunIds: ReadonlySet<string>, d: number | undefined) {
  if (!d) return null;
  const band = nullCosineBand(d, { q: 0.95 });
  const offDiag = gram.filter((g) => g.capability_i < g.capability_j && g.cos !== null);
  const conflictCos = offDiag.filter(
    (g) => conflictRunIds.has(g.run_id) && g.capability_i === "instruction" && g.capability_j === "integration",
  );
  const other = offDiag.filter((g) => !conflictRunIds.has(g.run_id));
  return {
    band,
    inside: fractionInsideBand(
      offDiag.map((g) => g.cos),
      band,
    ),
    insideOther: fractionInsideBand(
      other.map((g) => g.cos),
      band,
    ),
    /** whether both parts exist (the "outside the conflict control" share is then worth stating) */
    hasOther: other.length > 0,
    conflictMean: conflictCos.length ? finiteMean(conflictCos.map((g) => g.cos)) : null,
  };
}

/** one run of the conflict control: the share of held-out answers in each case and the worst of the two */
/** per-block cosines of the chosen runs against each block's own null band (1.96/√(block size)) */
export function blockRows(
  blocks: readonly {
    run_id: string;
    block: string;
    block_size: number;
    capability_i: string;
    capability_j: string;
    mean_cos: number;
    steps: number;
  }[],
  runs: readonly { id: string; name: string }[],
): { run: string; block: string; pair: string; "mean cos": number; "null band ±": number; outside: string; steps: number }[] {
  const ids = new Map(runs.map((r) => [r.id, r]));
  return blocks
    .filter((b) => ids.has(b.run_id))
    .map((b) => {
      const h = nullCosineBand(Math.max(2, b.block_size), { q: 0.95 }).halfWidth;
      return {
        run: ids.get(b.run_id)!.name,
        block: b.block,
        pair: `${b.capability_i} · ${b.capability_j}`,
        "mean cos": b.mean_cos,
        "null band ±": h,
        outside: Math.abs(b.mean_cos) > h ? "yes" : "",
        steps: b.steps,
      };
    });
}

/**
 * A run's Gram rows at its logged step nearest `step` (the scrubber's value), among `steps` (every chosen run's steps;
 * the earlier one on a tie). [] when the run logged none of them.
 */
export function rowsNearStep<R extends { step: number }>(rows: readonly R[], steps: readonly number[], step: number): R[] {
  let best: number | undefined,
    bestD = Infinity;
  for (const s of steps) {
    if (!rows.some((d) => d.step === s)) continue;
    const d = Math.abs(s - step);
    if (d < bestD) (best = s), (bestD = d);
  }
  return rows.filter((d) => d.step === best);
}
