import { defineConfig } from "vitest/config";

// Tests run in forked processes (TF.js wasm and DuckDB hold process-wide state) with generous timeouts:
// some tests train a tiny model on a 2-core CI machine.
//
// Two groups, one after the other (sequence.groupOrder):
//   0 "files"   — the light files, two at a time: each works in its own temp folders, and none times itself
//                 against a tight bound (268 of the suite's ~900 s of file time)
//   1 "machine" — the files that want the machine to themselves, one at a time: Chromium page loads and input
//                 latencies, the Live page's ≤ 90 s runs, the benches, the real Slurm cluster, the pipeline's kill
//                 and lock tests, the golden metrics, the fault table, the longest training test, and the KG load
//                 time
const MACHINE = [
  "test/browser/**/*.test.ts",
  "test/sweep/**/*.test.ts",
  "test/pipeline/**/*.test.ts",
  "test/bench/**/*.test.ts",
  "test/live/**/*.test.ts",
  "test/gpu/**/*.test.ts",
  "test/golden/**/*.test.ts",
  "test/loaders/**/*.test.ts",
  "test/faults.test.ts",
  "test/smoke.test.ts",
  "test/sft/world-extraction.test.ts",
  "test/kg/kg.test.ts",
];

export default defineConfig({
  test: {
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // one id per `vitest run`, seen by every test file: fixtures that several files share (test/browser/tiny-site.ts)
    // are built once per run under it, and never reused from an earlier run
    env: { BBIO_TEST_RUN: `${process.pid}-${Date.now()}` },
    projects: [
      {
        extends: true,
        test: { name: "files", include: ["test/**/*.test.ts"], exclude: MACHINE, maxWorkers: 2, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: { name: "machine", include: MACHINE, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
