// scratch: SFT on the gene world with the capacity probe on; prints the probe rows
import { loadKG } from "../src/kg/index.ts";
import { generate } from "../src/mkgsg/generate.ts";
import { loadConfig } from "../src/config/index.ts";
import { runSft } from "../src/train/sft.ts";
const kg = loadKG();
const sets = process.argv.slice(2);
const cfg = loadConfig(undefined, ["sft.pack_length=128", "sft.batch_size=8", "sft.eval_every=100000", "sft.save_every=100000", "model.vocab_size=1536", "sft.probe_every=100", ...sets]);
const r = generate(kg, cfg.data, 0);
const sink = { metric: (s: number, n: string, v: number) => { if (n.startsWith("probe/") || n.includes("tokens_per_s")) console.log(s, n, v.toFixed(3)); }, rows() {}, flush: async () => {}, resumeFrom() {} } as any;
const t0 = Date.now();
const res = await runSft({ config: cfg, items: r.items, cards: r.cards, outDir: "/tmp/wprobe", sink, seed: 0, progress: false });
console.log("secs", (Date.now() - t0) / 1000, "tok/s", res.tokensPerSec, "loss", res.finalLoss);
