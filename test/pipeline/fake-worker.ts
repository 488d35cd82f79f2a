/**
 * Child-process entry for the suite worker tests: a `bbio suite-worker` that runs the fake pipeline.
 *   node --import tsx test/pipeline/fake-worker.ts <db> <cacheDir>
 * Each request's file holds a FakeConfig. A run whose grpo.method is "crash" kills its own worker (SIGKILL) in the
 * middle of its grpo stage, as an abort in native code would.
 */
import { readFileSync } from "node:fs";
import { serveSuiteWorker } from "../../src/pipeline/suite_worker.ts";
import type { PipelineSpec } from "../../src/pipeline/stage.ts";
import { type FakeConfig, fakeSpec } from "./fake-spec.ts";

const [db, cacheDir] = process.argv.slice(2);
const spec: PipelineSpec<FakeConfig> = {
  ...fakeSpec,
  stages: fakeSpec.stages.map((s) =>
    s.name !== "grpo"
      ? s
      : {
          ...s,
          async run(ctx) {
            if ((ctx.slice as FakeConfig["grpo"]).method === "crash") process.kill(process.pid, "SIGKILL");
            return s.run(ctx);
          },
        },
  ),
};
await serveSuiteWorker((file) => JSON.parse(readFileSync(file, "utf8")) as FakeConfig, { spec, db, cacheDir });
