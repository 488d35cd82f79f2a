/**
 * Child-process entry for the kill -9 / resume tests: runs the fake pipeline.
 *   node --import tsx test/pipeline/fake-run.ts <db> <cacheDir> '<fakeConfig overrides JSON>'
 */
import { runPipeline } from "../../src/pipeline/runner.ts";
import { fakeConfig, fakeSpec } from "./fake-spec.ts";

const [db, cacheDir, over] = process.argv.slice(2);
const r = await runPipeline(fakeConfig(JSON.parse(over ?? "{}")), { spec: fakeSpec, db, cacheDir });
process.stdout.write(
  `RESULT ${JSON.stringify({ runId: r.runId, outcome: r.outcome, stages: r.stages.map((s) => [s.stage, s.reused]) })}\n`,
);
