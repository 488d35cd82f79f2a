/**
 * The Gram matrix of per-capability gradients and everything the orthogonality analysis derives from it.
 *
 * G_ij = g_i · g_j over the shared parameters (float64 accumulation: float32 sums over ~10^5–10^6 parameters lose
 * digits exactly where we care, near cos ≈ 0). From G alone:
 *   norms      ‖g_i‖ = √G_ii
 *   cosines    cos_ij = G_ij / (‖g_i‖‖g_j‖)              (0 when either gradient is zero)
 *   conflict   cos_ij < 0                                 (Yu et al. 2020's "conflicting gradients")
 *   GMS        2‖g_i‖‖g_j‖ / (‖g_i‖² + ‖g_j‖²)            gradient magnitude similarity, Yu et al. 2020 §3 (1 = equal norms)
 *   cond(G)    λ_max(G) / λ_min(G)                         = cond(grad matrix)²; ∞ when the gradients are linearly dependent
 *
 * Cosines are invariant to positive rescaling g_c → s_c g_c (s_c > 0), so no choice of reward weights can change
 * them — see docs/method.md §7.2 and `scaleGram` (used by the tests and the orthogonality page to show it).
 */
import { vectorKernels } from "../util/vector_kernels.ts";
import { dot, symEig, type Matrix } from "./linalg.ts";

const allFloat32 = (vs: readonly ArrayLike<number>[]): vs is readonly Float32Array[] => vs.every((v) => v instanceof Float32Array);

/** every pairwise dot of `vs` (i ≤ j at [i·T + j]), each summed from 0 in entry order: the same sums as `dot` */
function pairDots(vs: readonly ArrayLike<number>[]): (i: number, j: number) => number {
  const T = vs.length;
  if (allFloat32(vs)) {
    const acc = new Float64Array(T * T);
    vectorKernels().dotsInto(vs, acc); // one pass for every pair (bit-identical to dot, src/util/vector_kernels.ts)
    return (i, j) => acc[i * T + j];
  }
  return (i, j) => dot(vs[i], vs[j]);
}

export function checkGrads(grads: readonly ArrayLike<number>[]): number {
  if (grads.length === 0) throw new Error("need at least one capability gradient");
  const d = grads[0].length;
  grads.forEach((g, i) => {
    if (g.length !== d) throw new Error(`gradient ${i} has ${g.length} entries, gradient 0 has ${d}`);
  });
  return d;
}

/** G_ij = g_i·g_j, float64. Throws on non-finite entries (a diverged step must not be silently combined). */
export function gramMatrix(grads: readonly ArrayLike<number>[]): Matrix {
  checkGrads(grads);
  const T = grads.length;
  const G: Matrix = Array.from({ length: T }, () => new Array<number>(T).fill(0));
  const dots = pairDots(grads);
  for (let i = 0; i < T; i++)
    for (let j = i; j < T; j++) {
      const v = dots(i, j);
      if (!Number.isFinite(v)) throw new Error(`non-finite gradient dot product for capabilities ${i},${j}`);
      G[i][j] = G[j][i] = v;
    }
  return G;
}

export function norms(G: Matrix): number[] {
  return G.map((row, i) => Math.sqrt(Math.max(row[i], 0)));
}

export function cosines(G: Matrix): Matrix {
  const n = norms(G);
  return G.map((row, i) => row.map((v, j) => (i === j ? (n[i] > 0 ? 1 : 0) : n[i] > 0 && n[j] > 0 ? clamp(v / (n[i] * n[j]), -1, 1) : 0)));
}

/** 1 where cos < 0 (off-diagonal), else 0. */
export function conflicts(G: Matrix): Matrix {
  return cosines(G).map((row, i) => row.map((c, j) => (i !== j && c < 0 ? 1 : 0)));
}

/** Gradient magnitude similarity (Yu et al. 2020): 1 for equal norms, → 0 as one dominates. */
export function magnitudeSimilarity(G: Matrix): Matrix {
  const n = norms(G);
  return n.map((a, i) =>
    n.map((b, j) => {
      if (i === j) return 1;
      const den = a * a + b * b;
      return den > 0 ? (2 * a * b) / den : 1;
    }),
  );
}

/** cond(G) = λ_max/λ_min; Infinity when λ_min ≤ 1e-12·λ_max (linearly dependent gradients). */
export function conditionNumber(G: Matrix): number {
  const { values } = symEig(G);
  const max = values[0],
    min = values[values.length - 1];
  if (!(max > 0)) return Infinity;
  return min > 1e-12 * max ? max / min : Infinity;
}

/** Gram of the rescaled gradients s_c g_c: G'_ij = s_i s_j G_ij. */
export function scaleGram(G: Matrix, s: readonly number[]): Matrix {
  return G.map((row, i) => row.map((v, j) => s[i] * s[j] * v));
}

export interface GramSummary {
  gram: Matrix;
  norms: number[];
  cos: Matrix;
  conflict: Matrix;
  gms: Matrix;
  cond: number;
  /** fraction of off-diagonal pairs (i<j) with cos < 0 */
  conflictFraction: number;
}

export function summarizeGram(G: Matrix): GramSummary {
  const T = G.length;
  const conflict = conflicts(G);
  let pairs = 0,
    bad = 0;
  for (let i = 0; i < T; i++)
    for (let j = i + 1; j < T; j++) {
      pairs++;
      bad += conflict[i][j];
    }
  return {
    gram: G,
    norms: norms(G),
    cos: cosines(G),
    conflict,
    gms: magnitudeSimilarity(G),
    cond: conditionNumber(G),
    conflictFraction: pairs ? bad / pairs : 0,
  };
}

/**
 * Long-format rows for the store's grad_gram table — both triangles and the diagonal (T² rows; capability_i = capability_j
 * carries the squared norm), matching src/store/schema.ts — so the GRPO loop can do
 * `sink.rows("grad_gram", gramRows(step, caps, G))`.
 */
export function gramRows(step: number, capabilities: readonly string[], G: Matrix) {
  const cos = cosines(G);
  const rows: { step: number; capability_i: string; capability_j: string; dot: number; cos: number }[] = [];
  for (let i = 0; i < G.length; i++)
    for (let j = 0; j < G.length; j++)
      rows.push({ step, capability_i: capabilities[i], capability_j: capabilities[j], dot: G[i][j], cos: cos[i][j] });
  return rows;
}

/**
 * Per-parameter-block Gram matrices (Wang et al., "Gradient Vaccine", ICLR 2021, §3: interference concentrates in
 * some layers and is averaged away in the whole-model cosine). `parts[c][v]` is capability c's gradient for
 * parameter v (one array per parameter, the same order for every c) and `blocks[v]` names v's block (the GRPO loop
 * uses src/model/gpt.ts parameterBlock: embeddings, h.{i}.attn, h.{i}.mlp, layernorm). Dot products are additive over
 * a partition of the parameters, so the whole-model Gram is the sum of the block Grams: computing the blocks costs one
 * pass over the gradients and yields the whole Gram too (returned as `gram`), instead of a second pass.
 * Blocks are listed in order of first appearance; `size` is the block's parameter count.
 */
export interface BlockGram {
  block: string;
  size: number;
  gram: Matrix;
}

export function blockGrams(
  parts: readonly (readonly ArrayLike<number>[])[],
  blocks: readonly string[],
): { blocks: BlockGram[]; gram: Matrix } {
  const T = parts.length;
  if (T === 0) throw new Error("need at least one capability gradient");
  const V = blocks.length;
  parts.forEach((ps, c) => {
    if (ps.length !== V) throw new Error(`capability ${c}: ${ps.length} parameter gradients, block assignment has ${V}`);
    ps.forEach((p, v) => {
      if (p.length !== parts[0][v].length)
        throw new Error(`capability ${c}, parameter ${v}: ${p.length} entries, capability 0 has ${parts[0][v].length}`);
    });
  });
  const zeros = (): Matrix => Array.from({ length: T }, () => new Array<number>(T).fill(0));
  const byName = new Map<string, BlockGram>();
  for (let v = 0; v < V; v++) {
    let b = byName.get(blocks[v]);
    if (!b) byName.set(blocks[v], (b = { block: blocks[v], size: 0, gram: zeros() }));
    b.size += parts[0][v].length;
    const dots = pairDots(parts.map((ps) => ps[v]));
    for (let i = 0; i < T; i++)
      for (let j = i; j < T; j++) {
        const x = dots(i, j);
        b.gram[i][j] += x;
        if (j !== i) b.gram[j][i] += x;
      }
  }
  const gram = zeros();
  for (const b of byName.values())
    for (let i = 0; i < T; i++)
      for (let j = 0; j < T; j++) {
        if (!Number.isFinite(b.gram[i][j]))
          throw new Error(`non-finite gradient dot product for capabilities ${i},${j} in block ${b.block}`);
        gram[i][j] += b.gram[i][j];
      }
  return { blocks: [...byName.values()], gram };
}

/** Long-format rows for the store's grad_gram_blocks table: gramRows per block, with the block's name and size. */
export function blockGramRows(step: number, capabilities: readonly string[], blocks: readonly BlockGram[]) {
  return blocks.flatMap((b) => gramRows(step, capabilities, b.gram).map((r) => ({ ...r, block: b.block, block_size: b.size })));
}

/**
 * First-order effect of the update d = Σ_k coef_k g_k on each capability (docs/method.md §7.1):
 *   gain_c = ⟨g_c, d⟩ = Σ_k coef_k G_ck = own term coef_c G_cc + cross terms Σ_{k≠c} coef_k G_ck.
 * With orthogonal gradients the cross terms vanish. `maxSafeStep` is the capability-preservation bound for
 * L-smooth J_c: J_c does not decrease for η ≤ 2 gain_c / (L ‖d‖²) (−∞ → no positive step is safe).
 */
export function firstOrderGains(G: Matrix, coef: readonly number[], L = 1) {
  const T = G.length;
  const gain = new Array<number>(T).fill(0),
    own = new Array<number>(T).fill(0),
    cross = new Array<number>(T).fill(0);
  for (let c = 0; c < T; c++)
    for (let k = 0; k < T; k++) {
      const v = coef[k] * G[c][k];
      gain[c] += v;
      if (k === c) own[c] += v;
      else cross[c] += v;
    }
  let dNorm2 = 0;
  for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) dNorm2 += coef[i] * coef[j] * G[i][j];
  dNorm2 = Math.max(dNorm2, 0);
  const maxSafeStep = gain.map((g) => (g <= 0 ? (g === 0 ? 0 : -Infinity) : dNorm2 > 0 ? (2 * g) / (L * dNorm2) : Infinity));
  return { gain, own, cross, dNorm2, maxSafeStep };
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
