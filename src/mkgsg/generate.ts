/**
 * generate(kg, dataConfig, seed) — MKGSG over the gene world, Source2Synth-shaped (Lupidi et al. 2024, arXiv 2409.08239):
 *
 *   1. seed        the world (gene_world.ts: W card genes in their roles, plus the control genes) and one rng stream per
 *                  (kind, gene)
 *   2. construct   step-by-step grounded construction of prompt, gold, checks, provenance for each (gene, kind)
 *                  (kinds.ts, on build.ts's shared steps); a gene without the kind's material gives no item
 *   3. curate      ontology validation (validate.ts: recompute truth from the KG)  → Reject stage "ontology"
 *                  (an item whose only reasons are constraint_unsatisfiable)        → Reject stage "constraint"
 *                  workflow constraints (workflow.ts: evidence policy, gold obeys the answer rules, length budget)
 *                                                                                   → Reject stage "workflow"
 *   4. keep        every curated item; reasoning and integration drop held-out items whose gold equals a training gold
 *
 * Deterministic: same KG + config + seed → the same items in the same order (byte-identical JSONL).
 * Source2Synth's third curation step (an answerability filter with a fine-tuned model) is not run: docs/method.md §3.1.
 */
import type { KG } from "../kg/types.ts";
import { BbioError } from "../util/errors.ts";
import { CONFLICT_KINDS, dataSchema, WORLD_KINDS, type DataConfig, type DataConfigInput, type WorldKind } from "./config.ts";
import { kgIndex } from "./kgindex.ts";
import { WORLD_BUILDERS, worldItem, worldRng, type WorldCtx } from "./kinds.ts";
import { buildWorld, worldCards, type Card, type World } from "./gene_world.ts";
import { words } from "./text.ts";
import { CAPABILITIES, type Capability, type Item, type Reject } from "./types.ts";
import { validateOntology, validateWorkflow, type Reason } from "./validate.ts";

export interface FunnelRow {
  /** construction attempts (one per gene of the world) */
  attempts: number;
  /** genes without the material the kind needs (no alias, no band, …): not items, not rejects */
  no_material: number;
  /** items constructed */
  generated: number;
  /** passed ontology validation */
  validated: number;
  /** passed the workflow constraints and kept */
  kept: number;
  rejected_ontology: number;
  /** rejected only because a format constraint no correct answer can meet (constraint_unsatisfiable): not a KG fact */
  rejected_constraint: number;
  rejected_workflow: number;
  /** reasoning and integration: held-out items dropped because their gold equals a training gold */
  gold_seen_in_train: number;
}
export type Funnel = Record<Capability, Record<string, FunnelRow>>;

export interface GenerateResult {
  items: Item[];
  rejects: Reject[];
  funnel: Funnel;
  /** the cards SFT reads, and the world itself */
  cards: Card[];
  world: World;
}

export interface GenerateOptions {
  onProgress?: (kept: number, total: number) => void;
}

const emptyRow = (): FunnelRow => ({
  attempts: 0,
  no_material: 0,
  generated: 0,
  validated: 0,
  kept: 0,
  rejected_ontology: 0,
  rejected_constraint: 0,
  rejected_workflow: 0,
  gold_seen_in_train: 0,
});

/** families whose held-out golds must differ from every training gold (a recalled training answer is no reasoning) */
const UNSEEN_GOLD_FAMILIES: readonly Capability[] = ["reasoning", "integration"];

/** the kinds of a family that the config enables (the conflict control's in place of instruction and integration) */
export function enabledKinds(cfg: DataConfig, family: Capability): WorldKind[] {
  const table = cfg.conflict_control ? { ...WORLD_KINDS, ...CONFLICT_KINDS } : WORLD_KINDS;
  return (table[family] as readonly WorldKind[]).filter((k) => cfg.kinds.length === 0 || cfg.kinds.includes(k));
}

export function generate(kg: KG, dataConfig: DataConfigInput, seed: number, opts: GenerateOptions = {}): GenerateResult {
  const parsed = dataSchema.safeParse(dataConfig ?? {});
  if (!parsed.success)
    throw new BbioError(`invalid data config: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const cfg = parsed.data;
  if (!Number.isInteger(seed) || seed < 0) throw new BbioError(`seed must be a non-negative integer, got ${seed}`);
  return generateWorld(kg, cfg, seed, opts);
}

/**
 * The gene world (gene_world.ts): one item per (gene, kind) where the gene has the material, curated like every MKGSG item
 * (ontology validation, workflow constraints, length budget). Items are ordered gene-major within each family and split,
 * so a per-family cap (eval.max_items_per_family) takes whole genes across every kind. Every family must end up with
 * items in each split, or the run would report NaN: that is an error naming the config keys to change.
 */
function generateWorld(kg: KG, cfg: DataConfig, seed: number, opts: GenerateOptions): GenerateResult {
  const ix = kgIndex(kg);
  const world = buildWorld(kg, cfg.world, seed);
  const cards = worldCards(kg, world, cfg.world, seed);
  const items: Item[] = [];
  const rejects: Reject[] = [];
  const funnel = {} as Funnel;
  const families = CAPABILITIES.filter((f) => enabledKinds(cfg, f).length > 0);
  // distractors come from genes of the same role: an extraction question's four options are all extraction genes'
  // values (none ever trained as a QA answer), a control question's all control genes' — so no split's options are
  // tilted by what QA training taught the model to say
  const peersOf = (role: string) => world.genes.filter((g) => g.role === role);
  const populations = { train: peersOf("train"), extraction: peersOf("extraction"), dev: peersOf("dev"), control: peersOf("control") };
  const total = families.length * world.genes.length;
  let done = 0;
  for (const family of families) {
    funnel[family] = {};
    const kinds = enabledKinds(cfg, family);
    for (const kind of kinds) funnel[family][kind] = emptyRow();
    const kept: Item[] = [];
    for (const g of world.genes) {
      for (const kind of kinds) {
        const row = funnel[family][kind];
        row.attempts++;
        const ctx: WorldCtx = {
          kg,
          ix,
          rng: worldRng(seed, kind, g.entrez),
          cfg,
          wf: cfg.workflow_constraints,
          world,
          peers: populations[g.role],
        };
        const draft = WORLD_BUILDERS[kind](g, ctx);
        if (!draft) {
          row.no_material++;
          continue;
        }
        const item = worldItem(family, kind, g, draft, seed);
        row.generated++;
        const bad = curate(item, kg, cfg);
        if (bad?.stage === "ontology") {
          row.rejected_ontology++;
          rejects.push(reject(item, "ontology", bad.reasons));
          continue;
        }
        if (bad?.stage === "constraint") {
          row.rejected_constraint++;
          rejects.push(reject(item, "constraint", bad.reasons));
          continue;
        }
        row.validated++;
        if (bad) {
          row.rejected_workflow++;
          rejects.push(reject(item, "workflow", bad.reasons));
          continue;
        }
        row.kept++;
        kept.push(item);
      }
      opts.onProgress?.(++done, total);
    }
    // no held-out gold equals a training gold (two genes sharing a card term would share a chain answer)
    let final = kept;
    if (UNSEEN_GOLD_FAMILIES.includes(family)) {
      const trainGolds = new Set(kept.filter((it) => it.split === "train").map((it) => `${it.kind}\u0000${it.gold}`));
      final = kept.filter((it) => {
        if (it.split === "train" || !trainGolds.has(`${it.kind}\u0000${it.gold}`)) return true;
        funnel[family][it.kind].gold_seen_in_train++;
        funnel[family][it.kind].kept--;
        return false;
      });
    }
    for (const split of ["train", "eval", "control", ...(populations.dev.length ? (["dev"] as const) : [])] as const) {
      const n = final.filter((it) => it.split === split).length;
      if (n === 0) {
        const role = split === "eval" ? "extraction" : split;
        const genes = world.genes.filter((g) => g.role === role).length;
        const seen = Object.values(funnel[family]).reduce((a, r) => a + r.gold_seen_in_train, 0);
        const top = topReasons(rejects.filter((r) => r.family === family));
        throw new BbioError(
          `mkgsg: the gene world has no ${family} items in split "${split}": ${genes} ${role} genes × ${kinds.length} kinds gave 0 (W = ${cfg.world.genes}; ${rejects.filter((r) => r.family === family).length} ${family} items rejected, most common: ${top || "none"}; ${seen} held-out items dropped for a gold equal to a training gold)`,
          2,
          "raise data.world.genes (or data.world.control_genes / dev_genes), or enable more kinds",
        );
      }
    }
    items.push(...final);
  }
  return { items, rejects, funnel, cards, world };
}

/**
 * Curation of one constructed item: ontology validation (when enabled), then the length budget and the workflow
 * constraints. null = keep; else the first stage that rejects it, with its reasons.
 */
function curate(item: Item, kg: KG, cfg: DataConfig): { stage: "ontology" | "constraint" | "workflow"; reasons: Reason[] } | null {
  if (cfg.ontology_validation) {
    const rs = validateOntology(item, kg);
    // a format constraint no correct answer can meet (an alias with a space under no-commas, n > available) is a
    // property of the prompt, not a KG fact the item gets wrong: its own stage, so "the ontology validator rejected
    // something" is never read off a constraint reject
    if (rs.length) return { stage: rs.every((r) => r.reason === "constraint_unsatisfiable") ? "constraint" : "ontology", reasons: rs };
  }
  const wf: Reason[] = [];
  const n = words(item.prompt).length + words(item.gold).length;
  if (n > cfg.max_words) wf.push({ reason: "too_long", detail: `${n} words > max_words ${cfg.max_words}` });
  // words undercount chemistry-heavy definitions (one "word" of 200 characters): a character budget too
  const chars = item.prompt.length + item.gold.length;
  if (chars > cfg.max_chars) wf.push({ reason: "too_long", detail: `${chars} characters > max_chars ${cfg.max_chars}` });
  if (cfg.workflow_constraints) wf.push(...validateWorkflow(item, kg, { evidence: cfg.evidence }));
  return wf.length ? { stage: "workflow", reasons: wf } : null;
}

/** one Reject row per rejected item: the first (most specific) reason, the others appended to the detail */
function reject(item: Item, stage: Reject["stage"], rs: Reason[]): Reject {
  const [first, ...rest] = rs;
  const detail = rest.length ? `${first.detail}; also: ${rest.map((r) => `${r.reason} (${r.detail})`).join("; ")}` : first.detail;
  return { id: item.id, family: item.family, kind: item.kind, stage, reason: first.reason, detail };
}

function topReasons(rs: Reject[]): string {
  const c = new Map<string, number>();
  for (const r of rs) c.set(r.reason, (c.get(r.reason) ?? 0) + 1);
  return [...c]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([k, v]) => `${k} ×${v}`)
    .join(", ");
}
