/**
 * `npx tsx bench/mkgsg.ts [--genes 400] [--seed 0] [--json]`
 *
 * Throughput of the MKGSG stage on the real KG: generating the items of a gene world of W card genes (the default
 * config otherwise, all kinds: construction + ontology validation + workflow curation, rejects included; W = 400 gives
 * about 9,000 items), then validating every kept item again
 * with the standalone validator (validate.ts), then scoring every gold (score.ts). Prints items/s for each and the
 * total seconds (KG load included in the total, reported separately).
 */
import { Command } from "commander";
import { loadKG } from "../src/kg/index.ts";
import { generate } from "../src/mkgsg/generate.ts";
import { itemsToJsonl } from "../src/mkgsg/io.ts";
import { score } from "../src/mkgsg/score.ts";
import { validate } from "../src/mkgsg/validate.ts";

const opts = new Command()
  .name("bench-mkgsg")
  .description("MKGSG throughput: generate, validate and score the items of a gene world on the real KG")
  .option("--genes <W>", "card genes of the world (data.world.genes)", (v) => parseInt(v, 10), 400)
  .option("--seed <n>", "generator seed", (v) => parseInt(v, 10), 0)
  .option("--json", "print one JSON object instead of the table", false)
  .parse(process.argv)
  .opts<{ genes: number; seed: number; json: boolean }>();

if (!Number.isInteger(opts.genes) || opts.genes < 48) {
  process.stderr.write("bench-mkgsg: --genes must be an integer ≥ 48 (the default world's 8 dev genes need room)\n");
  process.exit(2);
}

const t0 = performance.now();
const kg = loadKG();
const tLoad = performance.now();

const { items, rejects, funnel } = generate(kg, { world: { genes: opts.genes } }, opts.seed);
const attempts = Object.values(funnel)
  .flatMap((f) => Object.values(f))
  .reduce((a, r) => a + r.attempts, 0);
const tGen = performance.now();

let invalid = 0;
for (const it of items) if (!validate(it, kg).ok) invalid++;
const tVal = performance.now();

let notOne = 0;
for (const it of items) if (score(it, it.gold, kg).score !== 1) notOne++;
const tScore = performance.now();

const bytes = Buffer.byteLength(itemsToJsonl(items));
const s = (a: number, b: number) => (b - a) / 1000;
const result = {
  n: items.length,
  genes: opts.genes,
  seed: opts.seed,
  node: process.version,
  kg_load_s: round(s(t0, tLoad)),
  generate: { seconds: round(s(tLoad, tGen)), items_per_s: Math.round(items.length / s(tLoad, tGen)), rejects: rejects.length, attempts },
  validate: { seconds: round(s(tGen, tVal)), items_per_s: Math.round(items.length / s(tGen, tVal)), invalid },
  score_gold: { seconds: round(s(tVal, tScore)), items_per_s: Math.round(items.length / s(tVal, tScore)), not_one: notOne },
  jsonl_mb: round(bytes / 1e6),
  total_s: round(s(t0, tScore)),
};

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

if (opts.json) process.stdout.write(JSON.stringify(result) + "\n");
else {
  const row = (label: string, r: { seconds: number; items_per_s: number }, extra: string) =>
    `${label.padEnd(12)} ${r.items_per_s.toString().padStart(8)} items/s  ${r.seconds.toFixed(2).padStart(7)} s  ${extra}`;
  process.stdout.write(
    [
      `MKGSG bench: ${result.n} items of a ${result.genes}-gene world (seed ${result.seed}, node ${result.node}), ${result.jsonl_mb} MB of JSONL`,
      `kg load      ${result.kg_load_s.toFixed(2).padStart(24)} s`,
      row("generate", result.generate, `(${result.generate.attempts} attempts, ${result.generate.rejects} curation rejects)`),
      row("validate", result.validate, `(${result.validate.invalid} invalid)`),
      row("score gold", result.score_gold, `(${result.score_gold.not_one} golds below 1.0)`),
      `total        ${result.total_s.toFixed(2).padStart(24)} s`,
    ].join("\n") + "\n",
  );
}
if (invalid || notOne) process.exitCode = 1;
