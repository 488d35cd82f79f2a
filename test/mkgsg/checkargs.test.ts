// The check-args contract: builders, scorer, validator and corruptor share CheckArgs (src/mkgsg/checkargs.ts). The
// expected-error directives below make `tsc --noEmit` fail if a wrong spec ever stops being a type error.
import { describe, expect, it } from "vitest";
import { argsOf, type CheckSpec } from "../../src/mkgsg/checkargs.ts";
import { CHECK_NAMES } from "../../src/mkgsg/checks.ts";
import { CORRUPTION_TARGETS } from "../../src/mkgsg/corrupt.ts";

const ok: CheckSpec[] = [
  { name: "count_equals", component: "reasoning", args: { n: 3 } },
  { name: "json_field", component: "knowledge", args: { key: "chromosome", values: ["7"], gene: 1956 } },
  { name: "all_caps", component: "format", args: {} },
];
// @ts-expect-error count_equals needs a number
const wrongType: CheckSpec = { name: "count_equals", component: "reasoning", args: { n: "3" } };
// @ts-expect-error chain_valid needs its start and target
const missing: CheckSpec = { name: "chain_valid", component: "reasoning", args: { start: "GO:0006821" } };
// biome-ignore format: @ts-expect-error applies to the next line only, so the statement stays on one line
// @ts-expect-error a json_field names an alias or a gene, not both
const both: CheckSpec = { name: "json_field", component: "knowledge", args: { key: "symbol", values: ["EGFR"], alias: "ERBB", gene: 1956 } };
// @ts-expect-error all_caps reads no args
const extra: CheckSpec = { name: "all_caps", component: "format", args: { n: 3 } };
// @ts-expect-error no such check
const unknown: CheckSpec = { name: "final_answer", component: "reasoning", args: {} };

describe("check args", () => {
  it("argsOf picks the args of one check name, in order, by reference", () => {
    expect(argsOf(ok, "count_equals")).toEqual([{ n: 3 }]);
    expect(argsOf(ok, "json_field")[0]).toBe(ok[1].args);
    expect(argsOf(ok, "yes_no")).toEqual([]);
    expect([wrongType, missing, both, extra, unknown]).toHaveLength(5);
  });
  it("every check the scorer knows has its args in the contract, and every corruption targets known checks", () => {
    for (const targets of Object.values(CORRUPTION_TARGETS)) for (const n of targets) expect(CHECK_NAMES.has(n), n).toBe(true);
  });
});
