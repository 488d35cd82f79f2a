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

/** a small world (the ci config's shape) and one kind per family, so the files stay short */
const WORLD = ["data.world.genes=8", "data.world.extraction_fraction=0.5", "data.world.dev_genes=0", "data.world.control_genes=4"];
const KINDS = "world_chromosome,world_chain_process,world_caps_band,world_int_report";
const FAMS = ["knowledge", "reasoning", "instruction", "integration"] as const;
const count = (family: string) => items.filter((x) => x.family === family).length;

describe("bbio generate", () => {
  beforeAll(async () => {
    const r = await bbio([
      "generate",
      ...WORLD.flatMap((s) => ["--set", s]),
      "--kinds",
      KINDS,
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

  it("writes the world's items of each family, atomically, and is byte-identical for the same seed", async () => {
    for (const f of FAMS) expect(count(f), f).toBeGreaterThanOrEqual(3);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(existsSync(at("rejects.jsonl"))).toBe(true);
    // a config file + --set + flags: same data section and seed → same bytes
    writeFileSync(at("cfg.json"), JSON.stringify({ name: "t", data: { world: { genes: 8, extraction_fraction: 0.5, dev_genes: 0 } } }));
    const r = await bbio([
      "generate",
      at("cfg.json"),
      "--set",
      "data.world.control_genes=4",
      "--kinds",
      KINDS,
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
      items: items.length,
      families: Object.fromEntries(FAMS.map((f) => [f, count(f)])),
    });
    expect(summary.rejects).toBe(readFileSync(at("rejects.jsonl"), "utf8").split("\n").filter(Boolean).length);
    expect(r.err).toBe(""); // --no-progress and --json: nothing on stderr
  });

  it("bad flags are exit 2 with a clear message, before any work", async () => {
    const [zero, kind] = await Promise.all([
      bbio(["generate", "--set", "data.world.genes=0", "--out", at("x.jsonl")]),
      bbio(["generate", "--kinds", "world_alias,nope", "--out", at("x.jsonl")]),
    ]);
    expect(zero.code).toBe(2);
    expect(zero.err).toMatch(/data\.world\.genes must be positive/);
    expect(kind.code).toBe(2);
    expect(kind.err).toMatch(/^error: unknown kind 'nope'/);
    expect(existsSync(at("x.jsonl"))).toBe(false);
  });
});

describe("bbio validate", () => {
  it("exit 0 and a summary for valid items; exit 1 with per-item reasons otherwise; exit 2 for unreadable input", async () => {
    const bad = items.map((x) => structuredClone(x));
    bad[1].prompt += " GO:9999999";
    bad[5].kind = "no_such_kind";
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
    expect(ok.out.startsWith(`${items.length} items valid (${FAMS.map((f) => `${f} ${count(f)}`).join(", ")}; `)).toBe(true);

    expect(r.code).toBe(1);
    expect(r.out).toContain(`${at("bad.jsonl")}:2: ${bad[1].id}: unknown_id: GO:9999999`);
    expect(r.out).toContain(`${at("bad.jsonl")}:6: ${bad[5].id}: malformed_item: unknown kind`);
    expect(r.out).toContain(`${at("bad.jsonl")}:${items.length + 1}: broken: malformed_item`);
    expect(r.err).toMatch(new RegExp(`3 of ${items.length + 1} items invalid`));

    expect(g.code).toBe(2);
    expect(g.err).toContain(`${at("garbage.jsonl")}:2: malformed JSON`);
  });
});

describe("bbio score", () => {
  it("per-family means; --json shape; a missing answer scores 0", async () => {
    // knowledge: gold but one missing; reasoning: gold but one empty; the rest gold
    const firstReasoning = items.findIndex((x) => x.family === "reasoning");
    const answers = items.filter((_, i) => i !== 2).map((x) => ({ id: x.id, answer: x.id === items[firstReasoning].id ? "" : x.gold }));
    writeFileSync(at("answers.jsonl"), answers.map((a) => JSON.stringify(a)).join("\n") + "\n");
    const [r, text] = await Promise.all([
      bbio(["score", at("a.jsonl"), at("answers.jsonl"), "--json"]),
      bbio(["score", at("a.jsonl"), at("answers.jsonl")]),
    ]);
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out);
    const [k, n] = [count("knowledge"), count("reasoning")];
    expect(Object.keys(j)).toEqual(["families", "items"]);
    expect(j.families.knowledge).toEqual({ n: k, mean: (k - 1) / k });
    expect(j.families.reasoning).toEqual({ n, mean: (n - 1) / n });
    expect(j.families.instruction).toEqual({ n: count("instruction"), mean: 1 });
    expect(j.items).toHaveLength(items.length);
    expect(j.items[2]).toMatchObject({ id: items[2].id, score: 0 });
    expect(j.items[0]).toEqual({ id: items[0].id, score: 1, checks: [expect.objectContaining({ name: "answer_value", pass: true })] });
    expect(r.err).toMatch(new RegExp(`1 of ${items.length} items have no answer`));

    expect(text.code).toBe(0);
    expect(text.out).toMatch(new RegExp(`^knowledge\\s+${k}\\s+${((k - 1) / k).toFixed(3)}$`, "m"));
    expect(text.out).toMatch(new RegExp(`^instruction\\s+${count("instruction")}\\s+1\\.000$`, "m"));
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
