/**
 * Bridge to the PyTorch twin (bench/torch_gpt.py), run under Debian's /usr/bin/python3 where apt's python3-torch lives
 * (the pyenv python3 on PATH cannot import it). Every sub-command prints one JSON object on stdout.
 *
 * Threads. Our wasm backend runs on ONE core, so the like-for-like torch figure pins torch to one core in total:
 * torch.set_num_threads(1) AND OPENBLAS_NUM_THREADS=1 (Debian's OpenBLAS is the pthread build and otherwise spawns its
 * own thread per core behind torch's back). The "practical" figure is torch as fast as it goes on this machine:
 * set_num_threads(1) with OpenBLAS using all cores — measured as the fastest setting on the 2-core machine (probe
 * model: ~26,000 tokens/s; setting torch to 2 threads as well oversubscribes the cores: 10,500–14,000 tokens/s).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { cpus } from "node:os";

export const PYTHON = process.env.BBIO_TORCH_PYTHON ?? "/usr/bin/python3";
export const TORCH_SCRIPT = fileURLToPath(new URL("./torch_gpt.py", import.meta.url));
export const TORCH_INSTALL_HINT =
  `PyTorch not importable by ${PYTHON} — install Debian's build with: ` +
  "sudo apt-get install -y python3-torch libopenblas0-pthread  (OpenBLAS matters: without it torch uses reference BLAS, ~20× slower)";

/** How torch may use the CPU: "one-core" = like-for-like with our single-threaded wasm; "all-cores" = practical best. */
export type TorchThreads = "one-core" | "all-cores";

let available: boolean | undefined;
/** True when `/usr/bin/python3 -c "import torch"` succeeds (cached per process). */
export function torchAvailable(): boolean {
  if (available === undefined) {
    available = existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import torch"], { stdio: "ignore" }).status === 0;
  }
  return available;
}

/** Runs `torch_gpt.py <args>` and parses its JSON; throws with python's stderr on failure. */
export function runTorch<T = Record<string, unknown>>(
  args: string[],
  opts: { stdin?: string; threads?: TorchThreads; timeoutMs?: number } = {},
): T {
  const threads = opts.threads ?? "one-core";
  const env = { ...process.env, OPENBLAS_NUM_THREADS: threads === "one-core" ? "1" : String(cpus().length), OMP_NUM_THREADS: "1" };
  const r = spawnSync(PYTHON, [TORCH_SCRIPT, ...args, ...(args[0] === "info" ? [] : ["--threads", "1"])], {
    input: opts.stdin,
    env,
    encoding: "utf8",
    maxBuffer: 1 << 30,
    timeout: opts.timeoutMs ?? 600_000,
  });
  if (r.error) throw new Error(`torch_gpt.py ${args[0]}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`torch_gpt.py ${args[0]} exited ${r.status}:\n${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as T;
}

export interface TorchTrainResult {
  threads: number;
  params: number;
  batch: number;
  seq: number;
  steps: number;
  sec_per_step: number; // median
  sec_per_step_mean: number;
  tokens_per_s: number; // from the median step
  first_loss: number;
  last_loss: number;
}

export interface TorchForwardResult {
  shape: number[];
  logits: number[];
  loss?: number;
}

/** Logits (+ masked loss) of the checkpoint in `ckptDir` on one token batch — the numerical reference. */
export function torchForward(ckptDir: string, batch: { tokens: number[][]; targets?: number[][]; mask?: number[][] }): TorchForwardResult {
  return runTorch<TorchForwardResult>(["forward", "--ckpt", ckptDir], { stdin: JSON.stringify(batch) });
}

/** Best n×n float32 matmul GFLOP/s — the practical peak used as the MFU denominator. */
export function torchPeakGflops(threads: TorchThreads, n = 1024): number {
  return runTorch<{ gflops: number }>(["peak", "--n", String(n)], { threads }).gflops;
}
