/**
 * Chooses the TF.js backend once per process and says which one ran (runs store the name).
 *
 * Order for "auto": GPU (tfjs-node-gpu → "tensorflow") → native (tfjs-node → "tensorflow") → wasm → cpu.
 * tfjs-node(-gpu) download libtensorflow at install time, which fails offline, so they are optional dependencies and
 * usually absent; the chain then lands on wasm. wasm vs cpu, measured on this project's default model (README,
 * stack.md §3): wasm (SIMD, single-threaded in Node) trains ~18× faster and samples faster, and computes the same
 * losses within float32 rounding, so it is the default pure-npm backend. The cpu backend is the reference for the
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

export const KNOWN_BACKENDS = ["auto", "tensorflow", "wasm", "cpu"] as const;
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

async function trySet(name: string): Promise<boolean> {
  if (name === "wasm") return tryWasm();
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
    for (const name of ["tensorflow", "wasm", "cpu"]) if ((ok = await trySet(name))) break;
  } else ok = await trySet(want);
  if (!ok) throw new BbioError(`backend "${want}" could not be initialised`, 2, want === "tensorflow" ? "tfjs-node(-gpu) is not installed (its install downloads libtensorflow, which fails offline); use wasm" : undefined);
  await tf.ready();
  chosen = tf.getBackend();
  if (!opts.quiet) process.stderr.write(`[bbio] tfjs backend: ${chosen}\n`);
  return chosen;
}

/** Resolve the preference from the environment first, then the config's `backend` field. */
export function backendPreference(configBackend?: string): string {
  return process.env.BBIO_BACKEND ?? configBackend ?? "auto";
}
