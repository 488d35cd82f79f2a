/**
 * Where training stages send what they measure. Stages (sft, rm, grpo, eval) know nothing of DuckDB: they call a
 * Sink, and src/pipeline hands them one that writes to the run store (src/store). Tests pass a MemorySink.
 *
 * Resume contract: a stage that resumes from a checkpoint at step S first calls `resumeFrom(S)`; the sink drops
 * whatever it holds for steps > S of that stage, so replayed steps never duplicate rows.
 */
export interface Sink {
  /** one scalar per (step, name), TRL-style names: "loss", "reward", "rewards/knowledge/mean", "kl", ... */
  metric(step: number, name: string, value: number): void;
  /** rows for a named table of the store: "grad_gram", "weights", "evals", "completions", ... */
  rows(table: string, rows: Record<string, unknown>[]): void;
  resumeFrom(step: number): void;
  /** make everything so far durable (called at checkpoints) */
  flush(): Promise<void>;
}

export class MemorySink implements Sink {
  readonly metrics: { step: number; name: string; value: number }[] = [];
  readonly tables = new Map<string, Record<string, unknown>[]>();
  metric(step: number, name: string, value: number): void {
    this.metrics.push({ step, name, value });
  }
  rows(table: string, rows: Record<string, unknown>[]): void {
    const t = this.tables.get(table) ?? [];
    t.push(...rows);
    this.tables.set(table, t);
  }
  resumeFrom(step: number): void {
    const keep = this.metrics.filter((m) => m.step <= step);
    this.metrics.length = 0;
    this.metrics.push(...keep);
    for (const [name, rows] of this.tables)
      this.tables.set(
        name,
        rows.filter((r) => typeof r.step !== "number" || r.step <= step),
      );
  }
  async flush(): Promise<void> {}
  series(name: string): number[] {
    return this.metrics.filter((m) => m.name === name).map((m) => m.value);
  }
}

export const nullSink: Sink = { metric() {}, rows() {}, resumeFrom() {}, async flush() {} };
