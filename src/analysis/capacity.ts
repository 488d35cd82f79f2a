/**
 * The capacity curve of the gene world: knowledge cloze accuracy on train-QA, extraction and control items against card
 * reads per gene, from the SFT stage's probe metrics (src/sft/sft.ts, sft.probe_every). Extraction rising above the
 * control as reads grow is the design's check that knowledge read in cards is recallable by questions never trained
 * (Allen-Zhu & Li, Physics of Language Models 3.1 / 3.3: ~100 exposures per fact).
 */
export interface MetricRow {
  run_id: string;
  stage: string;
  step: number;
  name: string;
  value: number;
}
export interface CapacityPoint {
  run_id: string;
  step: number;
  reads: number;
  split: "train_qa" | "extraction" | "control";
  accuracy: number;
}

const SPLITS = ["train_qa", "extraction", "control"] as const;

/** probe rows → one point per (run, step, split) that has a card-reads value; sorted by run, split, reads */
export function capacityCurve(rows: readonly MetricRow[]): CapacityPoint[] {
  const reads = new Map<string, number>();
  for (const r of rows) if (r.name === "probe/card_reads_per_gene") reads.set(`${r.run_id}|${r.step}`, r.value);
  const out: CapacityPoint[] = [];
  for (const r of rows) {
    const split = SPLITS.find((s) => r.name === `probe/${s}`);
    const x = reads.get(`${r.run_id}|${r.step}`);
    if (split && x !== undefined && Number.isFinite(r.value))
      out.push({ run_id: r.run_id, step: r.step, reads: x, split, accuracy: r.value });
  }
  return out.sort((a, b) =>
    a.run_id < b.run_id ? -1 : a.run_id > b.run_id ? 1 : SPLITS.indexOf(a.split) - SPLITS.indexOf(b.split) || a.reads - b.reads,
  );
}

/** the probe's splits in the order the Data page's legend lists them */
export const CAPACITY_SPLITS: readonly CapacityPoint["split"][] = SPLITS;

/**
 * One curve per distinct SFT: the SFT stage is shared by every run of a suite, so each (step, split) point is kept
 * from the first run that carries it (points in capacityCurve's order).
 */
export function sharedSftCurve(points: readonly CapacityPoint[]): CapacityPoint[] {
  const firstRun = new Map<string, string>();
  for (const p of points) if (!firstRun.has(p.step + "|" + p.split)) firstRun.set(p.step + "|" + p.split, p.run_id);
  return points.filter((p) => firstRun.get(p.step + "|" + p.split) === p.run_id);
}
