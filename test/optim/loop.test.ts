import { describe, expect, it } from "vitest";
import { CheckpointedLoop, type LoopOptions } from "../../src/optim/index.ts";
import type { Sink } from "../../src/util/sink.ts";

/** A loop over a fake stage: what it ran, saved, flushed and dropped, in order. */
function trace(over: Partial<LoopOptions>, saved: number | null = null) {
  const events: string[] = [];
  let onDisk = saved;
  const sink: Sink = {
    metric() {},
    rows() {},
    resumeFrom: (s) => events.push(`resumeFrom ${s}`),
    flush: async () => void events.push("flush"),
  };
  const loop = new CheckpointedLoop({
    stage: "test",
    checkpointDir: "/nowhere",
    maxSteps: 5,
    saveEvery: 2,
    sink,
    hasCheckpoint: () => onDisk !== null,
    save: async (s) => {
      onDisk = s;
      events.push(`save ${s}`);
    },
    log: () => {},
    ...over,
  });
  return { loop, events, run: () => loop.run(async (i) => void events.push(`step ${i}`)) };
}

describe("CheckpointedLoop", () => {
  it("runs every step, saves every save_every and at the last step, each save followed by a flush", async () => {
    const t = trace({});
    await t.run();
    expect([t.loop.start, t.loop.end]).toEqual([0, 5]);
    expect(t.events).toEqual(["step 0", "step 1", "save 2", "flush", "step 2", "step 3", "save 4", "flush", "step 4", "save 5", "flush"]);
  });

  it("an interrupted call saves where it stopped; the resumed call drops later metrics and continues there", async () => {
    const first = trace({ stopAfter: 3 });
    await first.run();
    expect(first.events.filter((e) => e.startsWith("save"))).toEqual(["save 2", "save 3"]);
    const rest = trace({ resumedAt: 3 }, 3);
    expect(rest.events).toEqual(["resumeFrom 3"]);
    await rest.run();
    expect(rest.events.slice(1)).toEqual(["step 3", "save 4", "flush", "step 4", "save 5", "flush"]);
  });

  it("a call that runs no step still leaves a checkpoint, and keeps one that exists", async () => {
    const fresh = trace({ maxSteps: 0 });
    await fresh.run();
    expect(fresh.events).toEqual(["save 0", "flush"]);
    const done = trace({ resumedAt: 5 }, 5);
    await done.run();
    expect(done.events).toEqual(["resumeFrom 5"]);
  });
});
