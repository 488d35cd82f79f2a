import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../src/config/index.ts";
import { toJsonl } from "../../src/util/fsx.ts";
import { fakeItems } from "../model/fixtures.ts";

const bbio = (args: string[]) =>
  spawnSync("npx", ["tsx", "src/cli.ts", ...args], { encoding: "utf8", env: { ...process.env, BBIO_BACKEND: "wasm" } });

describe("config validation", () => {
  it("one clear error per problem", () => {
    expect(() => parseConfig({ model: { n_embd: 16, n_head: 3 } })).toThrow(/model.n_head: n_embd must be divisible by n_head/);
    expect(() => parseConfig({ sft: { max_step: 5 } })).toThrow(/sft: Unrecognized key.*max_step/);
    expect(() => parseConfig({ sft: { learning_rate: "fast" } })).toThrow(/sft.learning_rate/);
    expect(() => parseConfig({ sft: { curation: { k: 0 } } })).toThrow(/sft.curation.k/);
    expect(() => parseConfig({ eval: { split: "test" } })).toThrow(/eval.split/);
    expect(parseConfig({}).sft.max_steps).toBeGreaterThan(0);
  });
});

describe("bbio train-sft / eval", () => {
  it("trains from an items file, evaluates the checkpoint, and prints the documented JSON", () => {
    const d = mkdtempSync(join(tmpdir(), "bbio-cli-"));
    try {
      const itemsPath = join(d, "items.jsonl");
      writeFileSync(itemsPath, toJsonl(fakeItems(4)));
      const sets = [
        "model.n_layer=1",
        "model.n_head=2",
        "model.n_embd=16",
        "model.block_size=128",
        "model.vocab_size=256",
        "sft.max_steps=4",
        "sft.batch_size=4",
        "sft.save_every=2",
      ];
      const t = bbio(["train-sft", "--items", itemsPath, "--out", join(d, "run"), "--json", ...sets.flatMap((s) => ["--set", s])]);
      expect(t.status, t.stderr).toBe(0);
      const res = JSON.parse(t.stdout);
      expect(res).toMatchObject({ steps: 4, backend: "wasm", checkpointDir: join(d, "run", "checkpoint") });
      expect(existsSync(join(d, "run", "metrics.jsonl"))).toBe(true);
      const e = bbio(["eval", res.checkpointDir, "--items", itemsPath, "--json", "--no-baseline", "--set", "eval.bootstrap_resamples=50"]);
      expect(e.status, e.stderr).toBe(0);
      const rep = JSON.parse(e.stdout);
      expect(rep.backend).toBe("wasm");
      for (const f of ["knowledge", "reasoning", "instruction", "integration"]) {
        expect(rep.families[f]).toMatchObject({ n: 1 });
        for (const k of ["mean", "ci_lo", "ci_hi"]) expect(typeof rep.families[f][k]).toBe("number");
      }
      // bad input: one line, exit 2
      const bad = bbio(["train-sft", "--items", itemsPath, "--set", "model.n_head=3", "--set", "model.n_embd=16"]);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/n_embd must be divisible by n_head/);
      const nock = bbio(["eval", join(d, "nope")]);
      expect(nock.status).toBe(2);
      expect(nock.stderr).toMatch(/not a checkpoint directory/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
