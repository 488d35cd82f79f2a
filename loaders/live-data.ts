/**
 * The live page's files (docs/live.md), exported at build time into data/site.tar (emit.ts): the conflict control's
 * SFT checkpoint (weights as stored, tokenizer, model config), its GRPO config with the page's batch (LIVE_GRPO), the
 * train and held-out items of its gene world, the slim KG the rule scorer reads (src/live/kg.ts), the worker bundle
 * (live-bundle.ts) and TF.js's .wasm binaries copied from node_modules/@tensorflow/tfjs-backend-wasm/dist — everything
 * served from the site's own files, no CDN.
 *
 *   const files = await liveFiles(sftCheckpointDir, items, grpo, kg);   // name → bytes
 *   const site = await liveSiteFiles();                                  // the same, found in the stage cache
 *
 * Without a cached checkpoint (a fixture store, a fresh clone) live.json says `available: false` with the reason, and
 * the page shows that instead of a Run button. live.html is a bare harness page for test/browser/live.test.ts.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { LIVE_GRPO } from "../src/analysis/live.ts";
import { loadConfig } from "../src/config/index.ts";
import { loadKG } from "../src/kg/index.ts";
import type { KG } from "../src/kg/types.ts";
import { generate } from "../src/mkgsg/generate.ts";
import { defaultCacheDir } from "../src/pipeline/cache.ts";
import { kgTerms } from "../src/live/kg.ts";
import type { Item } from "../src/mkgsg/types.ts";
import { liveBundle } from "./live-bundle.ts";

export const WASM_FILES = ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm-threaded-simd.wasm"];

/** the members of site.tar the page reads (live.html stays out: only the harness test serves it) */
export const LIVE_SITE_FILES = ["live.json", "live-weights.bin", "live-worker.js", ...WASM_FILES];

/** stable JSON (sorted keys), so two configs compare by content */
const canon = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(canon).join(",")}]`
    : v && typeof v === "object"
      ? `{${Object.keys(v)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canon((v as Record<string, unknown>)[k])}`)
          .join(",")}}`
      : JSON.stringify(v);

/**
 * The conflict control's SFT checkpoint in the stage cache: the finished sft/<hash>/checkpoint whose data, model and
 * sft sections equal configs/conflict.json's (as the config loader fills them in). null when there is none.
 */
export function findConflictCheckpoint(cacheDir = defaultCacheDir()): string | null {
  const want = loadConfig("conflict", []);
  const root = join(cacheDir, "sft");
  if (!existsSync(root)) return null;
  for (const h of readdirSync(root).sort()) {
    const dir = join(root, h, "checkpoint");
    if (!existsSync(join(root, h, "DONE")) || !existsSync(join(dir, "config.json"))) continue;
    const c = JSON.parse(readFileSync(join(dir, "config.json"), "utf8")).config ?? {};
    if (canon(c.data) === canon(want.data) && canon(c.model) === canon(want.model) && canon(c.sft) === canon(want.sft)) return dir;
  }
  return null;
}

/** The page's files from the stage cache ($BBIO_CACHE or data/cache), or the "unavailable" files when it has no checkpoint. */
export async function liveSiteFiles(cacheDir = defaultCacheDir()): Promise<Map<string, Uint8Array>> {
  const dir = findConflictCheckpoint(cacheDir);
  const config = loadConfig("conflict", []);
  const kg = loadKG();
  const grpo = { ...config.grpo, ...LIVE_GRPO } as unknown as Record<string, unknown>;
  const items = dir ? generate(kg, config.data, config.seed).items : [];
  const files = await liveFiles(dir, items, grpo, kg);
  files.delete("live.html");
  return files;
}

export async function liveFiles(
  sftDir: string | null,
  items: readonly Item[],
  grpo: Record<string, unknown>,
  kg: KG,
): Promise<Map<string, Uint8Array>> {
  const read = (f: string) => readFileSync(join(sftDir!, f));
  const meta = !sftDir
    ? {
        available: false,
        reason:
          "this site was built without the conflict control's SFT checkpoint in the stage cache (run `bbio run conflict`, then build)",
      }
    : {
        available: true,
        model: JSON.parse(read("config.json").toString("utf8")).model,
        index: JSON.parse(read("weights.json").toString("utf8")),
        tokenizer: JSON.parse(read("tokenizer.json").toString("utf8")),
        grpo,
        // the control split is never trained or scored live: leave it out
        items: items.filter((it) => it.split !== "control"),
        terms: kgTerms(kg),
      };
  const wasmDir = dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm"));
  const out = new Map<string, Uint8Array>([
    ["live.json", new TextEncoder().encode(JSON.stringify(meta))],
    ["live-weights.bin", sftDir ? new Uint8Array(read("weights.bin")) : new Uint8Array(0)],
    ["live-worker.js", new TextEncoder().encode(await liveBundle())],
    ["live.html", new TextEncoder().encode(HARNESS)],
  ]);
  for (const f of WASM_FILES) out.set(f, new Uint8Array(readFileSync(join(wasmDir, f))));
  return out;
}

/**
 * A bare harness page: runs the worker with the settings in its query string (method, w=3:1, optim, seed, steps), shows a
 * progress line, a Stop button and a click counter (the test measures that the page answers while training), and
 * keeps every message in window.__live for the test. One clear message when WebAssembly or the worker fails.
 */
const HARNESS = `<!doctype html><meta charset="utf-8"><title>Live conflict control</title>
<p id="status">idle</p><button id="stop">Stop</button> <button id="ping">ping</button> <span id="pings">0</span>
<pre id="steps"></pre>
<script type="module">
const q = new URLSearchParams(location.search);
const w = (q.get("w") || "3:1").split(":").map(Number);
const settings = { method: q.get("method") || "sum", slotWeights: [w[0], w[1]], optim: q.get("optim") || "sgd",
  seed: Number(q.get("seed") || 1), steps: Number(q.get("steps") || 6) };
const live = (window.__live = { settings, steps: [], done: null, error: null, backend: null });
const status = document.getElementById("status");
let pings = 0;
document.getElementById("ping").onclick = () => { document.getElementById("pings").textContent = String(++pings); };
const fail = (m) => { live.error = m; status.textContent = "Live training unavailable: " + m + " (the stored runs are still shown)"; };
if (typeof WebAssembly !== "object" || typeof Worker !== "function") fail("this browser has no WebAssembly or Web Workers");
else {
  const worker = new Worker(new URL("live-worker.js", location.href), { type: "module" });
  document.getElementById("stop").onclick = () => { worker.terminate(); status.textContent = "stopped"; };
  worker.onerror = (e) => fail("the training worker failed (" + (e.message || "error") + ")");
  worker.onmessage = ({ data }) => {
    if (data.type === "backend") live.backend = data.name;
    if (data.type === "step") {
      live.steps.push(data.step);
      status.textContent = "step " + data.step.step + " / " + settings.steps + " on " + live.backend;
      document.getElementById("steps").textContent += JSON.stringify(data.step) + "\\n";
    }
    if (data.type === "done") { live.done = data; status.textContent = "done in " + data.seconds.toFixed(1) + " s on " + data.backend; }
    if (data.type === "error") fail(data.message);
  };
  const here = new URL(".", location.href).href;
  const wasm = Object.fromEntries(${JSON.stringify(WASM_FILES)}.map((f) => [f, here + f]));
  worker.postMessage({ type: "run", urls: { meta: here + "live.json", weights: here + "live-weights.bin", wasm }, settings });
}
</script>`;
