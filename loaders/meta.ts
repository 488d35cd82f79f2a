/**
 * build.json: what the site was built from — the code commit and the data it shows — and nothing about the machine
 * (no paths, hostnames or environment values: test/browser checks dist/ for them).
 *
 *   commit        git HEAD of the checkout that ran the build (+ dirty flag)
 *   data_hashes   MKGSG data identities of the shown runs (runs.data_hash)
 *   store_hash    hash over (run id, config hash, updated_at) of every complete run: changes whenever the data does
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
}

export async function buildMeta(dbPath?: string): Promise<BuildMeta> {
  const runs = await query(`SELECT id, config_hash, method, data_hash, CAST(updated_at AS VARCHAR) AS updated_at FROM v_runs ORDER BY id`, dbPath);
  const { commit, dirty } = gitInfo();
  return {
    commit,
    dirty,
    runs: runs.length,
    data_hashes: [...new Set(runs.map((r) => String(r.data_hash ?? "")).filter(Boolean))].sort(),
    store_hash: hashOf(runs.map((r) => [r.id, r.config_hash, r.updated_at])),
    methods: [...new Set(runs.map((r) => String(r.method)))].sort(),
  };
}
