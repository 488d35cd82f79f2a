/**
 * Chooses the TF.js backend once per process and says which one ran (runs store the name).
 *
 * Order for "auto": GPU (tfjs-node-gpu or tfjs-node → "tensorflow") → "native" (this project's addon over libtorch,
 * src/model/native.ts, built by `npm run build:native` when Debian's libtorch-dev is installed) → wasm → cpu.
 * tfjs-node(-gpu) download libtensorflow at install time, which fails offline, so they are optional dependencies and
 * usually absent. The native addon is optional too: when it is missing or cannot load, "auto" prints one line naming
 * the package to install and falls back to wasm; BBIO_BACKEND=native then is an error, never a silent fallback.
 * wasm vs cpu, measured on this project's default model (README) and on a 470,528-parameter probe model (2,854 vs 154
 * tokens/s on one core): wasm (SIMD, single-threaded in Node) trains ~18× faster and samples faster, and computes the
 * same losses within float32 rounding, so it is the default pure-npm backend. The cpu backend is the reference for the
 * exact-determinism and finite-difference tests. wasm lacks UnsortedSegmentSum (the gradient of tf.gather), hence the
 * one-hot embedding in ops.ts.
 *
 *   const name = await initBackend();            // BBIO_BACKEND, else "auto"
 *   const name = await initBackend("cpu");       // force one; unknown names are a clear error
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { BbioError } from "../util/errors.ts";

export const KNOWN_BACKENDS = ["auto", "tensorflow", "native", "wasm", "cpu"] as const;
let chosen: string | undefined;
let wasmRegistered = false;

async function tryNative(pkg: string): Promise<boolean> {
  try {
    await import(/* @vite-ignore */ pkg); // registers the "tensorflow" backend when libtensorflow is present
    return await tf.setBackend("tensorflow");
  } catch {
    return false;
  }
}

async function tryWasm(): Promise<boolean> {
  try {
    if (!wasmRegistered) {
      const wasm = await import("@tensorflow/tfjs-backend-wasm");
      // under Node the .wasm binaries must be located explicitly: they ship in the package's dist/
      const dist = dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm")) + "/";
      wasm.setWasmPaths(dist);
      wasmRegistered = true;
    }
    return await tf.setBackend("wasm");
  } catch {
    return false;
  }
}

let nativeReason: string | undefined;

async function tryNativeAddon(): Promise<boolean> {
  const { registerNativeBackend, nativeInfo } = await import("./native.ts");
  const r = registerNativeBackend();
  nativeInfoSync = nativeInfo;
  if (!r.ok) {
    nativeReason = r.reason;
    return false;
  }
  try {
    return await tf.setBackend("native");
  } catch (e) {
    nativeReason = `native backend failed to start: ${(e as Error).message}`;
    return false;
  }
}

async function trySet(name: string): Promise<boolean> {
  if (name === "wasm") return tryWasm();
  if (name === "native") return tryNativeAddon();
  if (name === "tensorflow") return (await tryNative("@tensorflow/tfjs-node-gpu")) || (await tryNative("@tensorflow/tfjs-node"));
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

/**
 * Initialise (once) and return the backend's name. `pref`: "auto" or a backend name; BBIO_BACKEND overrides config.
 * Calling again with the same preference is free; a different forced name switches backend (tests use this).
 */
export async function initBackend(pref: string = process.env.BBIO_BACKEND ?? "auto", opts: { quiet?: boolean } = {}): Promise<string> {
  const want = pref || "auto";
  if (!(KNOWN_BACKENDS as readonly string[]).includes(want))
    throw new BbioError(`unknown backend "${want}"`, 2, `use one of: ${KNOWN_BACKENDS.join(", ")} (BBIO_BACKEND or config "backend")`);
  if (chosen && (want === "auto" || want === chosen)) return chosen;
  tf.env().set("PROD", true); // skip per-op NaN checks and debug bookkeeping
  let ok = false;
  if (want === "auto") {
    for (const name of ["tensorflow", "native", "wasm", "cpu"]) {
      if ((ok = await trySet(name))) break;
      // one line, once per process, when the native addon is what was skipped
      if (name === "native" && nativeReason && !opts.quiet && !nativeWarned) {
        nativeWarned = true;
        process.stderr.write(`[bbio] native backend unavailable, falling back: ${nativeReason}\n`);
      }
    }
  } else ok = await trySet(want);
  if (!ok)
    throw new BbioError(
      `backend "${want}" could not be initialised${want === "native" && nativeReason ? `: ${nativeReason}` : ""}`,
      2,
      want === "tensorflow"
        ? "tfjs-node(-gpu) is not installed (its install downloads libtensorflow, which fails offline); use native or wasm"
        : want === "native"
          ? "apt-get install libtorch-dev, then npm run build:native (or choose BBIO_BACKEND=wasm)"
          : undefined,
    );
  await tf.ready();
  chosen = tf.getBackend();
  if (!opts.quiet) process.stderr.write(`[bbio] tfjs backend: ${describeBackend()}\n`);
  return chosen;
}
let nativeWarned = false;

/** What runs: "native (libtorch 1.13.0, 2 threads)", "wasm (1 thread)", … — for logs and run records. */
export function describeBackend(): string {
  const name = tf.getBackend();
  if (name === "native") {
    const i = nativeInfoSync();
    return i ? `native (libtorch ${i.torch} on ${i.device}, ${i.threads} thread${i.threads === 1 ? "" : "s"})` : "native";
  }
  if (name === "wasm" || name === "cpu") return `${name} (1 thread)`;
  return name;
}

let nativeInfoSync: () => { torch: string; device: string; threads: number } | null = () => null;

/** Backend details for `bbio backend` and run records: name, threads and library versions. */
export async function backendInfo(): Promise<{
  backend: string;
  threads: number;
  tfjs: string;
  native: Record<string, unknown> | null;
  nativeUnavailable?: string;
}> {
  const { nativeInfo, loadNative } = await import("./native.ts");
  const name = tf.getBackend();
  const n = loadNative();
  const info = n.ok ? nativeInfo() : null;
  return {
    backend: name,
    threads: name === "native" ? (info?.threads ?? 1) : 1,
    tfjs: tf.version.tfjs,
    native: info ? { ...info, config: undefined } : null,
    ...(n.ok ? {} : { nativeUnavailable: n.reason }),
  };
}

/** Resolve the preference from the environment first, then the config's `backend` field. */
export function backendPreference(configBackend?: string): string {
  return process.env.BBIO_BACKEND ?? configBackend ?? "auto";
}
