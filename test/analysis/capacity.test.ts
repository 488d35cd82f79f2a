import { describe, expect, it } from "vitest";
import { capacityCurve } from "../../src/analysis/capacity.ts";

describe("capacityCurve", () => {
  it("pairs each probe accuracy with the card reads logged at the same run and step", () => {
    const rows = [
      { run_id: "a", stage: "sft", step: 0, name: "probe/card_reads_per_gene", value: 0 },
      { run_id: "a", stage: "sft", step: 100, name: "probe/card_reads_per_gene", value: 40 },
      { run_id: "a", stage: "sft", step: 100, name: "probe/extraction", value: 0.6 },
      { run_id: "a", stage: "sft", step: 0, name: "probe/extraction", value: 0.25 },
      { run_id: "a", stage: "sft", step: 100, name: "probe/control", value: 0.27 },
      { run_id: "a", stage: "sft", step: 100, name: "train/loss", value: 1.2 },
      { run_id: "a", stage: "sft", step: 50, name: "probe/train_qa", value: 0.9 }, // no reads logged at 50: dropped
    ];
    expect(capacityCurve(rows)).toEqual([
      { run_id: "a", step: 0, reads: 0, split: "extraction", accuracy: 0.25 },
      { run_id: "a", step: 100, reads: 40, split: "extraction", accuracy: 0.6 },
      { run_id: "a", step: 100, reads: 40, split: "control", accuracy: 0.27 },
    ]);
  });
});
