/** Small hand-made items and configs for the model/train/eval tests (no KG or generator needed). */
import type { Item, Capability } from "../../src/mkgsg/types.ts";
import { parseConfig, type Config } from "../../src/config/index.ts";
import type { ModelConfig } from "../../src/model/config.ts";

export const TINY_MODEL: ModelConfig = { n_layer: 1, n_head: 2, n_embd: 16, block_size: 96, vocab_size: 256, dropout: 0 };

const GENES = ["TP53", "BRCA1", "EGFR", "MYC", "KRAS", "PTEN", "CFTR", "APOE", "TNF", "IL6", "INS", "GAPDH"];
const TERMS = ["GO:0006821", "GO:0005634", "GO:0016301", "GO:0008150", "GO:0003677", "GO:0005737"];

/** checks no MKGSG builder writes (these items feed the model/train/eval loops, not the scorer's contract): typed loosely on purpose */
const fakeChecks = (checks: { name: string; component: Item["checks"][number]["component"]; args: object }[]) =>
  checks as unknown as Item["checks"];

/** n items per family; the answer is a deterministic function of the prompt so a model can learn it. */
export function fakeItems(nPerFamily: number, evalEvery = 4): Item[] {
  const items: Item[] = [];
  const families: Capability[] = ["knowledge", "reasoning", "instruction", "integration"];
  let k = 0;
  for (const family of families)
    for (let i = 0; i < nPerFamily; i++, k++) {
      const g = GENES[k % GENES.length],
        t = TERMS[(k * 7) % TERMS.length];
      const letter = "ABCD"[k % 4];
      const base = {
        id: `${family}-${i}`,
        family,
        split: (i % evalEvery === evalEvery - 1 ? "eval" : "train") as Item["split"],
        seed: 0,
        provenance: { genes: [k], terms: [t], evidence: ["IDA"] },
      };
      if (family === "knowledge")
        items.push({
          ...base,
          kind: "mcq",
          prompt: `Which term annotates ${g}? Options: A) ${TERMS[0]} B) ${TERMS[1]} C) ${TERMS[2]} D) ${TERMS[3]}. Key ${letter}. Answer with one letter.`,
          gold: letter,
          options: TERMS.slice(0, 4),
          checks: fakeChecks([{ name: "answer_letter", component: "knowledge", args: { letter } }]),
        });
      else if (family === "reasoning")
        items.push({
          ...base,
          kind: "chain",
          prompt: `Is ${g} annotated to ${t}? Give the chain.`,
          gold: `Chain: ${g} -> ${t}\nAnswer: ${k % 2 ? "Yes" : "No"}`,
          checks: fakeChecks([{ name: "final_answer", component: "reasoning", args: { answer: k % 2 ? "Yes" : "No" } }]),
        });
      else if (family === "instruction")
        items.push({
          ...base,
          kind: "json_array",
          prompt: `List the terms of ${g} as a JSON array.`,
          gold: JSON.stringify([t]),
          checks: [{ name: "json_array", component: "format", args: {} }],
        });
      else
        items.push({
          ...base,
          kind: "combo",
          prompt: `For ${g}: term, chain and JSON.`,
          gold: `{"term": "${t}", "answer": "${k % 2 ? "Yes" : "No"}"}`,
          checks: fakeChecks([
            { name: "term", component: "knowledge", args: { t } },
            { name: "json", component: "format", args: {} },
          ]),
        });
    }
  return items;
}

export function tinyConfig(over: Record<string, unknown> = {}): Config {
  const { sft, model, eval: evalOver, ...rest } = over as { sft?: object; model?: object; eval?: object };
  return parseConfig({
    backend: "cpu",
    model: { ...TINY_MODEL, ...model },
    sft: {
      max_steps: 6,
      batch_size: 4,
      pack_length: 0,
      card_share: 0.5,
      probe_every: 0,
      probe_items: 40,
      learning_rate: 1e-2,
      min_lr: 1e-3,
      warmup_steps: 1,
      log_every: 2,
      eval_every: 3,
      eval_batches: 1,
      save_every: 3,
      ...sft,
    },
    eval: { control: true, max_items_per_family: 0, ...evalOver },
    ...rest,
  });
}

/** A smooth rule reward for GRPO loop tests: the share of gold characters the answer reproduces in place (so groups
 *  rarely tie). */
export const inPlaceScorer = (item: { gold: string }, answer: string) => {
  let same = 0;
  for (let i = 0; i < item.gold.length; i++) if (answer[i] === item.gold[i]) same++;
  return { score: same / item.gold.length, checks: [], components: {} };
};
