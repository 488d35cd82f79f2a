/**
 * Repository hygiene that a fresh clone depends on: the two vitest configs cover every test file (a glob left behind
 * by a move silently skips tests), and no symbolic link is tracked (a link to one machine's absolute path breaks
 * every other checkout).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { globSync } from "tinyglobby";
import { describe, expect, it } from "vitest";
import full from "../../vitest.config.ts";
import unit from "../../vitest.unit.config.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const includes = (c: { test?: { include?: string[]; exclude?: string[] } }) => c.test?.include ?? [];
const match = (patterns: string[], ignore: string[] = []) => globSync(patterns, { cwd: ROOT, ignore: ["**/node_modules/**", ...ignore] });

describe("test configs", () => {
  it("every unit glob matches at least one test file (a stale glob after a move skips those tests)", () => {
    for (const pattern of includes(unit)) expect(match([pattern]), pattern).not.toHaveLength(0);
  });

  it("every file under test/ that declares tests is matched by the full config, and the unit set is inside it", () => {
    const declaring = globSync(["test/**/*.ts"], { cwd: ROOT }).filter((f) =>
      /\b(describe|it|test)\(/.test(readFileSync(join(ROOT, f), "utf8")),
    );
    const all = new Set(match(includes(full)));
    const missed = declaring.filter((f) => !all.has(f) && /\bfrom "vitest"/.test(readFileSync(join(ROOT, f), "utf8")));
    expect(missed).toEqual([]);
    for (const f of match(includes(unit))) expect(all.has(f), f).toBe(true);
  });

  it("the unit set runs the weighting (gradient methods, strategies) tests", () => {
    const unitFiles = match(includes(unit), unit.test?.exclude ?? []);
    expect(unitFiles.filter((f) => f.startsWith("test/weighting/")).length).toBeGreaterThanOrEqual(5);
  });
});

describe("tracked files", () => {
  it("no symbolic link is tracked (git ls-files -s mode 120000)", () => {
    const links = execFileSync("git", ["ls-files", "-s"], { cwd: ROOT, encoding: "utf8" })
      .split("\n")
      .filter((l) => l.startsWith("120000"));
    expect(links).toEqual([]);
  });
});
