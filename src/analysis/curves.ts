/**
 * Training-curve rows for the Training page: values averaged per (line, metric, part, step) — a line is a run, or a
 * config whose seeds are averaged — then smoothed along each line with TensorBoard's debiased EMA (smoothing.ts).
 */
import { smooth } from "./smoothing.ts";

export interface CurveRow {
  run: string;
  metric: string;
  step: number;
  value: number;
  smoothed: number;
  part?: string;
  /** the least and greatest value averaged into this step (a config's seeds: the band drawn around its mean line) */
  lo: number;
  hi: number;
}

export interface CurveOptions<T> {
  /** the line a row belongs to (a run's name, or its config group) */
  line: (d: T) => string;
  metric: (d: T) => string;
  value: (d: T) => number | null | undefined;
  /** several lines per run and panel told apart (a reward's mean / rule / model parts) */
  part?: (d: T) => string | undefined;
  /** EMA weight in [0, 1) */
  smoothing: number;
}

/** rows → [{run, metric, step, value, smoothed, part?}], lines and metrics in first-seen order, steps ascending */
export function curveRows<T extends { step: number }>(source: readonly T[], o: CurveOptions<T>): CurveRow[] {
  const part = o.part ?? (() => undefined);
  // line → metric → part → step → values
  const tree = new Map<string, Map<string, Map<string, Map<number, number[]>>>>();
  const child = <K, V>(m: Map<K, V>, k: K, make: () => V) => m.get(k) ?? m.set(k, make()).get(k)!;
  for (const d of source) {
    const steps = child(
      child(
        child(tree, o.line(d), () => new Map()),
        o.metric(d),
        () => new Map(),
      ),
      part(d) ?? "",
      () => new Map<number, number[]>(),
    );
    child(steps, d.step, () => [] as number[]).push(o.value(d) as number);
  }
  const out: CurveRow[] = [];
  for (const [run, byMetric] of tree)
    for (const [metric, byPart] of byMetric)
      for (const [p, bySteps] of byPart) {
        // the mean over the line's values at a step (null and NaN skipped, as d3.mean does; none → NaN)
        const sorted = [...bySteps].map(([step, vs]) => [step, meanDefined(vs), ...extent(vs)] as const).sort((a, b) => a[0] - b[0]);
        const sm = smooth(
          sorted.map(([, v]) => v),
          o.smoothing,
        );
        sorted.forEach(([step, value, lo, hi], i) => out.push({ run, metric, step, value, smoothed: sm[i], part: p || undefined, lo, hi }));
      }
  return out;
}

function meanDefined(vs: readonly (number | null | undefined)[]): number {
  let n = 0,
    s = 0;
  for (const v of vs) if (v != null && !Number.isNaN(+v)) n++, (s += +v);
  return n ? s / n : NaN;
}

function extent(vs: readonly (number | null | undefined)[]): [number, number] {
  let lo = Infinity,
    hi = -Infinity;
  for (const v of vs) if (v != null && !Number.isNaN(+v)) (lo = Math.min(lo, +v)), (hi = Math.max(hi, +v));
  return lo <= hi ? [lo, hi] : [NaN, NaN];
}
