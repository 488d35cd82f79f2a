import { defineConfig } from "vitest/config";

// Tests run in forked processes (TF.js wasm and DuckDB hold process-wide state) with generous timeouts:
// some tests train a tiny model on a 2-core CI machine.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // one id per `vitest run`, seen by every test file: fixtures that several files share (test/browser/tiny-site.ts)
    // are built once per run under it, and never reused from an earlier run
    env: { BBIO_TEST_RUN: `${process.pid}-${Date.now()}` },
  },
});
