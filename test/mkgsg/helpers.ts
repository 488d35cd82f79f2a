// Shared by the MKGSG tests: the real KG (loaded once per test file) and small per-kind item samples.
import type { KG } from "../../src/kg/types.ts";
import { loadKG } from "../../src/kg/index.ts";
import type { Kind } from "../../src/mkgsg/config.ts";
import { generate } from "../../src/mkgsg/generate.ts";
import type { CheckArgs, CheckName, Item } from "../../src/mkgsg/types.ts";

export const kg = loadKG();

/** a small world's shape (half the card genes held out, no development genes, two-hop chains): the tests' worlds */
export const SMALL = { extraction_fraction: 0.5, dev_genes: 0, chain_hops: 2 } as const;

/** `n` kept items of one kind (deterministic), from a small gene world, every split mixed */
export function itemsOf(kind: Kind, n = 6, seed = 7): Item[] {
  if (kind === "world_case_upper" || kind === "world_case_lower")
    return generate(
      kg,
      { world: { ...SMALL, genes: 12, control_genes: 4 }, conflict_control: true, kinds: ["world_case_upper", "world_case_lower"] },
      seed,
    )
      .items.filter((it) => it.kind === kind)
      .slice(0, n);
  return generate(kg, { world: { ...SMALL, genes: 12, control_genes: 6 }, kinds: [kind] }, seed)
    .items.filter((_, i) => i % 2 === 0)
    .slice(0, n);
}

export const clone = <T>(x: T): T => structuredClone(x);

/** replace one MCQ option everywhere it appears (options array and the prompt's option line) */
export function setOption(item: Item, i: number, text: string): void {
  const L = "ABCD"[i];
  item.prompt = item.prompt.replace(`${L}) ${item.options![i]}`, `${L}) ${text}`);
  item.options![i] = text;
}

/** the args of the item's i-th check, which must be a `name` check (the tests edit them in place) */
export function argsAt<N extends CheckName>(item: Item, i: number, name: N): CheckArgs[N] {
  const c = item.checks[i];
  if (c.name !== name) throw new Error(`check ${i} of ${item.id} is ${c.name}, not ${name}`);
  return c.args as CheckArgs[N];
}

/**
 * Items of every kind (every split, the conflict control's included). Two worlds can draw the same gene in different
 * roles: one item per id, as within any one dataset.
 */
export function itemsOfEveryKind(k: KG = kg): Item[] {
  const all = [
    ...generate(k, { world: { ...SMALL, genes: 10, control_genes: 4 } }, 5).items,
    ...generate(k, { world: { ...SMALL, genes: 8, control_genes: 4 }, conflict_control: true }, 5).items,
  ];
  return all.filter((it, i) => all.findIndex((x) => x.id === it.id) === i);
}
