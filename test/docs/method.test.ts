/**
 * docs/method.md is the project's method document, cited by section from code, tests, scripts and pages
 * ("docs/method.md §6.5", and "Method §7.1" in the Paper fidelity page's strings). These checks keep the citations
 * followable: every cited section exists, the site lists the page, and nothing cites notes outside the repository.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const SCANNED = ["src", "test", "loaders", "scripts", "bench", "docs", "native", "configs", "bin", "README.md", "observablehq.config.ts"];
const SKIP = new Set(["node_modules", ".observablehq", "build"]);

function files(path: string): string[] {
  const abs = join(ROOT, path);
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(abs);
  } catch {
    return [];
  }
  if (st.isFile()) return /\.(ts|mjs|js|md|json|sh|cc|h|py)$/.test(path) ? [path] : [];
  return readdirSync(abs)
    .filter((n) => !SKIP.has(n))
    .flatMap((n) => files(join(path, n)));
}

/** section numbers of docs/method.md: "1", "1.2", … from its "## 1." and "### 1.2" headings */
function sections(): Set<string> {
  const out = new Set<string>();
  for (const m of readFileSync(join(ROOT, "docs/method.md"), "utf8").matchAll(/^#{2,3} (\d+(?:\.\d+)?)\.? /gm)) out.add(m[1]);
  return out;
}

/** every section a text cites: "docs/method.md §4.3–4.4, §9", "Method §7.1", "[Method §8.6](./method#…)" */
function cited(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:docs\/method\.md|Method) ((?:§[\d.–, ]+)+)/g))
    for (const ref of m[1].matchAll(/§?(\d+(?:\.\d+)?)(?:–(\d+(?:\.\d+)?))?/g)) out.push(ref[1], ...(ref[2] ? [ref[2]] : []));
  return out;
}

describe("docs/method.md citations", () => {
  const have = sections();
  const all = SCANNED.flatMap(files);

  it("has numbered sections", () => {
    expect(have.size).toBeGreaterThan(30);
    for (const s of ["1.2", "2.3", "3.3", "4.1", "4.4", "5.3", "6.5", "7.1", "8.4", "9"]) expect(have).toContain(s);
  });

  it("every cited section exists", () => {
    const missing: string[] = [];
    let n = 0;
    for (const f of all) {
      for (const s of cited(readFileSync(join(ROOT, f), "utf8"))) {
        n++;
        if (!have.has(s)) missing.push(`${f}: §${s}`);
      }
    }
    expect(missing).toEqual([]);
    expect(n).toBeGreaterThan(30);
  });

  it("nothing cites notes outside the repository", () => {
    const bad = all
      .filter((f) => f !== "test/docs/method.test.ts")
      .flatMap((f) =>
        readFileSync(join(ROOT, f), "utf8")
          .split("\n")
          .flatMap((line, i) =>
            /shared\/notes|\.\.\/shared|\bpaper\.md §|\b(stack|data)\.md §/.test(line) ? [`${f}:${i + 1}: ${line.trim()}`] : [],
          ),
      );
    expect(bad).toEqual([]);
  });

  it("the site lists the Method page", () => {
    expect(readFileSync(join(ROOT, "observablehq.config.ts"), "utf8")).toMatch(/\{ name: "Method", path: "\/method" \}/);
  });
});
