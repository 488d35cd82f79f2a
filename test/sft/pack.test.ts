// The SFT batch's streams (src/sft/pack.ts): card rows vs QA rows by card_share, and with term_share the card rows
// split between gene cards and term cards, each packed on its own; settings that would leave a kind of card unread
// are refused.
import { describe, expect, it } from "vitest";
import type { Example } from "../../src/sft/batch.ts";
import { PackedSchedule, sftStreams } from "../../src/sft/pack.ts";

const doc = (id: string, n: number): Example => ({ id, input: Array(n).fill(1), target: Array(n).fill(1), mask: Array(n).fill(1) });
const genes = Array.from({ length: 12 }, (_, i) => ({ example: doc(`card-${i}`, 30), term: false }));
const terms = Array.from({ length: 40 }, (_, i) => ({ example: doc(`edge-${i}`, 10), term: true }));
const qa = Array.from({ length: 20 }, (_, i) => doc(`qa-${i}`, 20));
const rowKinds = (rows: Example[]) =>
  rows.map((r) => {
    const kinds = new Set(r.id.split("+").map((id) => id.split("-")[0]));
    expect(kinds.size).toBe(1); // a packed row never mixes streams
    return [...kinds][0];
  });

describe("sftStreams", () => {
  it("without term_share: one card stream holding every card, the rest QA", () => {
    const streams = sftStreams([...genes, ...terms], qa, { batch_size: 8, card_share: 0.75 });
    expect(streams.map((s) => [s.name, s.rows, s.examples.length])).toEqual([
      ["cards", 6, 52],
      ["qa", 2, 20],
    ]);
  });

  it("with term_share: term cards get their share of the card rows, in every batch", () => {
    const streams = sftStreams([...genes, ...terms], qa, { batch_size: 8, card_share: 0.75, term_share: 0.17 });
    expect(streams.map((s) => [s.name, s.rows, s.examples.length])).toEqual([
      ["cards", 5, 12],
      ["terms", 1, 40],
      ["qa", 2, 20],
    ]);
    const schedule = new PackedSchedule(streams, 64, 0);
    for (const step of [0, 1, 17, 300]) {
      const kinds = rowKinds(schedule.batch(step));
      expect(kinds.filter((k) => k === "card")).toHaveLength(5);
      expect(kinds.filter((k) => k === "edge")).toHaveLength(1);
      expect(kinds.filter((k) => k === "qa")).toHaveLength(2);
    }
    // gene cards are read more often per card than in one mixed stream (the point of the split)
    const mixed = new PackedSchedule(sftStreams([...genes, ...terms], qa, { batch_size: 8, card_share: 0.75 }), 64, 0);
    const geneReads = (sch: PackedSchedule) =>
      Array.from({ length: 100 }, (_, k) => sch.batch(k))
        .flat()
        .flatMap((r) => r.id.split("+"))
        .filter((id) => id.startsWith("card")).length;
    expect(geneReads(schedule)).toBeGreaterThan(geneReads(mixed));
  });

  it("refuses a share that leaves term cards or gene cards unread", () => {
    expect(() => sftStreams([...genes, ...terms], qa, { batch_size: 8, card_share: 0.75, term_share: 0.05 })).toThrow(/rounds to 0 rows/);
    expect(() => sftStreams([...genes, ...terms], qa, { batch_size: 8, card_share: 0.75, term_share: 1 })).toThrow(/no card rows/);
  });
});
