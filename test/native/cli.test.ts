/** `bbio backend`: names the backend in use, its threads and library versions — with or without the addon built. */
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { loadNative } from "../../src/model/native.ts";

const bbio = (args: string[], env: Record<string, string> = {}) =>
  spawnSync("npx", ["tsx", "src/cli.ts", ...args], { encoding: "utf8", env: { ...process.env, BBIO_BACKEND: "", ...env } });

describe("bbio backend", () => {
  it("reports the backend auto picks, threads and versions", () => {
    const r = bbio(["backend", "--json"], { BBIO_THREADS: "1" });
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.tfjs).toMatch(/^\d+\.\d+/);
    if (loadNative().ok) {
      expect(j.backend).toBe("native");
      expect(j.threads).toBe(1);
      expect(j.native.torch).toMatch(/^\d+\.\d+/);
      expect(j.native.atenThreads).toBe(1);
    } else {
      expect(j.backend).toBe("wasm");
      expect(j.nativeUnavailable).toMatch(/libtorch-dev/);
    }
  });

  it("prints the float settings: pinned by default with the thread counts in the identity, or the opt-out", () => {
    if (!loadNative().ok) return;
    const pinned = bbio(["backend"], { BBIO_THREADS: "1" });
    expect(pinned.status, pinned.stderr).toBe(0);
    expect(pinned.stdout).toMatch(
      /^float {5}pinned-v\d+;threads=aten1,blas1: ATen AVX2, OpenBLAS Haswell \(ATEN_CPU_CAPABILITY=avx2 OPENBLAS_CORETYPE=Haswell .*\); BBIO_FLOAT=native opts out$/m,
    );
    const native = bbio(["backend"], { BBIO_THREADS: "1", BBIO_FLOAT: "native" });
    expect(native.stdout).toMatch(/^float {5}native:aten=[^,]+,blas=[^;]+;threads=aten1,blas1: .*NOT pinned \(BBIO_FLOAT=native\)/m);
  });

  it("BBIO_BACKEND=native without the addon: a clear error, exit 2", () => {
    const r = bbio(["backend"], { BBIO_BACKEND: "native", BBIO_NATIVE_ADDON: "/nonexistent/bbio_native.node" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/error: backend "native" could not be initialised.*libtorch-dev/);
  });
});
