// `bbio generate | validate | score` end to end (spawned CLI): exit codes, determinism, output formats.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Item } from "../../src/mkgsg/types.ts";

const root = join(import.meta.dirname, "..", "..");
/** the real bin (tsx in-process, then src/cli.ts), as in test/kg/cli.test.ts; async so independent runs overlap */
const bbio = (args: string[]): Promise<{ code: number | null; out: string; err: string }> =>
  new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["bin/bbio.mjs", ...args], { cwd: root, timeout: 60_000 });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    p.on("error", reject);
    p.on("close", (code) => resolve({ code, out, err }));
  });

const dir = mkdtempSync(join(tmpdir(), "bbio-mkgsg-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => join(dir, name);
const lines = (p: string) => readFileSync(p, "utf8").trim().split("\n");
let items: Item[] = [];

describe("bbio generate", () => {
  beforeAll(async () => {
    // no config is configs/default.json (the gene world); these checks read whole-KG items, so the world is off
    const r = await bbio([
      "generate",
      "--set",
      "data.world.genes=0",
      "--per-family",
      "3",
      "--seed",
      "5",
      "--out",
      at("a.jsonl"),
      "--rejects",
      at("rejects.jsonl"),
    ]);
    expect(r.code, r.err).toBe(0);
    items = lines(at("a.jsonl")).map((l) => JSON.parse(l));
  });

  it("writes N items per family, atomically, and is byte-identical for the same seed", async () => {
    expect(items).toHaveLength(12);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(existsSync(at("rejects.jsonl"))).toBe(true);
    // a config file + --set + flags: same data section and seed → same bytes
    writeFileSync(at("cfg.json"), JSON.stringify({ name: "t", data: { per_family: 7 } }));
    const r = await bbio([
      "generate",
      at("cfg.json"),
      "--set",
      "data.per_family=3",
      "--seed",
      "5",
      "--out",
      at("b.jsonl"),
      "--json",
      "--no-progress",
    ]);
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(at("b.jsonl"), "utf8")).toBe(readFileSync(at("a.jsonl"), "utf8"));
    const summary = JSON.parse(r.out);
    expect(summary).toMatchObject({
      out: at("b.jsonl"),
      seed: 5,
      items: 12,
      families: { knowledge: 3, reasoning: 3, instruction: 3, integration: 3 },
    });
    expect(summary.rejects).toBe(lines(at("rejects.jsonl")).length);
    expect(r.err).toBe(""); // --no-progress and --json: nothing on stderr
  });

  it("bad flags are exit 2 with a clear message, before any work", async () => {
    const [zero, kind] = await Promise.all([
      bbio(["generate", "--per-family", "0", "--out", at("x.jsonl")]),
      bbio(["generate", "--kinds", "mcq_alias,nope", "--out", at("x.jsonl")]),
    ]);
    expect(zero.code).toBe(2);
    expect(zero.err).toMatch(/data\.per_family/);
    expect(kind.code).toBe(2);
    expect(kind.err).toMatch(/^error: unknown kind 'nope'/);
    expect(existsSync(at("x.jsonl"))).toBe(false);
  });
});

describe("bbio validate", () => {
  it("exit 0 and a summary for valid items; exit 1 with per-item reasons otherwise; exit 2 for unreadable input", async () => {
    const bad = items.map((x) => structuredClone(x));
    bad[1].prompt += " GO:9999999";
    bad[5].split = bad[5].split === "train" ? "eval" : "train";
    const text = bad.map((x) => JSON.stringify(x));
    text.push(JSON.stringify({ id: "broken" })); // JSON, but not an item
    writeFileSync(at("bad.jsonl"), text.join("\n") + "\n");
    writeFileSync(at("garbage.jsonl"), `${JSON.stringify(items[0])}\nnot json\n`);

    const [ok, r, g] = await Promise.all([
      bbio(["validate", at("a.jsonl")]),
      bbio(["validate", at("bad.jsonl")]),
      bbio(["validate", at("garbage.jsonl")]),
    ]);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/^12 items valid \(knowledge 3, reasoning 3, instruction 3, integration 3; /);

    expect(r.code).toBe(1);
    expect(r.out).toContain(`${at("bad.jsonl")}:2: ${bad[1].id}: unknown_id: GO:9999999`);
    expect(r.out).toContain(`${at("bad.jsonl")}:6: ${bad[5].id}: split_mismatch`);
    expect(r.out).toContain(`${at("bad.jsonl")}:13: broken: malformed_item`);
    expect(r.err).toMatch(/3 of 13 items invalid/);

    expect(g.code).toBe(2);
    expect(g.err).toContain(`${at("garbage.jsonl")}:2: malformed JSON`);
  });
});

describe("bbio score", () => {
  it("per-family means; --json shape; a missing answer scores 0", async () => {
    // knowledge: 2 gold + 1 missing; reasoning: all gold; one empty answer further on
    const answers = items.filter((_, i) => i !== 2).map((x, i) => ({ id: x.id, answer: i === 8 ? "" : x.gold }));
    writeFileSync(at("answers.jsonl"), answers.map((a) => JSON.stringify(a)).join("\n") + "\n");
    const [r, text] = await Promise.all([
      bbio(["score", at("a.jsonl"), at("answers.jsonl"), "--json"]),
      bbio(["score", at("a.jsonl"), at("answers.jsonl")]),
    ]);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(["families", "items"]);
    expect(j.families.knowledge).toEqual({ n: 3, mean: 2 / 3 });
    expect(j.families.reasoning).toEqual({ n: 3, mean: 1 });
    expect(j.items).toHaveLength(12);
    expect(j.items[2]).toMatchObject({ id: items[2].id, score: 0 });
    expect(j.items[0]).toEqual({ id: items[0].id, score: 1, checks: [expect.objectContaining({ name: "answer_letter", pass: true })] });
    expect(r.err).toMatch(/1 of 12 items have no answer/);

    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^knowledge\s+3\s+0\.667$/m);
    expect(text.out).toMatch(/^reasoning\s+3\s+1\.000$/m);
  });

  it("an answer for an unknown item id, or a malformed line, is exit 2 with the line number", async () => {
    writeFileSync(
      at("unknown.jsonl"),
      `${JSON.stringify({ id: items[0].id, answer: "A" })}\n${JSON.stringify({ id: "no-such-item", answer: "A" })}\n`,
    );
    writeFileSync(at("malformed.jsonl"), `${JSON.stringify({ id: items[0].id, answer: "A" })}\n{"id": oops}\n{"id":"x","answer":3}\n`);
    const [u, m] = await Promise.all([
      bbio(["score", at("a.jsonl"), at("unknown.jsonl")]),
      bbio(["score", at("a.jsonl"), at("malformed.jsonl")]),
    ]);
    expect(u.code).toBe(2);
    expect(u.err).toContain(`${at("unknown.jsonl")}:2: unknown item id no-such-item`);

    expect(m.code).toBe(2);
    expect(m.err).toContain(`${at("malformed.jsonl")}:2: malformed JSON`);
    expect(m.err).toContain(`${at("malformed.jsonl")}:3: not an answer line`);
    expect(m.err).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });
});
