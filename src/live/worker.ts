/**
 * The live page's Web Worker (docs/live.md): loads TF.js (WebGPU or WebGL when present, else wasm from the site's own
 * files), the exported checkpoint, tokenizer, items and slim KG, then trains with runLive and posts each step.
 *
 * main → worker: { type: "run", urls: { meta, weights, wasm: { "<file>.wasm": URL } }, settings, backend? }
 *   (URLs one by one: the site build gives each file a content-hashed name)
 * worker → main: { type: "backend", name } · { type: "step", step } · { type: "done", result, seconds } · { type: "error", message }
 * Stop = the page terminates the worker.
 */
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { score } from "../mkgsg/score.ts";
import type { Item } from "../mkgsg/types.ts";
import { type LiveCheckpoint, type LiveSettings, runLive } from "./driver.ts";
import { type SlimTerm, slimKG } from "./kg.ts";

interface RunMessage {
  type: "run";
  urls: { meta: string; weights: string; wasm: Record<string, string> };
  settings: LiveSettings;
  /** "wasm" (default: the backend the Node parity test checks) or "auto" (WebGL → wasm; WebGPU is not bundled: @tensorflow/tfjs-backend-webgpu is not installed) */
  backend?: "wasm" | "auto";
}

interface LiveMeta {
  /** false when the site was built without the conflict control's SFT checkpoint (reason says why) */
  available: boolean;
  reason?: string;
  model: LiveCheckpoint["model"];
  index: LiveCheckpoint["index"];
  tokenizer: LiveCheckpoint["tokenizer"];
  grpo: Record<string, unknown>;
  items: Item[];
  terms: SlimTerm[];
}

const scope = globalThis as unknown as { postMessage(m: unknown): void; onmessage: ((e: { data: RunMessage }) => void) | null };

async function chooseBackend(wasm: Record<string, string>, pref: "wasm" | "auto"): Promise<string> {
  setWasmPaths(wasm);
  tf.env().set("PROD", true);
  const order = pref === "auto" ? ["webgpu", "webgl", "wasm"] : ["wasm"];
  for (const name of order) {
    try {
      if (tf.findBackend(name) || tf.engine().registryFactory[name]) if (await tf.setBackend(name)) return name;
    } catch {
      // try the next one
    }
  }
  throw new Error("no TF.js backend could start (WebAssembly unavailable?)");
}

async function run(m: RunMessage): Promise<void> {
  const started = performance.now();
  if (typeof WebAssembly !== "object") throw new Error("this browser has no WebAssembly");
  const name = await chooseBackend(m.urls.wasm, m.backend ?? "wasm");
  scope.postMessage({ type: "backend", name });
  const [meta, bin] = await Promise.all([
    fetch(m.urls.meta).then((r) => {
      if (!r.ok) throw new Error(`live.json: HTTP ${r.status}`);
      return r.json() as Promise<LiveMeta>;
    }),
    fetch(m.urls.weights).then((r) => {
      if (!r.ok) throw new Error(`live-weights.bin: HTTP ${r.status}`);
      return r.arrayBuffer();
    }),
  ]);
  if (!meta.available) throw new Error(meta.reason ?? "this site was built without the conflict control's checkpoint");
  const result = await runLive(
    {
      checkpoint: { model: meta.model, index: meta.index, tokenizer: meta.tokenizer, bin: new Uint8Array(bin) },
      grpo: meta.grpo,
      items: meta.items,
      kg: slimKG(meta.terms),
      scorer: score,
    },
    m.settings,
    async (step) => {
      scope.postMessage({ type: "step", step });
      await new Promise((r) => setTimeout(r, 0));
    },
  );
  scope.postMessage({ type: "done", result, seconds: (performance.now() - started) / 1000, backend: name });
}

scope.onmessage = (e) => {
  if (e.data?.type !== "run") return;
  run(e.data).catch((err: unknown) => scope.postMessage({ type: "error", message: (err as Error).message ?? String(err) }));
};
