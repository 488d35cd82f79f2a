/**
 * The live page's files, exported at build time: the conflict control's SFT checkpoint (weights as stored,
 * tokenizer, model config), its GRPO config, the train and held-out items of its gene world, the slim KG the rule
 * scorer reads (src/live/kg.ts), the worker bundle (live-bundle.ts) and TF.js's .wasm binaries copied from
 * node_modules/@tensorflow/tfjs-backend-wasm/dist — everything served from the site's own files, no CDN.
 *
 *   const files = await liveFiles(sftCheckpointDir, items, grpo, kg);   // name → bytes
 *
 * Status: the exporter and a minimal harness page (live.html) are tested in Chromium (test/browser/live.test.ts);
 * wiring them into data/site.tar and a docs/ page in the navigation is not done yet.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { KG } from "../src/kg/types.ts";
import { kgTerms } from "../src/live/kg.ts";
import type { Item } from "../src/mkgsg/types.ts";
import { liveBundle } from "./live-bundle.ts";

export const WASM_FILES = ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm", "tfjs-backend-wasm-threaded-simd.wasm"];

export async function liveFiles(
  sftDir: string,
  items: readonly Item[],
  grpo: Record<string, unknown>,
  kg: KG,
): Promise<Map<string, Uint8Array>> {
  const read = (f: string) => readFileSync(join(sftDir, f));
  const meta = {
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
    ["live-weights.bin", new Uint8Array(read("weights.bin"))],
    ["live-worker.js", new TextEncoder().encode(await liveBundle())],
    ["live.html", new TextEncoder().encode(HARNESS)],
  ]);
  for (const f of WASM_FILES) out.set(f, new Uint8Array(readFileSync(join(wasmDir, f))));
  return out;
}

/**
 * A minimal page: runs the worker with the settings in its query string (method, w=3:1, optim, seed, steps), shows a
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
  worker.postMessage({ type: "run", base: here, wasm: here, settings });
}
</script>`;
