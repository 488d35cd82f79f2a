/**
 * score(item, answer, kg) — the one rule-based scorer (CLI `bbio score`, evaluation, GRPO's rule reward).
 *
 *   per check:      pass ∈ {0,1} (checks.ts); an empty answer fails every check. Prohibitions ("at most N words",
 *                   "no commas", "stays in scope", "one conclusion") hold vacuously for an answer that attempts
 *                   nothing, so they earn credit only when at least one of the item's other checks passes — otherwise
 *                   "x" would score 0.25–0.5 on several kinds, a reward GRPO learns to exploit
 *                   Workflow checks (evidence first, evidence code, scope, one conclusion) are rules for how a RIGHT
 *                   conclusion is stated: they earn credit only when every content check (knowledge / reasoning
 *                   component) passes. Without this, another item's well-formed gold scored 0.53 on reasoning —
 *                   the layout, not the content, carried the score.
 *   per component:  mean pass rate of the item's checks in that component (knowledge / reasoning / format / workflow)
 *   score:          mean of the component means — each capability component weighs the same, whatever its number
 *                   of checks, so an integration item gives partial credit per component (it is
 *                   scored on each component); the gold passes every check, so it scores exactly 1.
 *
 * loose: IFEval's loose accuracy — a check passes if it passes on any loose variant of the answer (markdown emphasis
 * stripped, first and/or last line removed; text.ts).
 */
import type { KG } from "../kg/types.ts";
import type { CheckResult, CheckSpec, Item, ScoreResult } from "./types.ts";
import { CHECKS, type CheckFn } from "./checks.ts";
import type { CheckName, CheckSpecOf } from "./checkargs.ts";
import { looseVariants } from "./text.ts";

/** checks that forbid something rather than require it (see the header) */
export const PROHIBITIONS: ReadonlySet<string> = new Set(["max_words", "no_commas", "workflow_in_scope", "workflow_single_conclusion"]);

export interface ScoreOptions {
  loose?: boolean;
}

export function score(item: Item, answer: string, kg: KG, opts: ScoreOptions = {}): ScoreResult {
  const text = typeof answer === "string" ? answer : "";
  const variants = opts.loose ? looseVariants(text) : [text];
  let checks: CheckResult[] = item.checks.map((spec) => runCheck(spec, variants, kg, item));
  const required = checks.filter((c) => !PROHIBITIONS.has(c.name));
  if (required.length && !required.some((c) => c.pass))
    checks = checks.map((c) =>
      PROHIBITIONS.has(c.name) && c.pass ? { ...c, pass: false, detail: "no credit: the answer meets none of the item's requirements" } : c,
    );
  const content = checks.filter((c) => c.component === "knowledge" || c.component === "reasoning");
  if (content.length && !content.every((c) => c.pass))
    checks = checks.map((c) =>
      c.component === "workflow" && c.pass ? { ...c, pass: false, detail: "no credit: the content is wrong" } : c,
    );
  const by = new Map<CheckSpec["component"], number[]>();
  for (const c of checks) (by.get(c.component) ?? by.set(c.component, []).get(c.component)!).push(c.pass ? 1 : 0);
  const components: ScoreResult["components"] = {};
  for (const [k, xs] of by) components[k] = xs.reduce((a, b) => a + b, 0) / xs.length;
  const means = Object.values(components) as number[];
  const s = means.length ? means.reduce((a, b) => a + b, 0) / means.length : 0;
  return { score: s, checks, components };
}

function runCheck<N extends CheckName>(spec: CheckSpecOf<N>, variants: string[], kg: KG, item: Item): CheckResult {
  // an item file may name a check the scorer does not know: it fails, named
  const fn: CheckFn<N> | undefined = Object.hasOwn(CHECKS, spec.name) ? CHECKS[spec.name] : undefined;
  if (!fn) return { name: spec.name, component: spec.component, pass: false, detail: `unknown check "${spec.name}"` };
  let last: { pass: boolean; detail?: string } = { pass: false, detail: "empty answer" };
  for (const v of variants) {
    if (!v.trim()) continue;
    try {
      last = fn(v, spec.args, { kg, item });
    } catch (e) {
      // args of the wrong shape (a hand-edited item): the check fails with a reason instead of crashing the scorer
      return { name: spec.name, component: spec.component, pass: false, detail: `check could not run: ${(e as Error).message}` };
    }
    if (last.pass) break;
  }
  return { name: spec.name, component: spec.component, pass: last.pass, ...(last.detail ? { detail: last.detail } : {}) };
}
