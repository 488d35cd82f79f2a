/**
 * The same numbers on any x86-64 CPU (docs/method.md §10): a fresh `ci` run on the native backend reproduces the
 * committed metrics (test/golden/ci-metrics.json) EXACTLY, bit for bit — and still does when the process inherits the
 * environment another CPU would produce (OpenBLAS's AVX-512 or AVX kernels, ATen's scalar kernels, other cache sizes),
 * because the pinned float settings override it (src/model/float.ts). Each run is a child process: the libraries
 * read these variables when they load. Regenerate the golden file with `npx tsx scripts/golden-ci.ts --write`, only
 * for an intended numeric change.
 *
 * Skipped (with the reason in the title) where the native addon is not built or the CPU cannot run the pinned kernels.
 */
import { describe, it, expect } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadNative } from "../../src/model/native.ts";
import { cannotPin, PINNED_ENV } from "../../src/model/float.ts";
import { bbio, spawnTs, tmp } from "../store/helpers.ts";

const st = loadNative();
const why = !st.ok ? "native addon not built" : cannotPin();
const suite = why ? describe.skip : describe;
const flags = (() => {
  try {
    return readFileSync("/proc/cpuinfo", "utf8");
  } catch {
    return "";
  }
})();
// another CPU's kernels that THIS CPU can still execute: AVX-512 where it has it, else Sandybridge's AVX kernels
const otherCore = / avx512f /.test(flags) ? "SkylakeX" : "Sandybridge";
const otherCpuEnv = {
  OPENBLAS_CORETYPE: otherCore,
  ATEN_CPU_CAPABILITY: "default",
  DNNL_MAX_CPU_ISA: "SSE41",
  ONEDNN_MAX_CPU_ISA: "SSE41",
  OPENBLAS_L2_SIZE: "2048",
  GOTO_BLOCK_FACTOR: "50",
};

async function golden(env: Record<string, string>): Promise<{ code: number | null; result: Record<string, unknown>; stderr: string }> {
  const p = spawnTs("scripts/golden-ci.ts", [], env);
  const { code } = await p.exit;
  const line = p.stdout().trim().split("\n").at(-1) ?? "{}";
  let result: Record<string, unknown> = {};
  try {
    result = JSON.parse(line);
  } catch {
    result = { unparsed: p.stdout() };
  }
  return { code, result, stderr: p.stderr() };
}

suite(`golden ci metrics, native backend${why ? ` (skipped: ${why})` : ""}`, () => {
  it("a fresh ci run matches test/golden/ci-metrics.json exactly", async () => {
    const r = await golden({});
    expect(r.result.differ, JSON.stringify(r.result) + r.stderr).toBe(0);
    expect(r.result.rows).toBeGreaterThan(200);
    expect((r.result.float as { identity: string }).identity).toMatch(/^pinned-v\d+;threads=aten2,blas2$/);
    expect(r.code).toBe(0);
  }, 300_000);

  it(`and still matches with another CPU's kernels in the inherited env (OpenBLAS ${otherCore}, ATen default): pinning overrides it`, async () => {
    const r = await golden(otherCpuEnv);
    expect(r.result.differ, JSON.stringify(r.result) + r.stderr).toBe(0);
    expect(r.result.float).toMatchObject({ aten: "AVX2", openblas: "Haswell" });
    expect(r.code).toBe(0);
  }, 300_000);

  it("the simulated CPU is real: without pinning (BBIO_FLOAT=native) the libraries dispatch to it; pinned, they do not", async () => {
    const unpinned = await bbio(["backend", "--json", "--backend", "native"], { ...otherCpuEnv, BBIO_FLOAT: "native" });
    expect(unpinned.code, unpinned.stderr).toBe(0);
    const u = JSON.parse(unpinned.stdout).native;
    expect(u).toMatchObject({ blasCore: otherCore, atenCapability: "NO AVX", float: { mode: "native" } });
    expect(u.float.identity).toBe(`native:aten=NO AVX,blas=${otherCore};threads=aten${u.atenThreads},blas${u.threads}`);
    const pinned = await bbio(["backend", "--json", "--backend", "native"], otherCpuEnv);
    const p = JSON.parse(pinned.stdout).native;
    expect(p).toMatchObject({ blasCore: "Haswell", atenCapability: "AVX2", float: { mode: "pinned", env: PINNED_ENV } });
  }, 120_000);
});

describe("float settings: bad input", () => {
  it("a CPU without AVX2 gets one message naming the setting and the fallback, no stack trace, and an unpinned run", async () => {
    const fake = join(tmp("cpuinfo"), "cpuinfo");
    writeFileSync(fake, "processor\t: 0\nflags\t\t: fpu sse sse2 ssse3 sse4_1 sse4_2 avx\n");
    const r = await bbio(["backend", "--json"], { BBIO_CPUINFO: fake });
    expect(r.code, r.stderr).toBe(0);
    const notes = r.stderr.split("\n").filter((l) => l.startsWith("[bbio] float pinning:"));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(
      /no AVX2\/FMA .*ATEN_CPU_CAPABILITY=avx2 and OPENBLAS_CORETYPE=Haswell cannot be honoured; falling back to .*BBIO_FLOAT=native/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    if (st.ok) expect(JSON.parse(r.stdout).native.float).toMatchObject({ mode: "native", fallback: expect.stringMatching(/no AVX2/) });
  }, 120_000);

  it("an unknown BBIO_FLOAT is one error naming the choices (exit 2)", async () => {
    const r = await bbio(["backend", "--backend", "native"], { BBIO_FLOAT: "fastest" });
    if (!st.ok) return; // without the addon the backend fails first, for its own reason
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: BBIO_FLOAT=fastest is not a float mode\nhint: use BBIO_FLOAT=pinned .* or native/);
  }, 120_000);
});
