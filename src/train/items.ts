/**
 * Where SFT and evaluation get their items: a JSONL file (`--items`, e.g. from `bbio generate --out`), or — by
 * default — regenerated with the MKGSG generator from the config's data section and seed (deterministic, so a
 * checkpoint's stored config regenerates exactly the items it was trained and held out on).
 */
import type { Config } from "../config/index.ts";
import type { KG } from "../kg/types.ts";
import { FAMILIES, type Item } from "../mkgsg/types.ts";
import { BbioError } from "../util/errors.ts";
import { readJsonl } from "../util/fsx.ts";
import { loadGenerator } from "./mkgsg.ts";

export function readItems(path: string): Item[] {
  const items = readJsonl<Item>(path);
  items.forEach((it, i) => {
    const bad = !it || typeof it.id !== "string" || typeof it.prompt !== "string" || typeof it.gold !== "string" || !FAMILIES.includes(it.family) || (it.split !== "train" && it.split !== "eval");
    if (bad) throw new BbioError(`${path}:${i + 1}: not an MKGSG item (needs id, family, split, prompt, gold)`);
  });
  if (items.length === 0) throw new BbioError(`${path}: no items`);
  return items;
}

export async function itemsFor(config: Config, kg: KG, itemsPath?: string): Promise<Item[]> {
  if (itemsPath) return readItems(itemsPath);
  const generate = await loadGenerator();
  process.stderr.write(`[bbio] generating items (data.per_family=${config.data.per_family}, seed ${config.seed})\n`);
  const { items } = await generate(kg, config.data, config.seed);
  return items;
}
