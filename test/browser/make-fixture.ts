/** CLI for the TEST fixture store: tsx test/browser/make-fixture.ts <out.duckdb> [runs=12] [steps=12] */
import { rmSync } from "node:fs";
import { makeFixtureStore } from "./fixture-store.ts";

const [out, runs = "12", steps = "12"] = process.argv.slice(2);
if (!out) throw new Error("usage: tsx test/browser/make-fixture.ts <out.duckdb> [runs] [steps]");
rmSync(out, { force: true });
const t0 = performance.now();
// the conflict-control runs too, so a preview over the fixture shows every table the site has
await makeFixtureStore(out, { runs: Number(runs), steps: Number(steps), conflictRuns: true });
process.stderr.write(`fixture store ${runs} runs × ${steps} steps in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
