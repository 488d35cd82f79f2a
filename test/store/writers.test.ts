import { describe, it, expect } from "vitest";
import { join } from "node:path";
import { Store } from "../../src/store/store.ts";
import { tmp, spawnTs, q } from "./helpers.ts";

const WRITER = "test/store/writer.ts";

describe("two processes writing one store", () => {
  it("the second waits (one clear message), then both batches land intact", async () => {
    const db = join(tmp("writers"), "s.duckdb");
    await new Store(db).write(async () => {}); // create the schema first
    const a = spawnTs(WRITER, [db, "A", "500", "1500", "30000"]);
    await a.waitFor("LOCKED");
    const b = spawnTs(WRITER, [db, "B", "300", "0", "30000"]);
    const [ea, eb] = await Promise.all([a.exit, b.exit]);
    expect(ea.code).toBe(0);
    expect(eb.code).toBe(0);
    expect(b.stderr()).toMatch(/store .*s\.duckdb is busy \(another bbio process, pid \d+\); waiting…/);
    expect(b.stderr().match(/is busy/g)).toHaveLength(1); // said once, not per retry
    expect(await q(db, "SELECT run_id, count(*) AS n, sum(step) AS s FROM metrics GROUP BY run_id ORDER BY run_id")).toEqual([
      { run_id: "A", n: 500, s: (499 * 500) / 2 },
      { run_id: "B", n: 300, s: (299 * 300) / 2 },
    ]);
  });

  it("gives up after its timeout with a clear error and writes nothing", async () => {
    const db = join(tmp("writers2"), "s.duckdb");
    await new Store(db).write(async () => {});
    const a = spawnTs(WRITER, [db, "A", "10", "2500", "30000"]);
    await a.waitFor("LOCKED");
    const b = spawnTs(WRITER, [db, "B", "10", "0", "500"]);
    const eb = await b.exit;
    expect(eb.code).toBe(2);
    expect(b.stderr()).toMatch(/error: store .* stayed busy for 0.5 s \(held by another bbio process, pid \d+\)/);
    expect((await a.exit).code).toBe(0);
    expect(await q(db, "SELECT run_id, count(*) AS n FROM metrics GROUP BY run_id")).toEqual([{ run_id: "A", n: 10 }]);
  });
});
