/**
 * Every kernel the native backend implements, forward and gradient, against TF.js's reference `cpu` backend on
 * random shapes: odd sizes, broadcasting, batch dims, empty and one-element tensors. Gradients are TF.js's registered
 * gradients, so they exercise the native kernels those gradients call. Skips (visibly) when the addon is not built.
 */
import { describe, it, expect, beforeAll } from "vitest";
import * as tf from "@tensorflow/tfjs";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadNative, registerNativeBackend, NATIVE_KERNELS } from "../../src/model/native.ts";
import { layerNorm, gelu, linear, attention, fusedAttention, kvAttention, mm } from "../../src/model/ops.ts";
import { AdamW, clipByGlobalNorm } from "../../src/optim/adamw.ts";
import { rngFor } from "../../src/util/rng.ts";

const st = loadNative();
const suite = st.ok ? describe : describe.skip;
if (!st.ok) console.warn(`test/native: skipping — ${st.reason}`);
const title = st.ok ? "native kernels vs cpu" : `native kernels vs cpu — SKIPPED: ${st.reason}`;

type In = { shape: number[]; dtype?: "float32" | "int32" | "bool"; lo?: number; hi?: number; data?: number[] };
interface Case {
  kernel: string;
  name?: string;
  inputs: In[];
  f: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[];
  grad?: boolean; // default: true when every output is float32 and an input is float32
  tol?: number;
}

function data(inp: In, seed: string): number[] {
  if (inp.data) return inp.data;
  const r = rngFor(7, seed);
  const n = inp.shape.reduce((a, b) => a * b, 1);
  const lo = inp.lo ?? -2,
    hi = inp.hi ?? 2;
  return Array.from({ length: n }, () => {
    const v = lo + (hi - lo) * r();
    return inp.dtype === "int32" ? Math.floor(v) : inp.dtype === "bool" ? (v > (lo + hi) / 2 ? 1 : 0) : v;
  });
}

interface Result {
  outs: { shape: number[]; dtype: string; values: number[] }[];
  grads: { shape: number[]; values: number[] }[] | null;
}

async function runOn(backend: string, c: Case, seed: string): Promise<Result> {
  await tf.setBackend(backend);
  let res!: Result;
  tf.tidy(() => {
    const xs = c.inputs.map((inp, i) => tf.tensor(data(inp, `${seed}/${i}`), inp.shape, inp.dtype ?? "float32"));
    const o = c.f(...xs);
    const outs = (Array.isArray(o) ? o : [o]).map((t) => ({ shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync()) }));
    const floatIn = xs.map((x, i) => (x.dtype === "float32" ? i : -1)).filter((i) => i >= 0);
    const wantGrad = c.grad ?? (outs.every((t) => t.dtype === "float32") && floatIn.length > 0);
    let grads: Result["grads"] = null;
    if (wantGrad) {
      // d/dx Σ f(x)·w for fixed pseudo-random weights w (the same on both backends)
      const loss = (...fx: tf.Tensor[]) => {
        const all = [...xs];
        floatIn.forEach((k, j) => (all[k] = fx[j]));
        const r = c.f(...all);
        return tf.addN(
          (Array.isArray(r) ? r : [r]).map((t, j) =>
            tf.sum(tf.mul(t, tf.tensor(data({ shape: t.shape, lo: -1, hi: 1 }, `${seed}/w${j}`), t.shape))),
          ),
        ) as tf.Scalar;
      };
      const g = tf.grads(loss)(floatIn.map((k) => xs[k]));
      grads = g.map((t) => ({ shape: t.shape, values: Array.from(t.dataSync()) }));
    }
    res = { outs, grads };
  });
  return res;
}

function close(a: number[], b: number[], tol: number, what: string) {
  expect(a.length, what).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i],
      y = b[i];
    if (Number.isNaN(y)) {
      expect(Number.isNaN(x), `${what}[${i}]: ${x} vs NaN`).toBe(true);
      continue;
    }
    if (!Number.isFinite(y)) {
      expect(x, `${what}[${i}]`).toBe(y);
      continue;
    }
    if (Math.abs(x - y) > tol * (1 + Math.abs(y))) expect(x, `${what}[${i}] (cpu ${y})`).toBeCloseTo(y, 10);
  }
}

// ---- the cases ----
const SHAPES: number[][] = [[], [1], [0], [7], [3, 5], [2, 3, 7]];
const PAIRS: [number[], number[]][] = [
  [
    [3, 5],
    [3, 5],
  ],
  [[2, 3, 5], [5]],
  [
    [4, 1, 3],
    [1, 5, 1],
  ],
  [[], [3]],
  [
    [0, 3],
    [1, 3],
  ],
  [[1], [1]],
  [
    [2, 1, 7],
    [2, 3, 7],
  ],
];
const cases: Case[] = [];
const unary: [string, (x: tf.Tensor) => tf.Tensor, number?, number?][] = [
  ["Neg", tf.neg],
  ["Exp", tf.exp],
  ["Log", tf.log, 0.1, 3],
  ["Sqrt", tf.sqrt, 0.1, 3],
  ["Rsqrt", tf.rsqrt, 0.1, 3],
  ["Tanh", tf.tanh],
  ["Sigmoid", tf.sigmoid],
  ["Softplus", tf.softplus, -20, 20],
  ["Abs", tf.abs],
  ["Square", tf.square],
  ["Relu", tf.relu],
  ["Sign", tf.sign],
  ["Floor", tf.floor],
  ["Ceil", tf.ceil],
  ["Round", tf.round],
  ["Log1p", tf.log1p, -0.5, 2],
  ["Expm1", tf.expm1],
  ["Sin", tf.sin],
  ["Cos", tf.cos],
  ["Reciprocal", tf.reciprocal, 0.2, 2],
  ["Erf", tf.erf],
  ["Elu", tf.elu],
  ["Relu6", tf.relu6, -3, 9],
  ["Selu", tf.selu],
  ["Tan", tf.tan, -1, 1],
  ["Asin", tf.asin, -0.9, 0.9],
  ["Acos", tf.acos, -0.9, 0.9],
  ["Atan", tf.atan],
  ["Sinh", tf.sinh],
  ["Cosh", tf.cosh],
  ["Asinh", tf.asinh],
  ["Acosh", tf.acosh, 1.1, 3],
  ["Atanh", tf.atanh, -0.9, 0.9],
  ["IsNan", tf.isNaN],
  ["IsInf", tf.isInf],
  ["IsFinite", tf.isFinite],
];
for (const [k, f, lo, hi] of unary) for (const s of SHAPES) cases.push({ kernel: k, inputs: [{ shape: s, lo, hi }], f });
cases.push({ kernel: "IsNan", name: "IsNan/special", inputs: [{ shape: [4], data: [NaN, 1, Infinity, -Infinity] }], f: tf.isNaN });
cases.push({ kernel: "IsInf", name: "IsInf/special", inputs: [{ shape: [4], data: [NaN, 1, Infinity, -Infinity] }], f: tf.isInf });
cases.push({ kernel: "LogicalNot", inputs: [{ shape: [3, 5], dtype: "bool" }], f: tf.logicalNot });
for (const k of ["Neg", "Abs", "Square", "Relu", "Sign"])
  cases.push({
    kernel: k,
    name: `${k}/int32`,
    inputs: [{ shape: [2, 5], dtype: "int32", lo: -9, hi: 9 }],
    f: unary.find((u) => u[0] === k)![1],
  });

const binary: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, number?, number?][] = [
  ["Add", tf.add],
  ["Sub", tf.sub],
  ["Multiply", tf.mul],
  ["RealDiv", tf.div, 0.5, 3],
  ["Maximum", tf.maximum],
  ["Minimum", tf.minimum],
  ["Pow", tf.pow, 0.5, 2],
  ["SquaredDifference", tf.squaredDifference],
  ["Equal", tf.equal, -2, 2],
  ["NotEqual", tf.notEqual, -2, 2],
  ["Less", tf.less],
  ["LessEqual", tf.lessEqual],
  ["Greater", tf.greater],
  ["GreaterEqual", tf.greaterEqual],
  ["Mod", tf.mod, 0.5, 3],
  ["Atan2", tf.atan2],
  ["FloorDiv", tf.floorDiv, 0.5, 3],
];
for (const [k, f, lo, hi] of binary)
  for (const [sa, sb] of PAIRS)
    cases.push({
      kernel: k,
      inputs: [
        { shape: sa, lo, hi },
        { shape: sb, lo, hi },
      ],
      f,
      grad: !["Mod", "FloorDiv"].includes(k) && undefined,
    });
for (const [k, f] of binary.filter((b) =>
  ["Add", "Sub", "Multiply", "Maximum", "Minimum", "FloorDiv", "Mod", "Equal", "Less", "GreaterEqual"].includes(b[0]),
))
  cases.push({
    kernel: k,
    name: `${k}/int32`,
    inputs: [
      { shape: [3, 4], dtype: "int32", lo: 1, hi: 9 },
      { shape: [4], dtype: "int32", lo: 1, hi: 5 },
    ],
    f,
  });
for (const [k, f] of [
  ["LogicalAnd", tf.logicalAnd],
  ["LogicalOr", tf.logicalOr],
  ["LogicalXor", tf.logicalXor],
] as const)
  cases.push({
    kernel: k,
    inputs: [
      { shape: [3, 4], dtype: "bool" },
      { shape: [4], dtype: "bool" },
    ],
    f: f as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  });

const reductions: [string, (x: tf.Tensor, axis?: number | number[], keep?: boolean) => tf.Tensor][] = [
  ["Sum", tf.sum],
  ["Mean", tf.mean],
  ["Max", tf.max],
  ["Min", tf.min],
  ["Prod", tf.prod],
];
for (const [k, f] of reductions)
  for (const [s, axis, keep] of [
    [[3, 5], 1, false],
    [[3, 5], 0, true],
    [[2, 3, 7], [0, 2], false],
    [[2, 3, 7], -1, true],
    [[7], undefined, false],
    [[1], 0, false],
    [[4, 0], 1, false],
  ] as [number[], number | number[] | undefined, boolean][])
    cases.push({
      kernel: k,
      name: `${k}/${s}/${axis}/${keep}`,
      inputs: [{ shape: s, lo: k === "Prod" ? 0.5 : -2, hi: k === "Prod" ? 1.5 : 2 }],
      f: (x) => f(x, axis, keep),
    });
cases.push({ kernel: "Sum", name: "Sum/int32", inputs: [{ shape: [3, 5], dtype: "int32", lo: -5, hi: 5 }], f: (x) => tf.sum(x, 1) });
cases.push({ kernel: "Sum", name: "Sum/bool", inputs: [{ shape: [3, 5], dtype: "bool" }], f: (x) => tf.sum(x, 0) });
cases.push({ kernel: "Prod", name: "Prod/int32", inputs: [{ shape: [3, 4], dtype: "int32", lo: -3, hi: 3 }], f: (x) => tf.prod(x, 1) });
cases.push({ kernel: "Mean", name: "Mean/int32", inputs: [{ shape: [3, 4], dtype: "int32", lo: -3, hi: 3 }], f: (x) => tf.mean(x, 1) });
cases.push({ kernel: "Any", inputs: [{ shape: [3, 5], dtype: "bool" }], f: (x) => tf.any(x, 1) });
cases.push({ kernel: "All", inputs: [{ shape: [3, 5], dtype: "bool" }], f: (x) => tf.all(x, [0, 1]) });
cases.push({ kernel: "ArgMax", inputs: [{ shape: [3, 5, 2] }], f: (x) => tf.argMax(x, 1) });
cases.push({
  kernel: "ArgMax",
  name: "ArgMax/ties",
  inputs: [{ shape: [2, 4], data: [1, 3, 3, 0, 2, 2, 2, 2] }],
  f: (x) => tf.argMax(x, 1),
});
cases.push({ kernel: "ArgMin", inputs: [{ shape: [3, 5, 2] }], f: (x) => tf.argMin(x, -1) });

// shape and data movement
cases.push({ kernel: "Identity", inputs: [{ shape: [3, 5] }], f: (x) => tf.clone(x) });
cases.push({ kernel: "Reshape", inputs: [{ shape: [2, 3, 7] }], f: (x) => tf.reshape(x, [7, -1]) });
cases.push({
  kernel: "Reshape",
  name: "Reshape/transposed",
  inputs: [{ shape: [2, 3, 7] }],
  f: (x) => tf.reshape(tf.transpose(x, [2, 0, 1]), [-1, 3]),
});
cases.push({ kernel: "Reshape", name: "Reshape/empty", inputs: [{ shape: [0, 3] }], f: (x) => tf.reshape(x, [3, 0]) });
for (const perm of [
  [1, 0, 2],
  [2, 0, 1],
  [0, 2, 1],
])
  cases.push({ kernel: "Transpose", name: `Transpose/${perm}`, inputs: [{ shape: [2, 3, 5] }], f: (x) => tf.transpose(x, perm) });
cases.push({ kernel: "Slice", inputs: [{ shape: [5, 7] }], f: (x) => tf.slice(x, [1, 2], [3, -1]) });
cases.push({ kernel: "Slice", name: "Slice/3d-empty", inputs: [{ shape: [2, 3, 7] }], f: (x) => tf.slice(x, [1, 0, 3], [1, 0, 4]) });
cases.push({
  kernel: "Concat",
  inputs: [{ shape: [2, 3] }, { shape: [2, 5] }, { shape: [2, 0] }],
  f: (a, b, c) => tf.concat([a, b, c], 1),
});
cases.push({
  kernel: "Concat",
  name: "Concat/axis0",
  inputs: [{ shape: [2, 3, 4] }, { shape: [1, 3, 4] }],
  f: (a, b) => tf.concat([a, b], 0),
});
cases.push({ kernel: "Pack", inputs: [{ shape: [3, 4] }, { shape: [3, 4] }], f: (a, b) => tf.stack([a, b], 1) });
cases.push({ kernel: "Unpack", inputs: [{ shape: [3, 4] }], f: (a) => tf.unstack(a, 1) });
cases.push({ kernel: "SplitV", inputs: [{ shape: [3, 7] }], f: (a) => tf.split(a, [2, 4, 1], 1) });
cases.push({ kernel: "Cast", inputs: [{ shape: [3, 5], lo: -5, hi: 5 }], f: (x) => tf.cast(x, "int32"), grad: false });
cases.push({
  kernel: "Cast",
  name: "Cast/bool",
  inputs: [{ shape: [3, 5], lo: -1, hi: 1 }],
  f: (x) => tf.cast(tf.cast(tf.round(x), "bool"), "float32"),
  grad: false,
});
cases.push({
  kernel: "Cast",
  name: "Cast/int-float",
  inputs: [{ shape: [4], dtype: "int32", lo: -9, hi: 9 }],
  f: (x) => tf.cast(x, "float32"),
});
cases.push({ kernel: "Fill", inputs: [], f: () => tf.fill([2, 3], 1.5) });
cases.push({ kernel: "Fill", name: "Fill/int", inputs: [], f: () => tf.fill([0, 3], 2, "int32") });
cases.push({ kernel: "ZerosLike", inputs: [{ shape: [3, 5] }], f: (x) => tf.add(tf.zerosLike(x), x) });
cases.push({ kernel: "OnesLike", inputs: [{ shape: [3, 5] }], f: (x) => tf.mul(tf.onesLike(x), x) });
cases.push({ kernel: "OneHot", inputs: [{ shape: [2, 3], dtype: "int32", lo: -1, hi: 6 }], f: (x) => tf.oneHot(x, 5, 2, -1) });
cases.push({
  kernel: "Select",
  inputs: [{ shape: [3, 4], dtype: "bool" }, { shape: [3, 4] }, { shape: [3, 4] }],
  f: (c, a, b) => tf.where(c, a, b),
});
cases.push({
  kernel: "Select",
  name: "Select/broadcast",
  inputs: [{ shape: [4], dtype: "bool" }, { shape: [3, 4] }, { shape: [1, 4] }],
  f: (c, a, b) => tf.where(c, a, b),
});
cases.push({ kernel: "ClipByValue", inputs: [{ shape: [3, 5] }], f: (x) => tf.clipByValue(x, -0.5, 0.7) });
cases.push({ kernel: "AddN", inputs: [{ shape: [3, 5] }, { shape: [3, 5] }, { shape: [3, 5] }], f: (a, b, c) => tf.addN([a, b, c]) });
cases.push({ kernel: "Tile", inputs: [{ shape: [2, 3] }], f: (x) => tf.tile(x, [2, 3]) });
cases.push({ kernel: "BroadcastTo", inputs: [{ shape: [3, 1] }], f: (x) => tf.broadcastTo(x, [2, 3, 4]) });
cases.push({ kernel: "Reverse", inputs: [{ shape: [2, 3, 4] }], f: (x) => tf.reverse(x, [0, 2]) });
cases.push({
  kernel: "PadV2",
  inputs: [{ shape: [2, 3] }],
  f: (x) =>
    tf.pad(
      x,
      [
        [1, 0],
        [2, 3],
      ],
      0.5,
    ),
});
cases.push({
  kernel: "GatherV2",
  inputs: [{ shape: [6, 4] }, { shape: [2, 3], dtype: "int32", lo: 0, hi: 6 }],
  f: (x, i) => tf.gather(x, i),
});
cases.push({
  kernel: "GatherV2",
  name: "GatherV2/axis1",
  inputs: [{ shape: [3, 5, 2] }, { shape: [4], dtype: "int32", lo: 0, hi: 5 }],
  f: (x, i) => tf.gather(x, i, 1),
});
cases.push({
  kernel: "UnsortedSegmentSum",
  inputs: [{ shape: [6, 3] }, { shape: [6], dtype: "int32", lo: 0, hi: 4 }],
  f: (x, i) => tf.unsortedSegmentSum(x, i as tf.Tensor1D, 4),
});
cases.push({ kernel: "Range", inputs: [], f: () => tf.range(0, 10, 3) });
cases.push({ kernel: "Range", name: "Range/down", inputs: [], f: () => tf.range(5, -2, 1, "int32") });
cases.push({ kernel: "Range", name: "Range/empty", inputs: [], f: () => tf.range(0, 5, -1) });

// matmul family
for (const [sa, sb, ta, tb] of [
  [[3, 5], [5, 7], false, false],
  [[5, 3], [5, 7], true, false],
  [[3, 5], [7, 5], false, true],
  [[4, 3, 5], [4, 5, 2], false, false],
  [[4, 5, 3], [4, 2, 5], true, true],
  [[2, 3, 3, 5], [3, 5, 4], false, false],
  [[1, 3, 5], [4, 5, 2], false, false],
  [[4, 3, 5], [5, 6], false, false],
  [[1, 1], [1, 1], false, false],
  [[0, 5], [5, 3], false, false],
  [[3, 0], [0, 4], false, false],
  // one row: gemv on a row-major right operand and on a transposed one (the tied head's h·wteᵀ)
  [[1, 5], [5, 7], false, false],
  [[1, 5], [7, 5], false, true],
  [[5, 1], [5, 7], true, false],
] as [number[], number[], boolean, boolean][])
  cases.push({
    kernel: "BatchMatMul",
    name: `BatchMatMul/${sa}x${sb}/${ta}${tb}`,
    inputs: [{ shape: sa }, { shape: sb }],
    f: (a, b) => tf.matMul(a, b, ta, tb),
    tol: 1e-4,
  });
cases.push({
  kernel: "_FusedMatMul",
  inputs: [{ shape: [3, 5] }, { shape: [5, 4] }, { shape: [4] }],
  f: (a, b, c) => tf.fused.matMul({ a, b, bias: c, activation: "relu" }),
  tol: 1e-4,
});
cases.push({
  kernel: "_FusedMatMul",
  name: "_FusedMatMul/linear-batched",
  inputs: [{ shape: [2, 3, 5] }, { shape: [2, 4, 5] }, { shape: [4] }],
  f: (a, b, c) => tf.fused.matMul({ a, b, bias: c, transposeB: true }),
  tol: 1e-4,
});
// one row: the BLAS gemv path that matmul takes (the fused kernel runs the same product, then bias and activation)
for (const tb of [false, true])
  cases.push({
    kernel: "_FusedMatMul",
    name: `_FusedMatMul/one-row/${tb}`,
    inputs: [{ shape: [1, 6] }, { shape: tb ? [5, 6] : [6, 5] }, { shape: [5] }],
    f: (a, b, c) => tf.fused.matMul({ a, b, bias: c, transposeB: tb, activation: "relu" }),
    tol: 1e-4,
  });
for (const s of [[7], [3, 5], [2, 3, 9], [1, 1]])
  cases.push({ kernel: "Softmax", name: `Softmax/${s}`, inputs: [{ shape: s, lo: -5, hi: 5 }], f: (x) => tf.softmax(x) });
cases.push({ kernel: "Softmax", name: "logSoftmax", inputs: [{ shape: [4, 9], lo: -5, hi: 5 }], f: (x) => tf.logSoftmax(x) });

// the project's fused kernels: ops.ts on native (fused) vs ops.ts on cpu (composed)
// [1,1,128]: one decoded token (the addon's loop path); [40,33]: past its 1,024-element limit (native_layer_norm)
for (const s of [
  [3, 8],
  [2, 5, 16],
  [1, 1],
  [4, 7],
  [1, 1, 128],
  [40, 33],
])
  cases.push({
    kernel: "BbioLayerNorm",
    name: `layerNorm/${s}`,
    inputs: [{ shape: s }, { shape: [s[s.length - 1]], lo: 0.5, hi: 1.5 }, { shape: [s[s.length - 1]] }],
    f: (x, g, b) => layerNorm(x, g, b),
    tol: 1e-4,
  });
for (const s of [[3, 8], [2, 5, 16], [0, 4], []])
  cases.push({ kernel: "BbioGelu", name: `gelu/${s}`, inputs: [{ shape: s, lo: -4, hi: 4 }], f: gelu, tol: 1e-4 });

// one row ([1,9], [1,1,16]) runs as a BLAS gemv in the addon, more rows as gemm
for (const [sx, k, n] of [
  [[3, 8], 8, 5],
  [[2, 5, 16], 16, 7],
  [[1, 1], 1, 1],
  [[0, 4], 4, 3],
  [[1, 9], 9, 6],
  [[1, 1, 16], 16, 7],
] as [number[], number, number][])
  cases.push({
    kernel: "BbioLinear",
    name: `linear/${sx}x${k}x${n}`,
    inputs: [{ shape: sx }, { shape: [k, n] }, { shape: [n] }],
    f: (x, w, b) => linear(x, w, b),
    tol: 1e-4,
  });
/** the composed attention of src/model/gpt.ts (additive −1e9 causal mask) — what the fused kernel must equal */
function attentionComposed(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, scale: number, past: number): tf.Tensor {
  const T = q.shape[1]!,
    S = k.shape[1]!;
  let s = tf.mul(mm(q, tf.transpose(k, [0, 2, 1])), scale);
  if (T > 1) s = tf.add(s, tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([T, S]), -1, past)), -1e9));
  return mm(tf.softmax(s), v);
}
for (const [bh, T, S, hd] of [
  [3, 5, 5, 4],
  [8, 7, 7, 16],
  [2, 1, 6, 4],
  [2, 3, 9, 5],
  [1, 1, 1, 1],
])
  cases.push({
    kernel: "BbioAttention",
    name: `attention/${bh}x${T}x${S}x${hd}`,
    tol: 1e-4,
    inputs: [{ shape: [bh, T, hd] }, { shape: [bh, S, hd] }, { shape: [bh, S, hd] }],
    f: (q, k, v) => (fusedAttention() ? attention : attentionComposed)(q, k, v, 1 / Math.sqrt(hd), S - T),
  });

// cached decoding attention: the native kernel (in-place cache write) vs ops.ts's TF.js composition on cpu, on odd
// shapes — one token (the addon's loop path) with and without history, a prompt (T > 1, ATen path), a call that fills
// the cache to its last row, batches > 1. Caches start random so untouched rows must come back unchanged.
// [B, T, C, H, Smax, past]; outputs y, k cache, v cache; no gradient (inference only)
for (const [B, T, C, H, Smax, past] of [
  [1, 1, 12, 3, 7, 4],
  [2, 1, 10, 2, 9, 0],
  [2, 3, 8, 2, 8, 5],
  [3, 4, 6, 3, 11, 2],
  [1, 1, 4, 1, 1, 0],
  [2, 1, 9, 3, 5, 4],
  [1, 7, 16, 4, 13, 0],
])
  cases.push({
    kernel: "BbioKvAttention",
    name: `kvAttention/B${B}T${T}C${C}H${H}S${Smax}past${past}`,
    tol: 1e-4,
    grad: false,
    inputs: [
      { shape: [B, T, C] },
      ...["q", "k", "v"].flatMap(() => [{ shape: [C, C], lo: -0.5, hi: 0.5 }, { shape: [C] }]),
      { shape: [B * H, Smax, C / H] },
      { shape: [B * H, Smax, C / H] },
    ],
    f: (x, wq, bq, wk, bk, wv, bv, kc, vc) => {
      const r = kvAttention(x, { wq, bq, wk, bk, wv, bv }, kc, vc, H, past);
      return [r.y, r.k, r.v];
    },
  });

suite(title, () => {
  beforeAll(async () => {
    expect(registerNativeBackend().ok).toBe(true);
    await tf.setBackend("cpu");
    await tf.setBackend("native");
  });

  it("covers every natively registered kernel", () => {
    const covered = new Set(cases.map((c) => c.kernel));
    // gradient kernels are covered through the forward kernels' gradients
    covered
      .add("BbioLayerNormGrad")
      .add("BbioGeluGrad")
      .add("BbioAdamW")
      .add("BbioLinearGrad")
      .add("BbioAttentionGrad")
      .add("BbioSumSquares")
      .add("BbioScaleAll");
    expect(NATIVE_KERNELS.filter((k) => !covered.has(k))).toEqual([]);
  });

  it("every op code in native/ops.json (the addon's enums are generated from it) is a native kernel", () => {
    const ops = JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "native", "ops.json"), "utf8"));
    const listed = [...ops.unary, ...ops.binary, ...ops.reduce] as string[];
    expect(listed.filter((k) => !NATIVE_KERNELS.includes(k))).toEqual([]);
    expect(new Set(listed).size).toBe(listed.length);
  });

  it.each(cases.map((c, i) => [c.name ?? `${c.kernel}/${c.inputs.map((x) => `[${x.shape}]${x.dtype ?? ""}`).join(",")}`, i] as const))(
    "%s",
    async (_n, i) => {
      let c = cases[i];
      const seed = `case${i}`;
      let want: Result;
      try {
        want = await runOn("cpu", c, seed);
      } catch {
        // TF.js's own gradient does not support this configuration (e.g. Maximum's gradient under broadcasting):
        // compare the forward pass only
        c = { ...c, grad: false };
        want = await runOn("cpu", c, seed);
      }
      const got = await runOn("native", c, seed);
      const tol = c.tol ?? 2e-5;
      expect(got.outs.length).toBe(want.outs.length);
      got.outs.forEach((o, j) => {
        expect(o.shape, "shape").toEqual(want.outs[j].shape);
        expect(o.dtype, "dtype").toBe(want.outs[j].dtype);
        close(o.values, want.outs[j].values, tol, `out${j}`);
      });
      expect(got.grads === null).toBe(want.grads === null);
      got.grads?.forEach((g, j) => {
        expect(g.shape).toEqual(want.grads![j].shape);
        close(g.values, want.grads![j].values, tol * 5, `grad${j}`);
      });
    },
  );

  it("fused AdamW equals the composed update (cpu)", async () => {
    const shapes: [string, number[]][] = [
      ["w", [5, 3]],
      ["b", [3]],
    ];
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const params = new Map(shapes.map(([n, s]) => [n, tf.variable(tf.tensor(data({ shape: s }, `p/${n}`), s))]));
      const opt = new AdamW(params, { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 });
      for (let step = 0; step < 3; step++) {
        const grads = new Map(shapes.map(([n, s]) => [n, tf.tensor(data({ shape: s }, `g/${n}/${step}`), s)]));
        opt.step(grads, 1e-2);
        tf.dispose([...grads.values()]);
      }
      const out = [...params.values()].map((p) => Array.from(p.dataSync()));
      const st = await opt.state();
      opt.dispose();
      params.forEach((p) => p.dispose());
      return { out, m: Array.from(st.tensors.get("m/w")!.data) };
    };
    const want = await run("cpu");
    const got = await run("native");
    got.out.forEach((v, j) => close(v, want.out[j], 1e-5, `param${j}`));
    close(got.m, want.m, 1e-5, "m");
  });

  it("fused global-norm clipping equals the composed one (cpu)", async () => {
    const run = async (backend: string, maxNorm: number) => {
      await tf.setBackend(backend);
      const grads = new Map([
        ["a", tf.tensor(data({ shape: [5, 3] }, "c/a"), [5, 3])],
        ["b", tf.tensor(data({ shape: [3] }, "c/b"), [3])],
        ["e", tf.zeros([0, 2])],
      ]);
      const norm = clipByGlobalNorm(grads, maxNorm);
      const out = { norm: norm.dataSync()[0], g: [...grads.values()].map((g) => Array.from(g.dataSync())) };
      tf.dispose([norm, ...grads.values()]);
      return out;
    };
    for (const maxNorm of [0, 0.5, 100]) {
      const want = await run("cpu", maxNorm),
        got = await run("native", maxNorm);
      close([got.norm], [want.norm], 1e-5, "norm");
      got.g.forEach((v, j) => close(v, want.g[j], 1e-5, `g${j}`));
    }
  });

  it("a kernel the addon lacks runs through the cpu fallback", async () => {
    await tf.setBackend("native");
    // Cumsum is not implemented natively
    const x = tf.tensor([1, 2, 3, 4]);
    expect(Array.from(tf.cumsum(x).dataSync())).toEqual([1, 3, 6, 10]);
    x.dispose();
  });
});
