// Shared by the MKGSG tests: the real KG (loaded once per test file) and small per-kind item samples.
import type { KG } from "../../src/kg/types.ts";
import { loadKG } from "../../src/kg/index.ts";
import type { Kind } from "../../src/mkgsg/config.ts";
import { generate } from "../../src/mkgsg/generate.ts";
import type { CheckArgs, CheckName, Item } from "../../src/mkgsg/types.ts";

export const kg = loadKG();

/** `n` kept items of one kind (deterministic); world kinds come from a small gene world, every split mixed */
export function itemsOf(kind: Kind, n = 6, seed = 7): Item[] {
  if (kind === "world_case_upper" || kind === "world_case_lower")
    return generate(
      kg,
      { world: { genes: 12, control_genes: 4 }, conflict_control: true, kinds: ["world_case_upper", "world_case_lower"] },
      seed,
    )
      .items.filter((it) => it.kind === kind)
      .slice(0, n);
  if (kind.startsWith("world_"))
    return generate(kg, { world: { genes: 12, control_genes: 6 }, kinds: [kind] }, seed)
      .items.filter((_, i) => i % 2 === 0)
      .slice(0, n);
  return generate(kg, { per_family: n, kinds: [kind] }, seed).items;
}

export const clone = <T>(x: T): T => structuredClone(x);

/** replace one MCQ option everywhere it appears (options array and the prompt's option line) */
export function setOption(item: Item, i: number, text: string): void {
  const L = "ABCD"[i];
  item.prompt = item.prompt.replace(`${L}) ${item.options![i]}`, `${L}) ${text}`);
  item.options![i] = text;
}

export const goldIndex = (item: Item) => "ABCD".indexOf(item.gold);

/** the args of the item's i-th check, which must be a `name` check (the tests edit them in place) */
export function argsAt<N extends CheckName>(item: Item, i: number, name: N): CheckArgs[N] {
  const c = item.checks[i];
  if (c.name !== name) throw new Error(`check ${i} of ${item.id} is ${c.name}, not ${name}`);
  return c.args as CheckArgs[N];
}

/**
 * Items of every kind: the legacy kinds over the whole KG and the gene world's kinds (every split, the conflict
 * control's included). Two worlds can draw the same gene in different roles: one item per id, as within any one dataset.
 */
export function itemsOfEveryKind(k: KG = kg): Item[] {
  const all = [
    ...generate(k, { per_family: 28 }, 5).items,
    ...generate(k, { world: { genes: 10, control_genes: 4 } }, 5).items,
    ...generate(k, { world: { genes: 8, control_genes: 4 }, conflict_control: true }, 5).items,
  ];
  return all.filter((it, i) => all.findIndex((x) => x.id === it.id) === i);
}
