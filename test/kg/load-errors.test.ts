// Missing or corrupt data files: one BbioError naming the file and the regeneration command.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { clearKGCache, DEFAULT_KG_DIR, KG_FILES, loadKG } from "../../src/kg/index.ts";
import { BbioError } from "../../src/util/errors.ts";
import { sha256 } from "../../src/util/hash.ts";

const dirs: string[] = [];
function copyOfData(): string {
  const d = mkdtempSync(join(tmpdir(), "bbio-kg-test-"));
  dirs.push(d);
  for (const f of [...KG_FILES, "manifest.json"]) copyFileSync(join(DEFAULT_KG_DIR, f), join(d, f));
  return d;
}
afterEach(() => {
  clearKGCache();
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

function loadError(dir: string): BbioError {
  try {
    loadKG(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(BbioError);
    return e as BbioError;
  }
  throw new Error("loadKG did not throw");
}

/** replace a data file and update its sha256 in the manifest, so the content check (not the hash) must catch it */
function replaceWithManifest(dir: string, name: string, text: string) {
  const gz = gzipSync(Buffer.from(text));
  writeFileSync(join(dir, name), gz);
  const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
  m.files[name].sha256 = sha256(gz);
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(m));
}

describe("loadKG on bad data", () => {
  it("a missing file names the file and the regeneration command", () => {
    const d = copyOfData();
    rmSync(join(d, "genes.jsonl.gz"));
    const e = loadError(d);
    expect(e.message).toContain(join(d, "genes.jsonl.gz"));
    expect(e.message).toContain("file not found");
    expect(e.message).toContain("regenerate with: npm run data:kg");
    expect(e.exitCode).toBe(2);
  });

  it("a missing manifest is reported", () => {
    const d = copyOfData();
    rmSync(join(d, "manifest.json"));
    expect(loadError(d).message).toMatch(/manifest\.json: file not found/);
  });

  it("a truncated file fails the manifest hash check", () => {
    const d = copyOfData();
    const buf = readFileSync(join(d, "go_terms.jsonl.gz"));
    writeFileSync(join(d, "go_terms.jsonl.gz"), buf.subarray(0, buf.length >> 1));
    expect(loadError(d).message).toMatch(/go_terms\.jsonl\.gz: sha256 does not match/);
  });

  it("a malformed JSONL line is reported with its line number", () => {
    const d = copyOfData();
    const text = readFileSync(join(DEFAULT_KG_DIR, "genes.jsonl.gz"));
    const lines = gunzipSync(text).toString("utf8").split("\n");
    lines[2] = "{not json";
    replaceWithManifest(d, "genes.jsonl.gz", lines.join("\n"));
    expect(loadError(d).message).toMatch(/genes\.jsonl\.gz: line 3: malformed JSON/);
  });

  it("a dangling parent id and an unknown evidence code are caught", () => {
    const d = copyOfData();
    replaceWithManifest(
      d,
      "go_terms.jsonl.gz",
      JSON.stringify({ id: "GO:0000001", name: "x", ns: "BP", def: null, parents: [{ id: "GO:0000002", rel: "isa" }] }) + "\n",
    );
    expect(loadError(d).message).toMatch(/GO:0000001: parent GO:0000002 is not in the file/);

    const d2 = copyOfData();
    replaceWithManifest(d2, "annotations.tsv.gz", "entrez\tgo_id\tevidence\tns\n1080\tGO:1902476\tIEA\tBP\n");
    expect(loadError(d2).message).toMatch(/annotations\.tsv\.gz: line 2: evidence code IEA/);
  });
});
