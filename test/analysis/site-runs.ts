// Hand-built site runs for the page-logic tests: raw loader rows (runs, params, scores) joined by joinRuns, as the
// site does, so the tests go through the same join.
import { joinRuns, type CapScore, type SiteRun } from "../../src/analysis/runs.ts";

export interface RunSpec {
  id: string;
  method: string;
  seed?: number;
  /** config keys besides grpo.method (seeds are added from `seed`) */
  params?: Record<string, unknown>;
  /** strict score per capability; [value, ci_lo, ci_hi, n] gives a bootstrap interval */
  strict?: Record<string, number | [number, number, number, number]>;
  partial?: Record<string, number>;
}

export function siteRuns(
  specs: readonly RunSpec[],
  definition: "strict" | "partial" = "strict",
  opts: { conflict?: boolean } = {},
): SiteRun[] {
  const runs = specs.map((s) => ({ id: s.id, name: `run-${s.id}`, method: s.method, seed: s.seed ?? 0 }));
  const params = specs.flatMap((s) =>
    Object.entries({ "grpo.method": s.method, seed: s.seed ?? 0, ...s.params }).map(([key, v]) => ({
      run_id: s.id,
      key,
      value: JSON.stringify(v),
    })),
  );
  const scores: CapScore[] = specs.flatMap((s) => [
    ...Object.entries(s.strict ?? {}).map(([capability, v]) =>
      Array.isArray(v)
        ? { run_id: s.id, capability, definition: "strict", value: v[0], ci_lo: v[1], ci_hi: v[2], n: v[3] }
        : { run_id: s.id, capability, definition: "strict", value: v, ci_lo: null, ci_hi: null, n: null },
    ),
    ...Object.entries(s.partial ?? {}).map(([capability, value]) => ({ run_id: s.id, capability, definition: "partial", value })),
  ]);
  return joinRuns(runs, params, scores, definition, opts);
}

/** all four capabilities at once: [knowledge, reasoning, instruction, integration] */
export const four = (k: number, r: number, i: number, g: number) => ({ knowledge: k, reasoning: r, instruction: i, integration: g });
