// `bbio kg …` end to end through the real bin (exit codes, stdout).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
function bbio(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync("node", ["bin/bbio.mjs", ...args], { cwd: root, encoding: "utf8", env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("bbio kg", () => {
  it("is-a prints true/false and exits 0 either way", () => {
    const no = bbio(["kg", "is-a", "GO:2001225", "GO:0006821"]);
    expect(no).toMatchObject({ code: 0, out: "false\n" });
    const yes = bbio(["kg", "is-a", "GO:1902476", "GO:0006820", "--path"]);
    expect(yes.code).toBe(0);
    expect(yes.out.split("\n")[0]).toBe("true");
    expect(yes.out).toContain("GO:0015698  inorganic anion transport");
  });

  it("malformed or unknown ids are one clear error line, exit 2", () => {
    const bad = bbio(["kg", "is-a", "GO:12", "GO:0006820"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^error: malformed GO id 'GO:12'/);
    expect(bad.err).not.toMatch(/at .*\.ts:\d+/); // no stack trace
    const unknown = bbio(["kg", "ancestors", "GO:9999999"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown GO term GO:9999999/);
    const gene = bbio(["kg", "gene", "NO_SUCH_GENE"]);
    expect(gene.code).toBe(2);
    expect(gene.err).toMatch(/unknown gene 'NO_SUCH_GENE'/);
  });

  it("gene resolves an alias and groups annotations by namespace", () => {
    const r = bbio(["kg", "gene", "ABCC7"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^CFTR {2}Entrez 1080/);
    expect(r.out).toContain("chr 7  band 7q31.2");
    expect(r.out).toMatch(/BP biological process[\s\S]*GO:1902476 {2}chloride transmembrane transport {2}\[IDA, IMP\]/);
    const j = JSON.parse(execFileSync("node", ["bin/bbio.mjs", "kg", "gene", "1080", "--json"], { cwd: root, encoding: "utf8" }));
    expect(j.gene.symbol).toBe("CFTR");
    expect(j.annotations.find((a: { go: string }) => a.go === "GO:1902476").evidence).toEqual(["IDA", "IMP"]);
  });

  it("ancestors lists isa/part_of ancestors only", () => {
    const r = bbio(["kg", "ancestors", "GO:2001225", "--json"]);
    expect(r.code).toBe(0);
    const ids = JSON.parse(r.out).ancestors.map((a: { id: string }) => a.id);
    expect(ids).toContain("GO:0044070");
    expect(ids).not.toContain("GO:0006821");
  });

  it("stats --json reports counts and load time", () => {
    const r = bbio(["kg", "stats", "--json"]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.genes).toBe(16373);
    expect(s.termsByNs).toEqual({ BP: 12139, CC: 1615, MF: 4086 });
    expect(s.split.eval + s.split.train).toBe(16373);
    expect(s.edgesByRelation.regulates).toBe(1730);
    expect(s.loadMs).toBeGreaterThan(0);
  });

  it("missing data is a clear error naming the file and the regeneration command", () => {
    const empty = mkdtempSync(join(tmpdir(), "bbio-kg-empty-"));
    try {
      const r = bbio(["kg", "stats"], { BBIO_KG_DIR: empty });
      expect(r.code).toBe(2);
      expect(r.err).toContain(join(empty, "manifest.json"));
      expect(r.err).toContain("regenerate with: npm run data:kg");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
