import { defineConfig } from "vitest/config";

// Tests run in forked processes (TF.js wasm and DuckDB hold process-wide state) with generous timeouts:
// some tests train a tiny model on a 2-core CI machine.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
