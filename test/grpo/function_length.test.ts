import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/** Every function in src/grpo fits on a screen or two: at most this many lines, from its first line to its last. */
const MAX_LINES = 120;
const DIR = new URL("../../src/grpo/", import.meta.url).pathname;

/** Functions (declarations, methods, arrows, expressions) longer than `max` lines, as "name (n lines)". */
function longFunctions(fileName: string, text: string, max: number): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      const name = node.name && ts.isIdentifier(node.name) ? node.name.text : `<anonymous at line ${first + 1}>`;
      if (lines > max) out.push(`${fileName}: ${name} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

describe("src/grpo function length", () => {
  it(`no function in src/grpo is over ${MAX_LINES} lines`, () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(5);
    expect(files.flatMap((f) => longFunctions(f, readFileSync(join(DIR, f), "utf8"), MAX_LINES))).toEqual([]);
  });

  it("the check finds a long function, an arrow and a method alike", () => {
    const body = Array.from({ length: MAX_LINES }, (_, i) => `  x += ${i};`).join("\n");
    const text = [
      `export function long(): number {\n  let x = 0;\n${body}\n  return x;\n}`,
      `const arrow = () => {\n  let x = 0;\n${body}\n};`,
      `class C {\n  method() {\n    let x = 0;\n${body}\n  }\n}`,
      "function short() {\n  return 1;\n}",
    ].join("\n");
    expect(longFunctions("fixture.ts", text, MAX_LINES).map((s) => s.replace(/ \(\d+ lines\)/, ""))).toEqual([
      "fixture.ts: long",
      "fixture.ts: <anonymous at line 125>",
      "fixture.ts: method",
    ]);
  });
});
