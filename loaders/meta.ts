/**
 * build.json: what the site was built from — the code commit and the data it shows — and nothing about the machine
 * (no paths, hostnames or environment values: test/browser checks dist/ for them).
 *
 *   commit        git HEAD of the checkout that ran the build (+ dirty flag)
 *   data_hashes   MKGSG data identities of the shown runs (runs.data_hash)
 *   store_hash    hash over (run id, config hash, updated_at) of every complete run: changes whenever the data does
 *   models        the model shapes of the shown runs with their parameter counts (src/model's own paramCount), so the
 *                 pages state our scale from the data rather than from prose
 *   worlds        the gene-world sections (data.world) of the shown runs: W, K, extraction share, control genes
 */
import { gitInfo } from "../src/util/git.ts";
import { hashOf } from "../src/util/hash.ts";
import { query } from "./store.ts";

export interface BuildMeta {
  commit: string | null;
  dirty: boolean | null;
  runs: number;
  data_hashes: string[];
  store_hash: string;
  methods: string[];
  models: ModelScale[];
  worlds: WorldScale[];
}

export interface WorldScale {
  genes: number;
  variants: number;
  extraction_fraction: number;
  control_genes: number;
  chain_hops: number;
  runs: number;
}

export interface ModelScale {
  n_layer: number;
  n_head: number;
  n_embd: number;
  block_size: number;
  vocab_size: number;
  params: number;
  runs: number;
}

export async function buildMeta(dbPath?: string): Promise<BuildMeta> {
  const runs = await query(
    `SELECT id, config_hash, method, data_hash, config, CAST(updated_at AS VARCHAR) AS updated_at FROM v_runs ORDER BY id`,
    dbPath,
  );
  const { commit, dirty } = gitInfo();
  return {
    commit,
    dirty,
    runs: runs.length,
    data_hashes: [...new Set(runs.map((r) => String(r.data_hash ?? "")).filter(Boolean))].sort(),
    store_hash: hashOf(runs.map((r) => [r.id, r.config_hash, r.updated_at])),
    methods: [...new Set(runs.map((r) => String(r.method)))].sort(),
    models: await modelScales(runs.map((r) => r.config)),
    worlds: worldScales(runs.map((r) => r.config)),
  };
}

/** Distinct data.world sections of the runs' configs (genes > 0 only), with how many runs use each. */
function worldScales(configs: unknown[]): WorldScale[] {
  const worlds = new Map<string, WorldScale>();
  for (const c of configs) {
    let w: Omit<WorldScale, "runs"> | undefined;
    try {
      w = (JSON.parse(String(c)) as { data?: { world?: Omit<WorldScale, "runs"> } }).data?.world;
    } catch {
      continue;
    }
    if (!w || !(w.genes > 0)) continue;
    const key = JSON.stringify(w);
    const e = worlds.get(key) ?? { ...w, runs: 0 };
    e.runs++;
    worlds.set(key, e);
  }
  return [...worlds.values()].sort((a, b) => b.runs - a.runs);
}

/** Distinct model sections of the runs' configs (defaults are filled in stored configs) with their parameter counts. */
async function modelScales(configs: unknown[]): Promise<ModelScale[]> {
  const shapes = new Map<string, { model: Record<string, number>; runs: number }>();
  for (const c of configs) {
    let model: unknown;
    try {
      model = (JSON.parse(String(c)) as { model?: unknown }).model;
    } catch {
      continue;
    }
    if (!model || typeof model !== "object") continue;
    const m = model as Record<string, number>;
    const key = JSON.stringify([m.n_layer, m.n_head, m.n_embd, m.block_size, m.vocab_size]);
    const e = shapes.get(key) ?? { model: m, runs: 0 };
    e.runs++;
    shapes.set(key, e);
  }
  if (!shapes.size) return [];
  const { modelSchema } = await import("../src/model/config.ts");
  const { paramCount } = await import("../src/model/gpt.ts"); // loads TF.js (~1 s): only when there are runs
  return [...shapes.values()]
    .map(({ model, runs }) => {
      const m = modelSchema.parse(model);
      return {
        n_layer: m.n_layer,
        n_head: m.n_head,
        n_embd: m.n_embd,
        block_size: m.block_size,
        vocab_size: m.vocab_size,
        params: paramCount(m),
        runs,
      };
    })
    .sort((a, b) => b.runs - a.runs);
}
