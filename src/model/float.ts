/**
 * Float order: the settings that decide in which order the native backend's floating-point operations happen, pinned
 * so that the same config + seed + backend gives bit-identical numbers on any x86-64 CPU (docs/method.md §10,
 * native/README.md "Same numbers on any x86-64 CPU").
 *
 * libtorch (ATen) and OpenBLAS choose their kernels per CPU at run time: ATen picks a vector width (DEFAULT, AVX2 or
 * AVX512) and OpenBLAS a kernel set with its own blocking (Haswell, SkylakeX, Zen, Cooperlake, …). Two kernel sets
 * sum in different orders, so two machines train different models from the first step on, and GRPO sampling then
 * turns 1e-7 into other completions. Each library reads an environment variable when it loads, so the pinning is an
 * environment, set in the process that loads the addon before the addon is required (Node's process.env assignment
 * calls setenv, which the libraries' getenv then sees) and inherited by every child process:
 *
 *   ATEN_CPU_CAPABILITY=avx2      ATen's vector kernels (avx512 kernels sum in other orders)
 *   OPENBLAS_CORETYPE=Haswell     OpenBLAS's AVX2+FMA kernel set and blocking, which every x86-64 CPU with AVX2 runs
 *   DNNL_MAX_CPU_ISA=AVX2         oneDNN (linked by libtorch; no float32 op of ours reaches it, measured with
 *   ONEDNN_MAX_CPU_ISA=AVX2       ONEDNN_VERBOSE=1 — pinned so that a future op cannot bring per-CPU kernels back)
 *
 * Pinned is the default and overrides an inherited value of the same variables (an inherited OPENBLAS_CORETYPE is
 * exactly how a machine would silently differ). BBIO_FLOAT=native is the opt-out: the variables are left as they are
 * (the libraries pick the widest kernels this CPU has). Its runs record float = native:<what the libraries picked>,
 * their training stages get other cache keys, and `bbio merge` refuses to treat them as the pinned run.
 *
 * A CPU that cannot run the pinned kernels (no AVX2/FMA in /proc/cpuinfo, or not x86-64) gets one message naming the
 * setting and the fallback (the opt-out's behaviour, recorded as such) instead of an illegal-instruction crash.
 *
 *   applyFloatSettings();     // once per process, before the addon loads (loadNative calls it); idempotent
 *   floatSettings();          // what was applied: mode, the variables as the libraries see them, any fallback
 *   floatIdentity(s, picked); // "pinned-v1;threads=aten2,blas2": what runs record and training cache keys include
 *                             // (nativeInfo().float has it, with what the loaded libraries picked)
 */
import { readFileSync } from "node:fs";
import { arch } from "node:os";
import { BbioError } from "../util/errors.ts";

/** The pinned environment. Bump FLOAT_PIN_VERSION when it changes: cached artefacts made under the old one are stale. */
export const PINNED_ENV: Readonly<Record<string, string>> = {
  ATEN_CPU_CAPABILITY: "avx2",
  OPENBLAS_CORETYPE: "Haswell",
  DNNL_MAX_CPU_ISA: "AVX2",
  ONEDNN_MAX_CPU_ISA: "AVX2",
};
export const FLOAT_PIN_VERSION = 1;
/** CPU flags the pinned kernels execute (ATen's avx2 kernels and OpenBLAS's Haswell kernels use AVX2 and FMA3). */
export const REQUIRED_FLAGS = ["avx2", "fma"] as const;
export const FLOAT_MODES = ["pinned", "native"] as const;

export interface FloatSettings {
  /** pinned: PINNED_ENV applied; native: the opt-out (BBIO_FLOAT=native) or the fallback on a CPU that cannot pin */
  mode: "pinned" | "native";
  /** the float-order variables as the libraries will see them (null = unset: the library's own choice) */
  env: Record<string, string | null>;
  /** why a pinned request fell back (null when it did not) */
  fallback: string | null;
}

let applied: FloatSettings | undefined;
/** the float-order variables as this process inherited them, before pinning overwrote them */
let inherited: Record<string, string | undefined> | undefined;
let warned = false;

/** The x86 flags of this CPU, from /proc/cpuinfo (BBIO_CPUINFO names another file: tests simulate a CPU without AVX2). */
function cpuFlags(): Set<string> | null {
  try {
    const text = readFileSync(process.env.BBIO_CPUINFO ?? "/proc/cpuinfo", "utf8");
    const line = text.split("\n").find((l) => /^flags\s*:/.test(l));
    return line ? new Set(line.split(":")[1].trim().split(/\s+/)) : null;
  } catch {
    return null;
  }
}

/** Why this machine cannot run the pinned kernels, or null when it can. */
export function cannotPin(): string | null {
  if (arch() !== "x64" && !process.env.BBIO_CPUINFO) return `this is not an x86-64 CPU (${arch()})`;
  const flags = cpuFlags();
  if (!flags) return `the CPU's flags could not be read from ${process.env.BBIO_CPUINFO ?? "/proc/cpuinfo"}`;
  const missing = REQUIRED_FLAGS.filter((f) => !flags.has(f));
  return missing.length
    ? `this CPU has no ${missing.map((f) => f.toUpperCase()).join("/")} (flags in ${process.env.BBIO_CPUINFO ?? "/proc/cpuinfo"})`
    : null;
}

/** The mode asked for: BBIO_FLOAT (pinned | native), default pinned. An unknown value is a user error. */
export function requestedFloatMode(): "pinned" | "native" {
  const v = (process.env.BBIO_FLOAT ?? "pinned").trim() || "pinned";
  if (!(FLOAT_MODES as readonly string[]).includes(v))
    throw new BbioError(
      `BBIO_FLOAT=${v} is not a float mode`,
      2,
      "use BBIO_FLOAT=pinned (the default: same numbers on any x86-64 CPU) or native (faster, per-CPU numbers)",
    );
  return v as "pinned" | "native";
}

/**
 * Set the float-order environment for this process and its children. Must run before libtorch loads (loadNative
 * calls it before requiring the addon); calling it again returns the first result, because a library that has loaded
 * no longer reads its variable.
 */
export function applyFloatSettings(): FloatSettings {
  if (applied) return applied;
  const want = requestedFloatMode();
  inherited = Object.fromEntries(Object.keys(PINNED_ENV).map((k) => [k, process.env[k]]));
  let mode = want;
  let fallback: string | null = null;
  if (want === "pinned") {
    const why = cannotPin();
    if (why) {
      mode = "native";
      fallback = why;
      if (!warned) {
        warned = true;
        process.stderr.write(
          `[bbio] float pinning: ${why}, so ${Object.entries(PINNED_ENV)
            .slice(0, 2)
            .map(([k, v]) => `${k}=${v}`)
            .join(" and ")} cannot be honoured; falling back to the libraries' own kernels (as BBIO_FLOAT=native): ` +
            "results are this CPU's, recorded as float=native, and will not merge with pinned runs\n",
        );
      }
      // children inherit the decision instead of each repeating the message
      process.env.BBIO_FLOAT = "native";
    } else for (const [k, v] of Object.entries(PINNED_ENV)) process.env[k] = v;
  }
  applied = {
    mode,
    env: Object.fromEntries(Object.keys(PINNED_ENV).map((k) => [k, process.env[k] ?? null])),
    fallback,
  };
  return applied;
}

/** What applyFloatSettings decided (applying it first if nothing has yet). */
export function floatSettings(): FloatSettings {
  return applied ?? applyFloatSettings();
}

/**
 * An environment for a child process that should run unpinned (the bench's BBIO_FLOAT=native comparison): this
 * process's env with the pinned variables put back to what it inherited, so the child's libraries choose for this CPU
 * instead of inheriting the pin.
 */
export function unpinnedChildEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, BBIO_FLOAT: "native" };
  for (const k of Object.keys(PINNED_ENV)) {
    const v = inherited ? inherited[k] : process.env[k];
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Forget the decision (tests of the decision itself; the libraries of this process keep what they loaded with). */
export function resetFloatForTests(): void {
  applied = undefined;
  warned = false;
}

/**
 * The identity of the float settings, as stage cache keys, run records and `bbio merge` carry it:
 *   "pinned-v1;threads=aten2,blas2"                        a pinned run, the same on any x86-64 CPU
 *   "native:aten=AVX512,blas=SkylakeX;threads=aten2,blas2"  an opt-out run: its numbers are this CPU's kernels'
 * The thread counts are part of it because they change the order of sums (measured on `ci`: ATen 1 vs 2 threads and
 * OpenBLAS 1 vs 2 threads each change ~120 of 277 metric rows — ATen splits reductions such as LayerNorm's weight
 * gradient per thread, OpenBLAS's threaded gemm blocks K differently from its single-threaded one), so two machines
 * agree bit for bit when they also run the same BBIO_THREADS (and BBIO_ATEN_THREADS), not by default on different
 * core counts. `picked` is what the loaded libraries report (the addon's info()).
 */
export function floatIdentity(
  s: FloatSettings,
  picked: { aten?: string | null; blas?: string | null; atenThreads: number; blasThreads: number },
): string {
  const threads = `threads=aten${picked.atenThreads},blas${picked.blasThreads}`;
  if (s.mode === "pinned") return `pinned-v${FLOAT_PIN_VERSION};${threads}`;
  return `native:aten=${picked.aten ?? s.env.ATEN_CPU_CAPABILITY ?? "auto"},blas=${picked.blas ?? s.env.OPENBLAS_CORETYPE ?? "auto"};${threads}`;
}
