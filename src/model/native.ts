/**
 * The "native" TF.js backend: kernels run in libtorch (ATen) through the N-API addon built from native/
 * (`npm run build:native`). Tensors stay in libtorch: a TF.js dataId maps to an integer handle in the addon, and
 * data is copied out only by read()/readSync(). Identity is an alias (a second reference to the same dataId);
 * Reshape, Transpose and Slice are libtorch views. Gradients are TF.js's registered gradients over these kernels,
 * as for tfjs-node. A kernel the addon does not implement runs on TF.js's cpu backend (inputs copied out and results
 * copied back), so every TF.js op works; the hot ones are native (see NATIVE_KERNELS).
 *
 *   const st = loadNative();                 // {ok: true, addon} or {ok: false, reason}; never throws
 *   registerNativeBackend();                 // registers "native" (idempotent); false if the addon is absent
 *   nativeInfo();                            // {torch, atenThreads, blasThreads, device, library, ...}
 *
 * Threads: BBIO_THREADS (total cores this process may use; default: all cores ÷ BBIO_JOBS). Matmuls use OpenBLAS's
 * pool, elementwise ops ATen's; measured on the 2-core reference machine, see native/README.md.
 */
import { createRequire } from "node:module";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import OPS from "../../native/ops.json" with { type: "json" };
import { applyFloatSettings, floatIdentity, floatSettings, type FloatSettings } from "./float.ts";
import { useVectorKernels } from "../util/vector_kernels.ts";

// ---------------------------------------------------------------------------------------------------------------
// the addon

/** The addon's functions (native/src/addon.cc). Handles are small integers; dtype codes: 0 f32, 1 i32, 2 bool. */
export interface NativeAddon {
  write(values: ArrayBufferView, shape: number[], dtype: number): number;
  read(h: number): Float32Array | Int32Array | Uint8Array;
  dotsInto(vectors: readonly Float32Array[], acc: Float64Array): void;
  combineInto(grads: readonly Float32Array[], coef: Float64Array, out: Float32Array): void;
  sampleRows(logits: Float32Array, V: number, t: number, uniforms: Float64Array, ids: Int32Array, stats: Float64Array): void;
  expInto(x: Float64Array, out: Float64Array): void;
  dispose(h: number): void;
  live(): number;
  shape(h: number): number[];
  dtype(h: number): number;
  unary(op: number, x: number, out: number): number;
  binary(op: number, a: number, b: number, out: number): number;
  binaryScalar(op: number, a: number, s: number, out: number): number;
  reduce(op: number, x: number, axes: number[], keepDims: boolean, out: number): number;
  reshape(x: number, shape: number[]): number;
  transpose(x: number, perm: number[]): number;
  contiguous(x: number): number;
  slice(x: number, begin: number[], size: number[]): number;
  stridedSlice(x: number, begin: number[], end: number[], strides: number[]): number;
  concat(xs: number[], axis: number): number;
  stack(xs: number[], axis: number): number;
  unstack(x: number, axis: number): number[];
  split(x: number, sizes: number[], axis: number): number[];
  cast(x: number, dtype: number): number;
  clone(x: number): number;
  broadcastTo(x: number, shape: number[]): number;
  tile(x: number, reps: number[]): number;
  reverse(x: number, dims: number[]): number;
  pad(x: number, paddings: number[], value: number): number;
  fill(shape: number[], value: number, dtype: number): number;
  oneHot(indices: number, depth: number, on: number, off: number, dtype: number): number;
  select(c: number, t: number, e: number, out: number): number;
  clip(x: number, lo: number, hi: number): number;
  addN(xs: number[]): number;
  gather(x: number, indices: number, axis: number): number;
  segmentSum(x: number, ids: number, n: number): number;
  matmul(a: number, b: number, transposeA: boolean, transposeB: boolean): number;
  fusedMatmul(a: number, b: number, transposeA: boolean, transposeB: boolean, bias: number, act: number): number;
  softmax(x: number, dim: number): number;
  logSoftmax(x: number, dim: number): number;
  layerNorm(x: number, g: number, b: number, eps: number): number[];
  layerNormGrad(dy: number, x: number, mean: number, rstd: number, g: number): number[];
  gelu(x: number): number;
  geluGrad(dy: number, x: number): number;
  softmaxGrad(dy: number, y: number, dim: number): number;
  sumSquares(xs: number[]): number;
  scaleAll(xs: number[], s: number): number[];
  linear(x: number, w: number, b: number): number;
  linearGrad(dy: number, x: number, w: number): number[];
  attention(q: number, k: number, v: number, scale: number, past: number): number[];
  attentionGrad(dy: number, q: number, k: number, v: number, att: number, scale: number): number[];
  kvAttention(
    x: number,
    wq: number,
    bq: number,
    wk: number,
    bk: number,
    wv: number,
    bv: number,
    kc: number,
    vc: number,
    nHead: number,
    past: number,
    scale: number,
  ): number;
  adamw(
    p: number,
    g: number,
    m: number,
    v: number,
    lr: number,
    b1: number,
    b2: number,
    eps: number,
    wd: number,
    bc1: number,
    bc2: number,
  ): number[];
  setThreads(aten: number, blas: number): void;
  info(): {
    torch: string;
    atenThreads: number;
    interopThreads: number;
    blasThreads: number;
    device: string;
    cudaAvailable: number;
    parallel: string;
    config: string;
    blas: string;
    /** openblas_get_corename(): the kernel set OpenBLAS dispatched to */
    blasCore?: string;
    library?: string;
  };
  setDevice(d: string): void;
  selfTest(): number;
}

export type NativeStatus = { ok: true; addon: NativeAddon; path: string } | { ok: false; reason: string };

/** The package that provides libtorch on Debian/Ubuntu, named in every "not available" message. */
export const NATIVE_PACKAGE = "libtorch-dev";
const here = dirname(fileURLToPath(import.meta.url));
/** Where `npm run build:native` puts the addon (BBIO_NATIVE_ADDON overrides; tests point it at a missing file). */
export function addonPath(): string {
  return process.env.BBIO_NATIVE_ADDON ?? join(here, "..", "..", "native", "build", "Release", "bbio_native.node");
}

let status: NativeStatus | undefined;

/** Load the addon once. Never throws: a missing or broken addon (or libtorch) gives {ok: false, reason}. */
export function loadNative(): NativeStatus {
  if (status) return status;
  const path = addonPath();
  if (!existsSync(path)) {
    status = {
      ok: false,
      reason: `native addon not built (${path} is missing): install ${NATIVE_PACKAGE} (apt-get install ${NATIVE_PACKAGE}) and run \`npm run build:native\``,
    };
    return status;
  }
  // OpenMP threads spin after each parallel region and then fight OpenBLAS's threads for the cores: make them sleep.
  // libgomp reads this when libtorch loads, i.e. on the require below.
  process.env.OMP_WAIT_POLICY ??= "PASSIVE";
  // the float-order environment (ATen capability, OpenBLAS core type, oneDNN ISA) is read at load too: every process
  // that loads the addon comes through here, so this is the one place it is applied (children inherit it)
  applyFloatSettings();
  const probe = probeInChild(path);
  if (probe) {
    status = {
      ok: false,
      reason: `native addon at ${path} could not be loaded (${probe}): install or reinstall ${NATIVE_PACKAGE} and rebuild with \`npm run build:native\``,
    };
    return status;
  }
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    if (addon.selfTest() !== 8) throw new Error("self-test failed");
    status = { ok: true, addon, path };
  } catch (e) {
    const msg = String((e as Error).message ?? e).split("\n")[0];
    status = {
      ok: false,
      reason: `native addon at ${path} could not be loaded (${msg}): install or reinstall ${NATIVE_PACKAGE} and rebuild with \`npm run build:native\``,
    };
  }
  return status;
}

/**
 * Load the addon once in a child process before loading it here, so that a libtorch that crashes while loading
 * (an incompatible build) is a message, not a dead process. The verdict is cached in a stamp next to the addon, keyed
 * by the addon's and libtorch's file times, so the probe runs once per build or library upgrade. Returns null when
 * the addon loads, else the reason.
 */
function probeInChild(path: string): string | null {
  const stamp = join(dirname(path), ".load-ok");
  let key = "";
  try {
    const libs = [join(process.env.BBIO_TORCH_DIR ?? "", "lib"), "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib"]
      .filter((d) => existsSync(d))
      .flatMap((d) =>
        readdirSync(d)
          .filter((f) => /^lib(torch_cpu|torch|c10)\.so/.test(f))
          .map((f) => `${f}:${statSync(join(d, f)).mtimeMs}`),
      );
    key = [statSync(path).mtimeMs, process.versions.node, ...libs].join("|");
    if (existsSync(stamp) && readFileSync(stamp, "utf8") === key) return null;
  } catch {
    // unreadable: probe
  }
  const r = spawnSync(process.execPath, ["-e", `process.stdout.write(String(require(${JSON.stringify(path)}).selfTest()))`], {
    encoding: "utf8",
    timeout: 60_000,
  });
  if (r.stdout !== "8") {
    const why = r.signal
      ? `the process died with ${r.signal}`
      : ((r.stderr || r.error?.message || `exit ${r.status}`).split("\n").find((l) => /Error|error|undefined symbol|cannot open/.test(l)) ??
        `exit ${r.status}`);
    return why.trim().slice(0, 300);
  }
  try {
    if (key) writeFileSync(stamp, key);
  } catch {
    // read-only install: probe again next time
  }
  return null;
}

/** Forget the cached load result (tests that simulate a missing addon). */
export function resetNativeForTests(): void {
  status = undefined;
}

/** Threads for this process: BBIO_THREADS, else all cores ÷ BBIO_JOBS (jobs × threads ≤ cores). */
export function nativeThreads(): number {
  const env = Number.parseInt(process.env.BBIO_THREADS ?? "", 10);
  if (env >= 1) return env;
  const jobs = Math.max(1, Number.parseInt(process.env.BBIO_JOBS ?? "1", 10) || 1);
  return Math.max(1, Math.floor(availableParallelism() / jobs));
}

export type NativeInfo = ReturnType<NativeAddon["info"]> & {
  addon: string;
  threads: number;
  /** ATen's vector kernels in use ("AVX2", "AVX512", "NO AVX"), from at::show_config() */
  atenCapability: string | null;
  float: FloatSettings & { identity: string };
};

export function nativeInfo(): NativeInfo | null {
  const s = loadNative();
  if (!s.ok) return null;
  const i = s.addon.info();
  const atenCapability = /CPU capability usage:\s*(.+)/.exec(i.config)?.[1]?.trim() ?? null;
  const f = floatSettings();
  return {
    ...i,
    addon: s.path,
    threads: configuredThreads,
    atenCapability,
    // OpenBLAS's configured count, not openblas_get_num_threads(): small matmuls drop to 1 thread for the call
    float: {
      ...f,
      identity: floatIdentity(f, { aten: atenCapability, blas: i.blasCore, atenThreads: i.atenThreads, blasThreads: configuredThreads }),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// the backend

type DataId = object;
interface Entry {
  h: number; // addon handle
  refCount: number;
}
const DT: Record<string, number> = { float32: 0, int32: 1, bool: 2 };
const dtCode = (d: tf.DataType): number => {
  const c = DT[d];
  if (c === undefined) throw new Error(`native backend: dtype ${d} is not supported`);
  return c;
};

let N: NativeAddon; // set by registerNativeBackend
let configuredThreads = 0;

export class NativeBackend extends tf.KernelBackend {
  data: tf.DataStorage<Entry>;
  constructor() {
    super();
    this.data = new tf.DataStorage<Entry>(this, tf.engine());
  }
  /** handle of a tensor's data */
  h(t: tf.TensorInfo): number {
    return this.data.get(t.dataId).h;
  }
  /** wrap a new addon handle as a TensorInfo */
  out(h: number, shape: number[], dtype: tf.DataType): tf.TensorInfo {
    const dataId = {};
    this.data.set(dataId, { h, refCount: 1 });
    return { dataId, shape, dtype };
  }
  /** a TensorInfo with the shape read back from libtorch (ops whose shape rule is not worth repeating in JS) */
  outShaped(h: number, dtype: tf.DataType): tf.TensorInfo {
    return this.out(h, N.shape(h), dtype);
  }
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): tf.TensorInfo {
    const dataId = this.write(
      values ?? new (dtype === "float32" ? Float32Array : dtype === "int32" ? Int32Array : Uint8Array)(tf.util.sizeFromShape(shape)),
      shape,
      dtype,
    );
    return { dataId, shape, dtype };
  }
  private toHandle(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): number {
    if (dtype === "string" || dtype === "complex64") throw new Error(`native backend: dtype ${dtype} is not supported`);
    let v = values as ArrayBufferView;
    if (Array.isArray(values))
      v =
        dtype === "float32"
          ? Float32Array.from(values as unknown as number[])
          : dtype === "int32"
            ? Int32Array.from(values as unknown as number[])
            : Uint8Array.from(values as unknown as number[]);
    return N.write(v, shape, dtCode(dtype));
  }
  override write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): DataId {
    const dataId = {};
    this.data.set(dataId, { h: this.toHandle(values, shape, dtype), refCount: 1 });
    return dataId;
  }
  override move(dataId: DataId, values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType, refCount: number): void {
    this.data.set(dataId, { h: this.toHandle(values, shape, dtype), refCount });
  }
  override readSync(dataId: DataId): tf.backend_util.BackendValues {
    return N.read(this.data.get(dataId).h);
  }
  override async read(dataId: DataId): Promise<tf.backend_util.BackendValues> {
    return this.readSync(dataId);
  }
  override refCount(dataId: DataId): number {
    return this.data.has(dataId) ? this.data.get(dataId).refCount : 0;
  }
  override incRef(dataId: DataId): void {
    this.data.get(dataId).refCount++;
  }
  override disposeData(dataId: DataId, force = false): boolean {
    if (this.data.has(dataId)) {
      const e = this.data.get(dataId);
      e.refCount--;
      if (!force && e.refCount > 0) return false;
      N.dispose(e.h);
      this.data.delete(dataId);
    }
    return true;
  }
  override numDataIds(): number {
    return this.data.numDataIds();
  }
  override memory(): { unreliable: boolean; reasons?: string[] } {
    return { unreliable: true, reasons: ["tensors live in libtorch; numBytes is TF.js's own count"] };
  }
  override timerAvailable(): boolean {
    return true;
  }
  override async time(f: () => void): Promise<tf.TimingInfo> {
    const s = performance.now();
    f();
    return { kernelMs: performance.now() - s } as tf.TimingInfo;
  }
  override floatPrecision(): 32 {
    return 32;
  }
  override epsilon(): number {
    return 1e-7;
  }
  override dispose(): void {
    // tensors are freed one by one through disposeData; nothing global to release
  }
  /** live libtorch tensors held by handles (tests: no leak per step) */
  liveHandles(): number {
    return N.live();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// kernels

type KF = (args: {
  inputs: Record<string, tf.TensorInfo>;
  backend: NativeBackend;
  attrs: Record<string, unknown>;
}) => tf.TensorInfo | tf.TensorInfo[];
const kernels = new Map<string, KF>();

/** The addon's op codes, from their one source native/ops.json (build-native.mjs makes the addon's enums from it). */
function opCode(kind: "unary" | "binary" | "reduce", name: string): number {
  const code = (OPS[kind] as readonly string[]).indexOf(name);
  if (code < 0) throw new Error(`native/ops.json has no ${kind} op "${name}"`);
  return code;
}

const U: Record<string, "same" | "float32" | "bool"> = {
  Neg: "same",
  Exp: "float32",
  Log: "float32",
  Sqrt: "float32",
  Rsqrt: "float32",
  Tanh: "float32",
  Sigmoid: "float32",
  Softplus: "float32",
  Abs: "same",
  Square: "same",
  Relu: "same",
  Sign: "same",
  Floor: "same",
  Ceil: "same",
  Round: "same",
  Log1p: "float32",
  Expm1: "float32",
  Sin: "float32",
  Cos: "float32",
  Reciprocal: "float32",
  LogicalNot: "bool",
  IsNan: "bool",
  Erf: "float32",
  Elu: "float32",
  Relu6: "same",
  IsInf: "bool",
  IsFinite: "bool",
  Selu: "float32",
  Tan: "float32",
  Asin: "float32",
  Acos: "float32",
  Atan: "float32",
  Sinh: "float32",
  Cosh: "float32",
  Asinh: "float32",
  Acosh: "float32",
  Atanh: "float32",
};
for (const [name, rule] of Object.entries(U)) {
  const op = opCode("unary", name);
  kernels.set(name, ({ inputs: { x }, backend: b }) => {
    const dt: tf.DataType = rule === "same" ? x.dtype : rule;
    return b.out(N.unary(op, b.h(x), dtCode(dt)), x.shape, dt);
  });
}

const B: Record<string, "upcast" | "bool" | "float32" | "int32"> = {
  Add: "upcast",
  Sub: "upcast",
  Multiply: "upcast",
  RealDiv: "float32",
  FloorDiv: "int32",
  Maximum: "upcast",
  Minimum: "upcast",
  Pow: "upcast",
  SquaredDifference: "upcast",
  Equal: "bool",
  NotEqual: "bool",
  Less: "bool",
  LessEqual: "bool",
  Greater: "bool",
  GreaterEqual: "bool",
  LogicalAnd: "bool",
  LogicalOr: "bool",
  Mod: "upcast",
  Atan2: "float32",
  LogicalXor: "bool",
};
const bshape = (a: number[], b: number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]) ? a : tf.backend_util.assertAndGetBroadcastShape(a, b);
for (const [name, rule] of Object.entries(B)) {
  const op = opCode("binary", name);
  kernels.set(name, ({ inputs: { a, b: y }, backend: b }) => {
    const dt: tf.DataType = rule === "upcast" ? tf.backend_util.upcastType(a.dtype, y.dtype) : rule;
    // ATen's integer pow/mod/div follow their own rules for bool inputs: compute on the output dtype
    let ha = b.h(a),
      hb = b.h(y),
      tmp: number[] = [];
    if (rule === "upcast" && (a.dtype !== dt || y.dtype !== dt)) {
      if (a.dtype !== dt) tmp.push((ha = N.cast(ha, dtCode(dt))));
      if (y.dtype !== dt) tmp.push((hb = N.cast(hb, dtCode(dt))));
    }
    const r = b.out(N.binary(op, ha, hb, dtCode(dt)), bshape(a.shape, y.shape), dt);
    for (const t of tmp) N.dispose(t);
    return r;
  });
}

function reduceKernel(name: string, axisAttr: string, dtRule: (x: tf.DataType) => tf.DataType) {
  const op = opCode("reduce", name);
  kernels.set(name, ({ inputs: { x }, backend: b, attrs }) => {
    const axes = tf.util.parseAxisParam(attrs[axisAttr] as number | number[], x.shape);
    const keep = Boolean(attrs.keepDims);
    const [outShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
    const shape = keep ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
    const dt = dtRule(x.dtype);
    return b.out(N.reduce(op, b.h(x), axes, keep, dtCode(dt)), shape, dt);
  });
}
const sumDt = (d: tf.DataType): tf.DataType => (d === "float32" ? "float32" : "int32");
reduceKernel("Sum", "axis", sumDt);
reduceKernel("Mean", "axis", () => "float32");
reduceKernel("Max", "reductionIndices", (d) => d);
reduceKernel("Min", "axis", (d) => d);
reduceKernel("Prod", "axis", sumDt);
reduceKernel("Any", "axis", () => "bool");
reduceKernel("All", "axis", () => "bool");
for (const name of ["ArgMax", "ArgMin"]) {
  const op = opCode("reduce", name);
  kernels.set(name, ({ inputs: { x }, backend: b, attrs }) => {
    const axes = tf.util.parseAxisParam(attrs.axis as number, x.shape);
    const [outShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
    return b.out(N.reduce(op, b.h(x), axes, false, 1), outShape, "int32");
  });
}

kernels.set("Identity", ({ inputs: { x }, backend: b }) => {
  b.incRef(x.dataId); // alias: the same data, one more reference
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
});
kernels.set("Reshape", ({ inputs: { x }, backend: b, attrs }) => {
  const shape = tf.util.inferFromImplicitShape(attrs.shape as number[], tf.util.sizeFromShape(x.shape));
  return b.out(N.reshape(b.h(x), shape), shape, x.dtype);
});
kernels.set("Transpose", ({ inputs: { x }, backend: b, attrs }) => {
  const perm = attrs.perm as number[];
  return b.out(
    N.transpose(b.h(x), perm),
    perm.map((p) => x.shape[p]),
    x.dtype,
  );
});
kernels.set("Slice", ({ inputs: { x }, backend: b, attrs }) => {
  const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin as number[], attrs.size as number[]);
  tf.slice_util.assertParamsValid(x as tf.Tensor, begin, size);
  return b.out(N.slice(b.h(x), begin, size), size, x.dtype);
});
kernels.set("Concat", ({ inputs, backend: b, attrs }) => {
  const xs = Object.values(inputs);
  const axis = tf.util.parseAxisParam(attrs.axis as number, xs[0].shape)[0];
  const shape = tf.backend_util.computeOutShape(
    xs.map((t) => t.shape),
    axis,
  );
  const dt = xs.map((t) => t.dtype).reduce((p, c) => tf.backend_util.upcastType(p, c));
  const hs = xs.map((t) => (t.dtype === dt ? b.h(t) : -1));
  const tmp: number[] = [];
  xs.forEach((t, i) => {
    if (hs[i] < 0) tmp.push((hs[i] = N.cast(b.h(t), dtCode(dt))));
  });
  const r = b.out(N.concat(hs, axis), shape, dt);
  for (const t of tmp) N.dispose(t);
  return r;
});
kernels.set("Pack", ({ inputs, backend: b, attrs }) => {
  const xs = Object.values(inputs);
  const axis = (attrs.axis as number) < 0 ? (attrs.axis as number) + xs[0].shape.length + 1 : (attrs.axis as number);
  const shape = xs[0].shape.slice();
  shape.splice(axis, 0, xs.length);
  return b.out(
    N.stack(
      xs.map((t) => b.h(t)),
      axis,
    ),
    shape,
    xs[0].dtype,
  );
});
kernels.set("Unpack", ({ inputs: { value: x }, backend: b, attrs }) => {
  const axis = tf.util.parseAxisParam(attrs.axis as number, x.shape)[0];
  const shape = x.shape.filter((_, i) => i !== axis);
  return N.unstack(b.h(x), axis).map((h) => b.out(h, shape, x.dtype));
});
kernels.set("SplitV", ({ inputs: { x }, backend: b, attrs }) => {
  const axis = tf.util.parseAxisParam(attrs.axis as number, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, attrs.numOrSizeSplits as number | number[], axis);
  return N.split(b.h(x), sizes, axis).map((h, i) => {
    const s = x.shape.slice();
    s[axis] = sizes[i];
    return b.out(h, s, x.dtype);
  });
});
kernels.set("Cast", ({ inputs: { x }, backend: b, attrs }) => {
  const dt = attrs.dtype as tf.DataType;
  if (dt === x.dtype) return b.out(N.clone(b.h(x)), x.shape, dt);
  return b.out(N.cast(b.h(x), dtCode(dt)), x.shape, dt);
});
kernels.set("Fill", ({ backend: b, attrs }) => {
  const shape = attrs.shape as number[],
    dt = (attrs.dtype as tf.DataType) ?? "float32";
  return b.out(N.fill(shape, Number(attrs.value), dtCode(dt)), shape, dt);
});
kernels.set("ZerosLike", ({ inputs: { x }, backend: b }) => b.out(N.fill(x.shape, 0, dtCode(x.dtype)), x.shape, x.dtype));
kernels.set("OnesLike", ({ inputs: { x }, backend: b }) => b.out(N.fill(x.shape, 1, dtCode(x.dtype)), x.shape, x.dtype));
kernels.set("OneHot", ({ inputs: { indices }, backend: b, attrs }) => {
  const depth = attrs.depth as number,
    dt = (attrs.dtype as tf.DataType) ?? "int32";
  return b.out(N.oneHot(b.h(indices), depth, attrs.onValue as number, attrs.offValue as number, dtCode(dt)), [...indices.shape, depth], dt);
});
kernels.set("Select", ({ inputs: { condition, t, e }, backend: b }) => {
  const dt = tf.backend_util.upcastType(t.dtype, e.dtype);
  return b.out(N.select(b.h(condition), b.h(t), b.h(e), dtCode(dt)), t.shape, dt);
});
kernels.set("ClipByValue", ({ inputs: { x }, backend: b, attrs }) =>
  b.out(N.clip(b.h(x), attrs.clipValueMin as number, attrs.clipValueMax as number), x.shape, x.dtype),
);
kernels.set("AddN", ({ inputs, backend: b }) => {
  const xs = Object.values(inputs);
  return b.out(N.addN(xs.map((t) => b.h(t))), xs[0].shape, xs[0].dtype);
});
kernels.set("Tile", ({ inputs: { x }, backend: b, attrs }) => {
  const reps = attrs.reps as number[];
  return b.out(
    N.tile(b.h(x), reps),
    x.shape.map((d, i) => d * reps[i]),
    x.dtype,
  );
});
kernels.set("BroadcastTo", ({ inputs: { x }, backend: b, attrs }) => {
  const shape = attrs.shape as number[];
  let h = b.h(x),
    tmp = 0;
  if (x.shape.length < shape.length) tmp = h = N.reshape(h, [...new Array(shape.length - x.shape.length).fill(1), ...x.shape]);
  const r = b.out(N.contiguous(N.broadcastTo(h, shape)), shape, x.dtype);
  if (tmp) N.dispose(tmp);
  return r;
});
kernels.set("Reverse", ({ inputs: { x }, backend: b, attrs }) =>
  b.out(N.reverse(b.h(x), tf.util.parseAxisParam(attrs.dims as number | number[], x.shape)), x.shape, x.dtype),
);
kernels.set("PadV2", ({ inputs: { x }, backend: b, attrs }) => {
  const p = attrs.paddings as [number, number][];
  return b.out(
    N.pad(b.h(x), p.flat(), attrs.constantValue as number),
    x.shape.map((d, i) => d + p[i][0] + p[i][1]),
    x.dtype,
  );
});
kernels.set("GatherV2", ({ inputs: { x, indices }, backend: b, attrs }) => {
  if ((attrs.batchDims as number) ?? 0) return cpuFallback("GatherV2")({ inputs: { x, indices }, backend: b, attrs }) as tf.TensorInfo;
  const axis = tf.util.parseAxisParam(attrs.axis as number, x.shape)[0];
  return b.out(N.gather(b.h(x), b.h(indices), axis), [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)], x.dtype);
});
kernels.set("UnsortedSegmentSum", ({ inputs: { x, segmentIds }, backend: b, attrs }) => {
  const n = attrs.numSegments as number;
  return b.out(N.segmentSum(b.h(x), b.h(segmentIds), n), [n, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
});
kernels.set("Range", ({ backend: b, attrs }) => {
  const { start, stop, step, dtype } = attrs as { start: number; stop: number; step: number; dtype: "float32" | "int32" };
  // TF.js's rangeImpl: empty when the step points away from stop; a default step of 1 counts down when stop < start
  const n = start === stop || (start < stop && step < 0) || (stop < start && step > 1) ? 0 : Math.abs(Math.ceil((stop - start) / step));
  const st = stop < start && step === 1 ? -1 : step;
  const v = dtype === "int32" ? new Int32Array(n) : new Float32Array(n);
  if (n) v[0] = start;
  for (let i = 1; i < n; i++) v[i] = v[i - 1] + st;
  return b.out(N.write(v, [n], dtCode(dtype)), [n], dtype);
});

function matmulShape(a: number[], b: number[], ta: boolean, tb: boolean): number[] {
  const M = ta ? a[a.length - 1] : a[a.length - 2],
    N_ = tb ? b[b.length - 2] : b[b.length - 1];
  const batch = tf.backend_util.assertAndGetBroadcastShape(a.slice(0, -2), b.slice(0, -2));
  return [...batch, M, N_];
}
kernels.set("BatchMatMul", ({ inputs: { a, b: y }, backend: b, attrs }) => {
  const ta = Boolean(attrs.transposeA),
    tb = Boolean(attrs.transposeB);
  return b.out(N.matmul(b.h(a), b.h(y), ta, tb), matmulShape(a.shape, y.shape, ta, tb), a.dtype);
});
kernels.set("_FusedMatMul", (args) => {
  const {
    inputs: { a, b: y, bias, preluActivationWeights },
    backend: b,
    attrs,
  } = args;
  const act = attrs.activation as string;
  if (preluActivationWeights || !["linear", "relu"].includes(act ?? "linear")) return cpuFallback("_FusedMatMul")(args);
  const ta = Boolean(attrs.transposeA),
    tb = Boolean(attrs.transposeB);
  return b.out(
    N.fusedMatmul(b.h(a), b.h(y), ta, tb, bias ? b.h(bias) : 0, act === "relu" ? 1 : 0),
    matmulShape(a.shape, y.shape, ta, tb),
    a.dtype,
  );
});
kernels.set("Softmax", ({ inputs: { logits }, backend: b, attrs }) =>
  b.out(N.softmax(b.h(logits), (attrs.dim as number) ?? -1), logits.shape, "float32"),
);

// fused kernels of this project (src/model/ops.ts calls them through tf.customGrad when the backend is native)
kernels.set("BbioLayerNorm", ({ inputs: { x, g, b: bias }, backend: b, attrs }) => {
  const [y, mean, rstd] = N.layerNorm(b.h(x), b.h(g), b.h(bias), (attrs.eps as number) ?? 1e-5);
  const s = [...x.shape.slice(0, -1), 1];
  return [b.out(y, x.shape, "float32"), b.out(mean, s, "float32"), b.out(rstd, s, "float32")];
});
kernels.set("BbioLayerNormGrad", ({ inputs: { dy, x, mean, rstd, g }, backend: b }) => {
  const [dx, dg, db] = N.layerNormGrad(b.h(dy), b.h(x), b.h(mean), b.h(rstd), b.h(g));
  return [b.out(dx, x.shape, "float32"), b.out(dg, g.shape, "float32"), b.out(db, g.shape, "float32")];
});
kernels.set("BbioGelu", ({ inputs: { x }, backend: b }) => b.out(N.gelu(b.h(x)), x.shape, "float32"));
kernels.set("BbioGeluGrad", ({ inputs: { dy, x }, backend: b }) => b.out(N.geluGrad(b.h(dy), b.h(x)), x.shape, "float32"));

kernels.set("BbioLinear", ({ inputs: { x, w, b: bias }, backend: b }) =>
  b.out(N.linear(b.h(x), b.h(w), bias ? b.h(bias) : 0), [...x.shape.slice(0, -1), w.shape[1]], "float32"),
);
kernels.set("BbioLinearGrad", ({ inputs: { dy, x, w }, backend: b }) => {
  const [dx, dw, db] = N.linearGrad(b.h(dy), b.h(x), b.h(w));
  return [b.out(dx, x.shape, "float32"), b.out(dw, w.shape, "float32"), b.out(db, [w.shape[1]], "float32")];
});
kernels.set("BbioAttention", ({ inputs: { q, k, v }, backend: b, attrs }) => {
  const [y, att] = N.attention(b.h(q), b.h(k), b.h(v), attrs.scale as number, attrs.past as number);
  return [b.out(y, [q.shape[0], q.shape[1], v.shape[2]], "float32"), b.out(att, [q.shape[0], q.shape[1], k.shape[1]], "float32")];
});
kernels.set("BbioAttentionGrad", ({ inputs: { dy, q, k, v, att }, backend: b, attrs }) => {
  const [dq, dk, dv] = N.attentionGrad(b.h(dy), b.h(q), b.h(k), b.h(v), b.h(att), attrs.scale as number);
  return [b.out(dq, q.shape, "float32"), b.out(dk, k.shape, "float32"), b.out(dv, v.shape, "float32")];
});
// cached decoding attention (ops.ts kvAttention): writes this call's keys/values into the caches IN PLACE, so the
// cache outputs are aliases of the cache inputs (one more reference, as Identity) — the caller swaps its handles
kernels.set("BbioKvAttention", ({ inputs: { x, wq, bq, wk, bk, wv, bv, kc, vc }, backend: b, attrs }) => {
  const y = N.kvAttention(
    b.h(x),
    b.h(wq),
    b.h(bq),
    b.h(wk),
    b.h(bk),
    b.h(wv),
    b.h(bv),
    b.h(kc),
    b.h(vc),
    attrs.nHead as number,
    attrs.past as number,
    attrs.scale as number,
  );
  b.incRef(kc.dataId);
  b.incRef(vc.dataId);
  return [
    b.out(y, x.shape, "float32"),
    { dataId: kc.dataId, shape: kc.shape, dtype: kc.dtype },
    { dataId: vc.dataId, shape: vc.shape, dtype: vc.dtype },
  ];
});
kernels.set("BbioSumSquares", ({ inputs, backend: b }) => b.out(N.sumSquares(Object.values(inputs).map((t) => b.h(t))), [], "float32"));
kernels.set("BbioScaleAll", ({ inputs, backend: b }) => {
  const { s, ...rest } = inputs;
  const xs = Object.values(rest);
  return N.scaleAll(
    xs.map((t) => b.h(t)),
    b.h(s),
  ).map((h, i) => b.out(h, xs[i].shape, xs[i].dtype));
});
kernels.set("BbioAdamW", ({ inputs: { p, g, m, v }, backend: b, attrs }) => {
  const a = attrs as Record<string, number>;
  return N.adamw(b.h(p), b.h(g), b.h(m), b.h(v), a.lr, a.beta1, a.beta2, a.eps, a.weightDecay, a.bc1, a.bc2).map((h) =>
    b.out(h, p.shape, "float32"),
  );
});

/** Kernels implemented in libtorch (the rest of TF.js's kernels run through the cpu fallback). */
export const NATIVE_KERNELS: readonly string[] = [...kernels.keys()];

// ---- fallback: a kernel the addon lacks runs on TF.js's cpu backend ----
const fallbackUsed = new Set<string>();
function cpuFallback(name: string): KF {
  return ({ inputs, backend: b, attrs }) => {
    const cpu = tf.findBackend("cpu") as tf.KernelBackend;
    const cfg = tf.getKernel(name, "cpu");
    if (!cpu || !cfg) throw new Error(`native backend: kernel ${name} is not implemented (and the cpu backend has no fallback)`);
    if (!fallbackUsed.has(name)) {
      fallbackUsed.add(name);
      if (process.env.BBIO_NATIVE_DEBUG) process.stderr.write(`[bbio] native: kernel ${name} runs on the cpu fallback\n`);
    }
    const cpuInputs: Record<string, tf.TensorInfo> = {};
    const ids: object[] = [];
    for (const [k, t] of Object.entries(inputs)) {
      if (!t) continue;
      const dataId = cpu.write(b.readSync(t.dataId), t.shape, t.dtype);
      ids.push(dataId);
      cpuInputs[k] = { dataId, shape: t.shape, dtype: t.dtype };
    }
    const res = cfg.kernelFunc({ inputs: cpuInputs, attrs: attrs as tf.NamedAttrMap, backend: cpu });
    const outs = Array.isArray(res) ? res : [res];
    const mine = outs.map((o) => b.out(N.write(cpu.readSync(o.dataId) as ArrayBufferView, o.shape, dtCode(o.dtype)), o.shape, o.dtype));
    for (const id of new Set([...ids, ...outs.map((o) => o.dataId)])) cpu.disposeData(id, true);
    return Array.isArray(res) ? mine : mine[0];
  };
}
/** kernels that have run through the cpu fallback in this process */
export function nativeFallbackKernels(): string[] {
  return [...fallbackUsed];
}

// ---------------------------------------------------------------------------------------------------------------

let registered = false;

/** Register the "native" backend and its kernels (idempotent). Returns false (with the reason) when the addon is absent. */
export function registerNativeBackend(priority = 3): { ok: boolean; reason?: string } {
  const s = loadNative();
  if (!s.ok) return { ok: false, reason: s.reason };
  if (registered) return { ok: true };
  N = s.addon;
  // the host loops over large typed arrays (src/util/vector_kernels.ts: the combine's float64 sums, the decoder's draw):
  // the same bits as the JS reference, faster
  if (typeof N.dotsInto === "function" && typeof N.sampleRows === "function")
    useVectorKernels({ dotsInto: N.dotsInto, combineInto: N.combineInto, sampleRows: N.sampleRows });
  const threads = nativeThreads();
  configuredThreads = threads;
  // measured (native/README.md): OpenBLAS's pool runs the matmuls on all of this process's cores; ATen's
  // elementwise loops get the same count (OMP_WAIT_POLICY=PASSIVE keeps the two pools from fighting)
  const aten = Number.parseInt(process.env.BBIO_ATEN_THREADS ?? "", 10) || threads;
  N.setThreads(aten, threads);
  // a CUDA build of libtorch (BBIO_TORCH_DIR at build time) runs on the GPU unless BBIO_DEVICE says otherwise
  const device = process.env.BBIO_DEVICE ?? (N.info().cudaAvailable ? "cuda" : "cpu");
  if (device !== "cpu") N.setDevice(device);
  tf.registerBackend("native", () => new NativeBackend(), priority);
  const mine = new Set(kernels.keys());
  for (const [name, kernelFunc] of kernels)
    tf.registerKernel({ kernelName: name, backendName: "native", kernelFunc: kernelFunc as unknown as tf.KernelFunc });
  for (const k of tf.getKernelsForBackend("cpu"))
    if (!mine.has(k.kernelName))
      tf.registerKernel({
        kernelName: k.kernelName,
        backendName: "native",
        kernelFunc: cpuFallback(k.kernelName) as unknown as tf.KernelFunc,
      });
  registered = true;
  return { ok: true };
}

/** true when the active TF.js backend is this one (ops.ts then uses the fused kernels) */
export function nativeActive(): boolean {
  return registered && tf.getBackend() === "native";
}
