import { defineConfig } from "vitest/config";

// `npm run test:unit`: the fast tests, a few seconds — pure functions checked against hand-computed values (analysis,
// gradient methods, weight strategies, GRPO advantages and config, MKGSG generation / validation / scoring over the
// committed KG, evaluation metrics, tokenizer) and the method-document citation check. No model training, no
// subprocesses, no DuckDB, no browser: `npm test` runs those, these, and the type-check.
// Threads without per-file isolation: these files mock nothing and set no globals or env, and a fresh module graph
// per file tripled the run time (import cost) on the 2-core machine.
export default defineConfig({
  test: {
    include: [
      "test/analysis/*.test.ts",
      "test/weighting/*.test.ts",
      "test/mkgsg/{generate,kinds,validate,world,checkargs,extraction}.test.ts",
      "test/eval/metrics.test.ts",
      "test/grpo/{advantages,config,function_length}.test.ts",
      "test/optim/loop.test.ts",
      "test/kg/graph.test.ts",
      "test/model/tokenizer.test.ts",
      "test/docs/*.test.ts",
    ],
    // browser_safe bundles src/analysis with esbuild to check it imports no node:/tfjs/duckdb: a build, not a unit test
    exclude: ["test/analysis/browser_safe.test.ts"],
    pool: "threads",
    isolate: false,
    testTimeout: 30_000,
  },
});
