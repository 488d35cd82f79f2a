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
    expect(() => parseConfig({ sft: { curation: { enabled: true } } })).toThrow(/curation/);
    expect(() => parseConfig({ eval: { split: "test" } })).toThrow(/eval.split/);
    expect(parseConfig({}).sft.max_steps).toBeGreaterThan(0);
  });
});

describe("bbio train-sft / eval", () => {
  it("runs the pipeline up to SFT (cache + store, run 'stopped'), evaluates the checkpoint, prints the documented JSON", () => {
    const d = mkdtempSync(join(tmpdir(), "bbio-cli-"));
    try {
      const store = ["--db", join(d, "s.duckdb"), "--cache", join(d, "cache")];
      const sets = ["sft.max_steps=4", "sft.batch_size=4", "sft.save_every=2", "sft.eval_every=2", "sft.probe_every=0"].flatMap((s) => [
        "--set",
        s,
      ]);
      const t = bbio(["train-sft", "ci", "--json", ...sets, ...store]);
      expect(t.status, t.stderr).toBe(0);
      const res = JSON.parse(t.stdout);
      expect(res).toMatchObject({ steps: 4, backend: "wasm", outcome: "stopped", stage: "sft", name: "ci" });
      // the SFT stage's own cache directory, keyed by its input hash, as `bbio run` would use it
      expect(res.dir).toMatch(new RegExp(`^${join(d, "cache", "sft")}/[0-9a-f]{16}$`));
      expect(res.checkpointDir).toBe(join(res.dir, "checkpoint"));
      expect(existsSync(join(res.dir, "DONE"))).toBe(true);
      const runs = JSON.parse(bbio(["runs", "--json", "--db", join(d, "s.duckdb")]).stdout);
      expect(runs).toMatchObject([{ id: res.runId, status: "stopped", stopped_after: "sft" }]);
      // re-running is the resume: the cached stage is reused, the same checkpoint printed
      const again = bbio(["train-sft", "ci", ...sets, ...store]);
      expect(again.status, again.stderr).toBe(0);
      expect(again.stdout).toBe(`${res.checkpointDir}\n`);
      expect(again.stderr).toMatch(/\[2\/2 sft\] reused cached artefact/);

      const itemsPath = join(d, "items.jsonl");
      writeFileSync(itemsPath, toJsonl(fakeItems(4)));
      const e = bbio(["eval", res.checkpointDir, "--items", itemsPath, "--json", "--no-baseline", "--set", "eval.bootstrap_resamples=50"]);
      expect(e.status, e.stderr).toBe(0);
      const rep = JSON.parse(e.stdout);
      expect(rep.backend).toBe("wasm");
      for (const f of ["knowledge", "reasoning", "instruction", "integration"]) {
        expect(rep.capabilities[f]).toMatchObject({ n: 1 });
        for (const k of ["mean", "ci_lo", "ci_hi"]) expect(typeof rep.capabilities[f][k]).toBe("number");
      }
      // bad input: one line, exit 2
      const bad = bbio(["train-sft", "--set", "model.n_head=3", "--set", "model.n_embd=16", ...store]);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/n_embd must be divisible by n_head/);
      // the stage command takes its items from the config's generate stage: --items is no option of it
      const noItems = bbio(["train-sft", "ci", "--items", itemsPath, ...store]);
      expect(noItems.status).toBe(2);
      expect(noItems.stderr).toMatch(/^error: unknown option '--items'/);
      const nock = bbio(["eval", join(d, "nope")]);
      expect(nock.status).toBe(2);
      expect(nock.stderr).toMatch(/not a checkpoint directory/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
