import { describe, expect, it } from "vitest";
import { hashOf, sha256 } from "../../src/util/hash.ts";
import { pureHashOf, pureSha256 } from "../../src/util/sha256.ts";

describe("pure sha256 (browser-safe) agrees with node:crypto", () => {
  it("on strings of every padding length, unicode and bytes", () => {
    for (let n = 0; n < 200; n++) {
      const s = "aé✓".repeat(n).slice(0, n);
      expect(pureSha256(s)).toBe(sha256(s));
    }
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) & 255);
    expect(pureSha256(bytes)).toBe(sha256(bytes));
  });
  it("hashOf on JSON values, as the sampling phase keys its prompt order", () => {
    const v = { b: [1, "x"], a: { d: null, c: "WHAT IS BRCA1?" } };
    expect(pureHashOf(v, 12)).toBe(hashOf(v, 12));
    expect(pureHashOf(["p1", "p2"])).toBe(hashOf(["p1", "p2"]));
  });
});
