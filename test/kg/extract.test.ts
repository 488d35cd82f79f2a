// Regenerating data/kg/ from the Debian packages gives byte-identical files (the committed subset is reproducible).
// Needs the sqlite3 CLI and either $BBIO_KG_DEBS (a folder with the two .debs) or a working `apt-get download`;
// without them the test is skipped with the reason (CI installs sqlite3 and has apt).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { extract } from "../../scripts/extract-kg.ts";
import { DEFAULT_KG_DIR } from "../../src/kg/index.ts";

const has = (cmd: string) => {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};

describe("scripts/extract-kg.ts", () => {
  it("regenerates byte-identical files", { timeout: 300_000 }, (ctx) => {
    if (!has("sqlite3")) ctx.skip("sqlite3 CLI not installed (apt-get install sqlite3)");
    let from = process.env.BBIO_KG_DEBS;
    const work = mkdtempSync(join(tmpdir(), "bbio-kg-extract-"));
    try {
      if (!from) {
        if (!has("apt-get")) ctx.skip("no apt-get and no $BBIO_KG_DEBS");
        try {
          execFileSync("apt-get", ["download", "r-bioc-go.db", "r-bioc-org.hs.eg.db"], { cwd: work, stdio: "ignore" });
        } catch {
          ctx.skip("apt-get download failed (no Debian mirror reachable)");
        }
        from = work;
      }
      const out = join(work, "out");
      const manifest = extract({ from, out }) as { files: Record<string, { sha256: string }> };
      const committed = JSON.parse(readFileSync(join(DEFAULT_KG_DIR, "manifest.json"), "utf8"));
      expect(manifest.files).toEqual(committed.files);
      for (const f of readdirSync(out)) {
        expect(readFileSync(join(out, f)).equals(readFileSync(join(DEFAULT_KG_DIR, f))), f).toBe(true);
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
