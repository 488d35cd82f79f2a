/**
 * The GRPO-step bench's result (bench/grpo_step.ts --json) and its table, shared by that script and `npm run bench`,
 * which runs it in a child process (the thread count is fixed when the native backend loads).
 */

/** One side's step: per phase, the median over its timed steps, in seconds. */
export interface GrpoSide {
  total: number;
  sample: number;
  logprobs: number;
  /** one backward per capability, in capability order */
  backward: number[];
  combine_step: number;
  sampled_tokens: number;
  steps: number;
}

export interface GrpoBenchResult {
  shape: { n_layer: number; n_head: number; n_embd: number; vocab_size: number };
  params: number;
  capabilities: readonly string[];
  prompts_per_capability: number;
  num_generations: number;
  max_completion_length: number;
  prompt_len: number;
  threads: "one" | "all";
  rounds: number;
  backend: string;
  cpu: { model: string; cores: number; aten: string | null; openblas: string | null; float: string | null };
  ours: GrpoSide;
  torch: GrpoSide;
  /** PyTorch's step time ÷ ours: > 1 means ours is faster */
  speed_ratio: number;
  load_avg_1min: { min: number; max: number };
  date: string;
}

export function grpoTable(r: GrpoBenchResult): string[] {
  const { ours: o, torch: t, shape } = r;
  const ms = (x: number) => `${(1000 * x).toFixed(1).padStart(9)} ms`;
  const row = (name: string, a: number, b: number) => `  ${name.padEnd(26)}${ms(a)}${ms(b)}${(b / a).toFixed(2).padStart(10)}×`;
  return [
    `GRPO step — ${r.params.toLocaleString("en-US")} params (L${shape.n_layer} H${shape.n_head} C${shape.n_embd} V${shape.vocab_size}), ${r.capabilities.length} capabilities × ${r.prompts_per_capability} prompts × G=${r.num_generations}, ${r.max_completion_length} new tokens after ${r.prompt_len} (${o.sampled_tokens} sampled tokens), threads: ${r.threads}`,
    `  median of ${o.steps} step${o.steps === 1 ? "" : "s"} per side, ${r.rounds} round${r.rounds === 1 ? "" : "s"} of ours then PyTorch; load average ${r.load_avg_1min.min.toFixed(2)}–${r.load_avg_1min.max.toFixed(2)} on ${r.cpu.cores} cores, ${r.date}`,
    "",
    "  phase                          ours     PyTorch  PyTorch÷ours",
    row("sample", o.sample, t.sample),
    row("old + ref log-probs", o.logprobs, t.logprobs),
    ...r.capabilities.map((name, c) => row(`backward ${name}`, o.backward[c], t.backward[c])),
    row("combine + clip + AdamW", o.combine_step, t.combine_step),
    row("whole step", o.total, t.total),
    "",
    `  speed ratio (PyTorch time ÷ our time; > 1 = ours faster): ${r.speed_ratio.toFixed(2)}×`,
    `  ours = ${r.backend}`,
    `  cpu  = ${r.cpu.model} (${r.cpu.cores} cores); ATen dispatches to ${r.cpu.aten ?? "—"}, OpenBLAS to ${r.cpu.openblas ?? "—"}; float ${r.cpu.float ?? "—"}`,
  ];
}
