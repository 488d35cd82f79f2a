/**
 * One capability-aware update, as the GRPO loop needs it (the tfjs side — tf.variableGrads per capability loss,
 * reading the gradient tensors — stays in src/grpo; this file is pure):
 *
 *   parts[c][v]  gradient of capability c's loss w.r.t. shared variable v (Float32Array, in a FIXED variable order)
 *     → flatten per capability → Gram once (or the caller's, e.g. the sum of blockGrams) → method.combine → direction
 *     → split back per variable
 *
 * and what to log: the grad_gram rows, scalar metrics (names follow TRL's slash style) and the method diagnostics.
 */
import { gramMatrix, gramRows, summarizeGram } from "./gram.ts";
import { getMethod } from "./registry.ts";
import type { CombineContext, CombineResult } from "./types.ts";

/**
 * Concatenate per-variable gradients into one flat vector. Parts that already lie end to end in one buffer (the GRPO
 * loop's gradients: src/grpo/gradients.ts reads them into one) come back as a view of it, without a copy; no
 * method writes into its gradients.
 */
export function flattenParts(parts: readonly Float32Array[]): Float32Array {
  const n = parts.reduce((a, p) => a + p.length, 0);
  if (parts.length > 0 && contiguous(parts)) return new Float32Array(parts[0].buffer, parts[0].byteOffset, n);
  const out = new Float32Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function contiguous(parts: readonly Float32Array[]): boolean {
  let end = parts[0].byteOffset;
  for (const p of parts) {
    if (p.buffer !== parts[0].buffer || p.byteOffset !== end) return false;
    end += p.byteLength;
  }
  return true;
}

/** Inverse of flattenParts: views of `flat` with the given per-variable sizes. */
export function splitLike(flat: Float32Array, sizes: readonly number[]): Float32Array[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== flat.length) throw new Error(`splitLike: sizes sum to ${total}, vector has ${flat.length}`);
  const out: Float32Array[] = [];
  let o = 0;
  for (const s of sizes) {
    out.push(flat.subarray(o, o + s));
    o += s;
  }
  return out;
}

export interface UpdateResult extends CombineResult {
  /** direction split back per variable (same order and sizes as the input parts) */
  perVariable: Float32Array[];
  gramRows: ReturnType<typeof gramRows>;
  /** scalar metrics: grad/norm/<cap>, grad/cos/<a>/<b>, grad/conflict_fraction, grad/cond, grad/direction_norm */
  metrics: Record<string, number>;
}

export function capabilityAwareUpdate(
  parts: readonly (readonly Float32Array[])[],
  opts: { method: string; capabilities: readonly string[]; step: number } & Omit<CombineContext, "step">,
): UpdateResult {
  const { method, capabilities, step, gram, ...ctx } = opts;
  if (parts.length !== capabilities.length) throw new Error(`${parts.length} gradient sets for ${capabilities.length} capabilities`);
  const sizes = parts[0].map((p) => p.length);
  parts.forEach((ps, c) => {
    if (ps.length !== sizes.length || ps.some((p, v) => p.length !== sizes[v]))
      throw new Error(`capability ${capabilities[c]}: gradient shapes differ from capability ${capabilities[0]}`);
  });
  const grads = parts.map(flattenParts);
  // a caller that already has the Gram (the GRPO loop gets it from blockGrams) passes it: one pass over the gradients
  if (gram && (gram.length !== parts.length || gram.some((r) => r.length !== parts.length)))
    throw new Error(`gram is ${gram.length}×…, expected ${parts.length}×${parts.length}`);
  const G = gram ?? gramMatrix(grads);
  const r = getMethod(method)(grads, { ...ctx, step, gram: G });
  const s = summarizeGram(G);
  const metrics: Record<string, number> = {
    "grad/conflict_fraction": s.conflictFraction,
    "grad/cond": Number.isFinite(s.cond) ? s.cond : -1, // −1 = singular (DuckDB DOUBLE has no ∞ in JSON)
  };
  capabilities.forEach((a, i) => {
    metrics[`grad/norm/${a}`] = s.norms[i];
    for (let j = i + 1; j < capabilities.length; j++) metrics[`grad/cos/${a}/${capabilities[j]}`] = s.cos[i][j];
  });
  let dn = 0;
  for (let i = 0; i < r.direction.length; i++) dn += r.direction[i] * r.direction[i];
  metrics["grad/direction_norm"] = Math.sqrt(dn);
  return { ...r, perVariable: splitLike(r.direction, sizes), gramRows: gramRows(step, capabilities, G), metrics };
}
