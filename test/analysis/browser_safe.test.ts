import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

// src/analysis is bundled into the pages, and src/weighting (gradient methods and weight strategies) must stay pure math:
// no tfjs, no node: built-ins, no DuckDB, and imports only from allowed places.
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

describe("pure-math modules stay browser-safe", () => {
  for (const dir of ["src/analysis", "src/weighting"]) {
    it(dir, () => {
      const fs = files(dir);
      expect(fs.length).toBeGreaterThan(0);
      for (const f of fs) {
        const src = readFileSync(f, "utf8");
        const imports = [...src.matchAll(/from\s+"([^"]+)"/g)].map((m) => m[1]);
        for (const imp of imports) {
          expect(imp, `${f} imports ${imp}`).not.toMatch(/^node:|tensorflow|duckdb|^fs$|^path$/);
          // mkgsg/types.ts: the capability list (CAPABILITIES) has one home, and that file imports types only;
          // util/vector_kernels.ts: plain JS loops (the native addon only swaps in twins when it is loaded, in Node)
          if (imp.startsWith(".."))
            expect(imp, `${f} imports ${imp}`).toMatch(
              /\/(util\/(rng|errors|stats|capabilities|reject_stages|vector_kernels)|weighting\/[a-z_]+)\.ts$/,
            );
        }
      }
    });
  }
  it("src/mkgsg/types.ts (bundled for CAPABILITIES) has only type imports", () => {
    const src = readFileSync("src/mkgsg/types.ts", "utf8");
    const imports = [...src.matchAll(/^import\s+(type\s+)?[^;]*from\s+"[^"]+"/gm)];
    for (const m of imports) expect(m[1], m[0]).toBe("type ");
  });
});
