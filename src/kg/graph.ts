/**
 * Subsumption over the Gene Ontology DAG: is_a + part_of ONLY.
 *
 * GO's "regulates" / "positively regulates" / "negatively regulates" edges are not subsumption: "regulation of
 * chloride transport" (GO:2001225) regulates chloride transport (GO:0006821) but is not a kind of it; its is_a parent
 * is "regulation of anion transport" (GO:0044070). GO.db's `go_*_offspring` closure tables follow every edge type and
 * so get this wrong, which is why the subset ships typed parent edges and the closure is computed here.
 * (is_a and part_of are both transitive and compose — the GO "true path rule" — so one closure covers both.)
 *
 * Everything is lazy and memoised: loading the KG builds only the child index; a term's closure is computed the first
 * time someone asks for it (a full pass over all 17,840 terms takes ~100 ms, most callers need a few hundred terms).
 */
import type { Relation, Term } from "./types.ts";

/** The relations that mean "child ⊑ parent". */
export const SUBSUMPTION: ReadonlySet<Relation> = new Set<Relation>(["isa", "part_of"]);

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export class GoGraph {
  /** subsumption parents (isa/part_of), deduplicated, sorted by id */
  private readonly up = new Map<string, readonly string[]>();
  /** subsumption children, sorted by id */
  private readonly down = new Map<string, string[]>();
  private readonly ancMemo = new Map<string, readonly string[]>();
  private readonly ancSetMemo = new Map<string, ReadonlySet<string>>();
  private readonly descMemo = new Map<string, readonly string[]>();

  constructor(terms: Iterable<Term>) {
    for (const t of terms) {
      const ps = [...new Set(t.parents.filter((p) => SUBSUMPTION.has(p.rel)).map((p) => p.id))].sort(byId);
      this.up.set(t.id, ps);
      for (const p of ps) (this.down.get(p) ?? this.down.set(p, []).get(p)!).push(t.id);
    }
    for (const kids of this.down.values()) kids.sort(byId);
  }

  has(id: string): boolean {
    return this.up.has(id);
  }

  /** direct isa/part_of parents (sorted); [] for roots and unknown ids */
  parents(id: string): readonly string[] {
    return this.up.get(id) ?? [];
  }

  /** direct isa/part_of children (sorted) */
  children(id: string): readonly string[] {
    return this.down.get(id) ?? [];
  }

  /** strict ancestors, sorted by id; [] for unknown ids */
  ancestors(id: string): readonly string[] {
    const hit = this.ancMemo.get(id);
    if (hit) return hit;
    if (!this.up.has(id)) return [];
    // union of the parents' (memoised) closures: each term's closure is computed once
    const acc = new Set<string>();
    for (const p of this.up.get(id)!) {
      acc.add(p);
      for (const a of this.ancestors(p)) acc.add(a);
    }
    const out = [...acc].sort(byId);
    this.ancMemo.set(id, out);
    return out;
  }

  ancestorSet(id: string): ReadonlySet<string> {
    let s = this.ancSetMemo.get(id);
    if (!s) this.ancSetMemo.set(id, (s = new Set(this.ancestors(id))));
    return s;
  }

  /** strict descendants, sorted by id */
  descendants(id: string): readonly string[] {
    const hit = this.descMemo.get(id);
    if (hit) return hit;
    if (!this.up.has(id)) return [];
    const seen = new Set<string>();
    const stack = [...this.children(id)];
    while (stack.length) {
      const c = stack.pop()!;
      if (seen.has(c)) continue;
      seen.add(c);
      for (const k of this.children(c)) stack.push(k);
    }
    const out = [...seen].sort(byId);
    this.descMemo.set(id, out);
    return out;
  }

  /** reflexive subsumption: isA(x, x) is true for a known x; unknown ids are never related */
  isA(child: string, ancestor: string): boolean {
    if (!this.up.has(child) || !this.up.has(ancestor)) return false;
    return child === ancestor || this.ancestorSet(child).has(ancestor);
  }

  /**
   * One shortest isa/part_of path child → … → ancestor (both inclusive), or null.
   * Breadth-first with parents visited in id order, so the path is deterministic.
   */
  pathUp(child: string, ancestor: string): string[] | null {
    if (!this.isA(child, ancestor)) return null;
    if (child === ancestor) return [child];
    const prev = new Map<string, string>([[child, ""]]);
    let frontier = [child];
    while (frontier.length) {
      const next: string[] = [];
      for (const node of frontier) {
        for (const p of this.parents(node)) {
          if (prev.has(p)) continue;
          prev.set(p, node);
          if (p === ancestor) {
            const path = [p];
            for (let n = node; n; n = prev.get(n)!) path.push(n);
            return path.reverse();
          }
          next.push(p);
        }
      }
      frontier = next;
    }
    return null; // unreachable: isA() said yes
  }

  /** length of the shortest isa/part_of path to a root (roots: 0) — a rough specificity measure */
  depth(id: string): number {
    if (!this.up.has(id)) return -1;
    let d = 0;
    let frontier = [id];
    const seen = new Set(frontier);
    while (frontier.length) {
      if (frontier.some((n) => this.parents(n).length === 0)) return d;
      const next: string[] = [];
      for (const n of frontier) for (const p of this.parents(n)) if (!seen.has(p)) seen.add(p), next.push(p);
      frontier = next;
      d++;
    }
    return d;
  }
}
