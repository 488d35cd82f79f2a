import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";

describe("bbio cli", () => {
  it("prints help listing commands", () => {
    const out = execFileSync(process.execPath, ["bin/bbio.mjs", "--help"], { encoding: "utf8" });
    expect(out).toContain("Usage: bbio");
  });
});
