/**
 * Where SFT and evaluation get their items: a JSONL file (`--items`, e.g. from `bbio generate --out`), or — by
 * default — regenerated with the MKGSG generator from the config's data section and seed (deterministic, so a
 * checkpoint's stored config regenerates exactly the items it was trained and held out on).
 */
import type { KG } from "../kg/types.ts";
import type { DataConfigInput } from "../mkgsg/config.ts";
import { readItems } from "../mkgsg/io.ts";
import type { Item } from "../mkgsg/types.ts";
import { generate } from "../mkgsg/index.ts";

/** items JSONL → Item[] (line-numbered errors, schema-checked): one reader for every stage, see src/mkgsg/io.ts */
export { readItems };

export async function itemsFor(config: { data: DataConfigInput; seed: number }, kg: KG, itemsPath?: string): Promise<Item[]> {
  if (itemsPath) return readItems(itemsPath);
  process.stderr.write(`[bbio] generating items (data.world.genes=${config.data.world?.genes}, seed ${config.seed})\n`);
  const { items } = generate(kg, config.data, config.seed);
  return items;
}
