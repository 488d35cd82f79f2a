/**
 * Small dense linear algebra for T×T problems (T = number of capabilities, usually 3–4).
 *
 * Every gradient-combination method here works in "Gram space": the T×d gradients are touched exactly twice —
 * once to form the Gram matrix G_ij = g_i·g_j (float64 accumulation, O(T²d)), once to form the final direction
 * d = Σ_k coef_k g_k (O(Td)). Everything in between (projections, min-norm weights, eigen-decompositions) is a
 * T×T computation, so it costs nothing next to the backward passes and is exactly testable.
 *
 * Pure TypeScript, no node: imports — also bundled into the browser pages.
 */

export type Matrix = number[][];

/** float64 dot product of two float32 (or float64) vectors of equal length. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`dot: length mismatch ${a.length} vs ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function identity(n: number): Matrix {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
}

export function matmul(a: Matrix, b: Matrix): Matrix {
  const n = a.length,
    m = b[0]?.length ?? 0,
    k = b.length;
  const out: Matrix = Array.from({ length: n }, () => new Array<number>(m).fill(0));
  for (let i = 0; i < n; i++)
    for (let p = 0; p < k; p++) {
      const aip = a[i][p];
      if (aip === 0) continue;
      for (let j = 0; j < m; j++) out[i][j] += aip * b[p][j];
    }
  return out;
}

export function transpose(a: Matrix): Matrix {
  const n = a.length,
    m = a[0]?.length ?? 0;
  return Array.from({ length: m }, (_, j) => Array.from({ length: n }, (_, i) => a[i][j]));
}

/** y = A x */
export function matvec(a: Matrix, x: readonly number[]): number[] {
  return a.map((row) => row.reduce((s, v, j) => s + v * x[j], 0));
}

/** xᵀ A y */
export function quad(a: Matrix, x: readonly number[], y: readonly number[] = x): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) for (let j = 0; j < y.length; j++) s += x[i] * a[i][j] * y[j];
  return s;
}

/**
 * Solve A x = b by Gaussian elimination with partial pivoting. Returns null when A is (numerically) singular:
 * a pivot below `tol · max|A|`. Callers decide what singular means for them (skip a subset, fall back, ...).
 */
export function solve(a: Matrix, b: readonly number[], tol = 1e-12): number[] | null {
  const n = a.length;
  const m = a.map((row, i) => [...row, b[i]]);
  let scale = 0;
  for (const row of a) for (const v of row) scale = Math.max(scale, Math.abs(v));
  if (scale === 0) return null;
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[piv][col])) piv = r;
    if (Math.abs(m[piv][col]) <= tol * scale) return null;
    [m[col], m[piv]] = [m[piv], m[col]];
    for (let r = col + 1; r < n; r++) {
      const f = m[r][col] / m[col][col];
      if (f === 0) continue;
      for (let c = col; c <= n; c++) m[r][c] -= f * m[col][c];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let c = r + 1; c < n; c++) s -= m[r][c] * x[c];
    x[r] = s / m[r][r];
  }
  return x;
}

/**
 * Eigen-decomposition of a real symmetric matrix by cyclic Jacobi rotations (Golub & Van Loan §8.5).
 * Exact to machine precision for the T ≤ ~20 matrices used here. Returns eigenvalues in DESCENDING order and
 * eigenvectors as the COLUMNS of `vectors` (A = V diag(λ) Vᵀ).
 */
export function symEig(a: Matrix, maxSweeps = 100): { values: number[]; vectors: Matrix } {
  const n = a.length;
  const A = a.map((r) => r.slice());
  const V = identity(n);
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0,
      total = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        total += A[i][j] * A[i][j];
        if (i !== j) off += A[i][j] * A[i][j];
      }
    if (off <= 1e-30 * Math.max(total, 1e-300)) break;
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        if (A[p][q] === 0) continue;
        // rotation angle that zeroes A[p][q] (stable form, Numerical Recipes §11.1)
        const theta = (A[q][q] - A[p][p]) / (2 * A[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1),
          s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k][p],
            akq = A[k][q];
          A[k][p] = c * akp - s * akq;
          A[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p][k],
            aqk = A[q][k];
          A[p][k] = c * apk - s * aqk;
          A[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k][p],
            vkq = V[k][q];
          V[k][p] = c * vkp - s * vkq;
          V[k][q] = s * vkp + c * vkq;
        }
      }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => A[j][j] - A[i][i]);
  return {
    values: order.map((i) => A[i][i]),
    vectors: V.map((row) => order.map((i) => row[i])),
  };
}

/**
 * Euclidean projection onto the probability simplex {w ≥ 0, Σw = 1}
 * (Duchi, Shalev-Shwartz, Singer & Chandra 2008, "Efficient projections onto the l1-ball", Fig. 1).
 */
export function projectSimplex(v: readonly number[]): number[] {
  const u = v.slice().sort((a, b) => b - a);
  let css = 0,
    theta = 0;
  for (let i = 0; i < u.length; i++) {
    css += u[i];
    const t = (css - 1) / (i + 1);
    if (u[i] - t > 0) theta = t;
  }
  return v.map((x) => Math.max(x - theta, 0));
}

/** Normalise non-negative numbers to sum 1 (throws on negatives, NaN, or an all-zero vector). */
export function normalizeWeights(w: readonly number[], what = "weights"): number[] {
  if (w.some((x) => !Number.isFinite(x) || x < 0)) throw new Error(`${what} must be finite and ≥ 0, got [${w.join(", ")}]`);
  const s = w.reduce((a, b) => a + b, 0);
  if (s <= 0) throw new Error(`${what} must not all be zero`);
  return w.map((x) => x / s);
}

/**
 * Least-squares solve of a symmetric PSD system A x = b via the pseudo-inverse (eigenvalues ≤ tol·λ_max treated as 0):
 * the minimum-norm x. Used to project onto the span of possibly linearly dependent gradients.
 */
export function pinvSolveSym(a: Matrix, b: readonly number[], tol = 1e-10): number[] {
  const { values, vectors: V } = symEig(a);
  const n = a.length;
  const cut = tol * Math.max(values[0] ?? 0, 0);
  const x = new Array<number>(n).fill(0);
  for (let k = 0; k < n; k++) {
    if (!(values[k] > cut) || values[k] <= 0) continue;
    let proj = 0;
    for (let i = 0; i < n; i++) proj += V[i][k] * b[i];
    const c = proj / values[k];
    for (let i = 0; i < n; i++) x[i] += c * V[i][k];
  }
  return x;
}
