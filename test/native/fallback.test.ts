/**
 * The native addon is optional: when it is missing or broken, importing never throws, "auto" prints one line naming
 * the package to install and falls back to wasm, and BBIO_BACKEND=native is a clear error (no silent fallback).
 * Simulated by pointing BBIO_NATIVE_ADDON at a missing file and at a file that is not an addon. Runs with or without
 * the real addon built.
 */
import { describe, it, expect, vi, afterAll } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BbioError } from "../../src/util/errors.ts";

const dir = mkdtempSync(join(tmpdir(), "bbio-native-fallback-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("native backend fallback", () => {
  it("a missing addon: BBIO_BACKEND=native is a BbioError naming libtorch-dev; auto falls back to wasm with one message", async () => {
    process.env.BBIO_NATIVE_ADDON = join(dir, "missing", "bbio_native.node");
    const { initBackend } = await import("../../src/model/backend.ts");
    const { loadNative } = await import("../../src/model/native.ts");
    const s = loadNative();
    expect(s.ok).toBe(false);
    expect(!s.ok && s.reason).toMatch(/libtorch-dev/);

    const err = await initBackend("native", { quiet: true }).catch((e) => e);
    expect(err).toBeInstanceOf(BbioError);
    expect(`${err.message} ${err.hint}`).toMatch(/libtorch-dev/);

    const writes: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      expect(await initBackend("auto")).toBe("wasm");
    } finally {
      spy.mockRestore();
    }
    const notes = writes.filter((w) => /native backend unavailable/.test(w));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/libtorch-dev/);
    expect(writes.some((w) => /tfjs backend: wasm/.test(w))).toBe(true);
  });

  it("a broken addon (not a shared library) is reported, not thrown", async () => {
    const bogus = join(dir, "bogus.node");
    writeFileSync(bogus, "this is not an ELF file");
    process.env.BBIO_NATIVE_ADDON = bogus;
    const { loadNative, resetNativeForTests, registerNativeBackend } = await import("../../src/model/native.ts");
    resetNativeForTests();
    const s = loadNative();
    expect(s.ok).toBe(false);
    expect(!s.ok && s.reason).toMatch(/could not be loaded.*libtorch-dev/);
    expect(registerNativeBackend().ok).toBe(false);
    delete process.env.BBIO_NATIVE_ADDON;
    resetNativeForTests();
  });
});
