/**
 * Child-process writer for the two-writers test:
 *   node --import tsx test/store/writer.ts <db> <runId> <nRows> <holdMs> <timeoutMs>
 * Opens the store, appends nRows metric rows in one transaction, prints LOCKED, keeps the file for holdMs, commits.
 */
import { Store } from "../../src/store/store.ts";
import { BbioError } from "../../src/util/errors.ts";

const [db, runId, n, hold, timeout] = process.argv.slice(2);
const store = new Store(db, { timeoutMs: Number(timeout) });
try {
  await store.write(async (tx) => {
    process.stdout.write("LOCKED\n");
    const rows = Array.from({ length: Number(n) }, (_, i) => ({ run_id: runId, stage: "grpo", step: i, name: "reward", value: i / 2 }));
    await tx.append("metrics", rows);
    await new Promise((r) => setTimeout(r, Number(hold)));
  });
  process.stdout.write("DONE\n");
} catch (e) {
  if (e instanceof BbioError) {
    process.stderr.write(`error: ${e.message}\n`);
    process.exit(e.exitCode);
  }
  throw e;
}
