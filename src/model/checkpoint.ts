/**
 * Checkpoint directory (shared spec; the PyTorch twin reads weights.bin/weights.json directly):
 *   config.json     {format, model: ModelConfig, config?: the run's full Config, backend?, ...extra}
 *   tokenizer.json  Tokenizer.toJSON()
 *   weights.bin     float32 little-endian, tensors concatenated in weights.json order
 *   weights.json    [{name, shape, offset}]  (offset in BYTES into weights.bin; spec order, see gpt.ts)
 *   optimizer.bin/.json  (optional) named float32 state tensors (Adam m and v) + {step, hyper}, same index format
 *   state.json      {step, rng?, metrics?, ...} training state for resume
 *
 * Atomic: everything is written into a sibling temp directory, fsynced, then renamed over the target; a crash leaves
 * the previous checkpoint intact ("keep the last good checkpoint").
 */
import { existsSync, readFileSync, writeFileSync, openSync, fsyncSync, closeSync } from "node:fs";
import { join } from "node:path";
import { BbioError } from "../util/errors.ts";
import { writeDirAtomic } from "../util/fsx.ts";
import { modelSchema, type ModelConfig } from "./config.ts";
import { GPT, weightShapes } from "./gpt.ts";
import { Tokenizer, type TokenizerJSON } from "./tokenizer.ts";

export const CHECKPOINT_FORMAT = "bbio-ckpt-v1";

export interface TensorIndexEntry {
  name: string;
  shape: number[];
  offset: number;
}

export interface OptimizerState {
  step: number;
  hyper: Record<string, unknown>;
  /** e.g. "m/wte", "v/wte" → values */
  tensors: Map<string, { shape: number[]; data: Float32Array }>;
}

export interface CheckpointContents {
  model: GPT;
  tokenizer: Tokenizer;
  /** the run's full config (data, sft, ... sections) — lets `bbio eval` regenerate items */
  config?: unknown;
  optimizer?: OptimizerState;
  state?: Record<string, unknown> & { step: number };
  extra?: Record<string, unknown>;
}

export interface LoadedCheckpoint {
  dir: string;
  model: GPT;
  tokenizer: Tokenizer;
  modelConfig: ModelConfig;
  config?: unknown;
  optimizer?: OptimizerState;
  state?: Record<string, unknown> & { step: number };
  meta: Record<string, unknown>;
}

function packTensors(entries: [string, number[], Float32Array][]): { bin: Buffer; index: TensorIndexEntry[] } {
  const index: TensorIndexEntry[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const [name, shape, data] of entries) {
    index.push({ name, shape, offset });
    // Float32Array memory is little-endian on every platform Node supports (x86, arm)
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    chunks.push(buf);
    offset += buf.byteLength;
  }
  return { bin: Buffer.concat(chunks), index };
}

function unpackTensors(dir: string, stem: string): Map<string, { shape: number[]; data: Float32Array }> {
  const binPath = join(dir, `${stem}.bin`),
    idxPath = join(dir, `${stem}.json`);
  if (!existsSync(binPath) || !existsSync(idxPath)) throw new BbioError(`${dir}: missing ${stem}.bin or ${stem}.json (not a checkpoint?)`);
  const index = readJson(idxPath) as TensorIndexEntry[] | { tensors: TensorIndexEntry[] };
  const entries = Array.isArray(index) ? index : index.tensors;
  const bin = readFileSync(binPath);
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const e of entries) {
    const n = e.shape.reduce((a, b) => a * b, 1);
    if (e.offset + 4 * n > bin.byteLength) throw new BbioError(`${binPath}: truncated (tensor ${e.name} runs past the end)`);
    // copy into an aligned buffer (Buffer slices may be unaligned for Float32Array)
    const data = new Float32Array(n);
    new Uint8Array(data.buffer).set(bin.subarray(e.offset, e.offset + 4 * n));
    out.set(e.name, { shape: e.shape, data });
  }
  return out;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new BbioError(
      `${path}: unreadable (${(e as Error).message})`,
      2,
      "restore the file, or re-create the checkpoint by re-running its stage",
    );
  }
}

function writeSynced(path: string, data: string | Buffer): void {
  writeFileSync(path, data);
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export async function saveCheckpoint(dir: string, c: CheckpointContents): Promise<void> {
  await writeDirAtomic(dir, async (tmp) => {
    const weights = await c.model.weights();
    const w = packTensors(weightShapes(c.model.config).map(([name, shape]) => [name, shape, weights.get(name)!]));
    writeSynced(join(tmp, "weights.bin"), w.bin);
    writeSynced(join(tmp, "weights.json"), JSON.stringify(w.index));
    writeSynced(
      join(tmp, "config.json"),
      JSON.stringify({ format: CHECKPOINT_FORMAT, model: c.model.config, config: c.config, ...c.extra }, null, 2),
    );
    writeSynced(join(tmp, "tokenizer.json"), JSON.stringify(c.tokenizer.toJSON()));
    if (c.optimizer) {
      const o = packTensors([...c.optimizer.tensors].map(([name, t]) => [name, t.shape, t.data]));
      writeSynced(join(tmp, "optimizer.bin"), o.bin);
      writeSynced(join(tmp, "optimizer.json"), JSON.stringify({ step: c.optimizer.step, hyper: c.optimizer.hyper, tensors: o.index }));
    }
    writeSynced(join(tmp, "state.json"), JSON.stringify(c.state ?? { step: 0 }, null, 2));
  });
}

export function isCheckpoint(dir: string): boolean {
  return existsSync(join(dir, "config.json")) && existsSync(join(dir, "weights.bin"));
}

/**
 * Load a checkpoint. `expect` (optional) is the model config the caller will train with: any difference is a clear
 * error (resuming with a different shape cannot work).
 */
export async function loadCheckpoint(dir: string, opts: { expect?: ModelConfig; seed?: number } = {}): Promise<LoadedCheckpoint> {
  if (!existsSync(dir)) throw new BbioError(`checkpoint ${dir}: not found`);
  if (!isCheckpoint(dir)) throw new BbioError(`${dir}: not a checkpoint directory (needs config.json and weights.bin)`);
  const meta = readJson(join(dir, "config.json")) as Record<string, unknown>;
  if (typeof meta !== "object" || meta === null || Array.isArray(meta))
    throw new BbioError(
      `${dir}/config.json: not a checkpoint config (expected a JSON object with a "model" section)`,
      2,
      "re-save the checkpoint, or restore config.json",
    );
  const parsed = modelSchema.safeParse(meta.model);
  if (!parsed.success)
    throw new BbioError(
      `${dir}/config.json: invalid model config (${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")})`,
    );
  const modelConfig = parsed.data;
  if (opts.expect) {
    const diffs = (Object.keys(modelConfig) as (keyof ModelConfig)[]).filter((k) => k !== "dropout" && modelConfig[k] !== opts.expect![k]);
    if (diffs.length)
      throw new BbioError(
        `checkpoint ${dir} is incompatible with the model config: ${diffs.map((k) => `${k} ${modelConfig[k]} (checkpoint) vs ${opts.expect![k]} (config)`).join(", ")}`,
        2,
        "use a fresh output directory, or the checkpoint's model config",
      );
  }
  const tensors = unpackTensors(dir, "weights");
  const weights = new Map<string, Float32Array>();
  for (const [name, shape] of weightShapes(modelConfig)) {
    const t = tensors.get(name);
    if (!t) throw new BbioError(`${dir}/weights.json: missing weight ${name}`);
    if (t.shape.join(",") !== shape.join(","))
      throw new BbioError(`${dir}: weight ${name} has shape [${t.shape}], the config needs [${shape}]`);
    weights.set(name, t.data);
  }
  const tokPath = join(dir, "tokenizer.json");
  if (!existsSync(tokPath)) throw new BbioError(`${dir}: missing tokenizer.json`);
  const tokenizer = Tokenizer.fromJSON(readJson(tokPath) as TokenizerJSON);
  if (tokenizer.size > modelConfig.vocab_size)
    throw new BbioError(`${dir}: tokenizer has ${tokenizer.size} tokens but the model vocab_size is ${modelConfig.vocab_size}`);
  let optimizer: OptimizerState | undefined;
  if (existsSync(join(dir, "optimizer.json"))) {
    const oj = readJson(join(dir, "optimizer.json")) as { step: number; hyper: Record<string, unknown> };
    optimizer = { step: oj.step, hyper: oj.hyper, tensors: unpackTensors(dir, "optimizer") };
  }
  const state = existsSync(join(dir, "state.json")) ? (readJson(join(dir, "state.json")) as LoadedCheckpoint["state"]) : undefined;
  const model = new GPT({ ...modelConfig, dropout: opts.expect?.dropout ?? modelConfig.dropout }, weights, opts.seed ?? 0);
  return { dir, model, tokenizer, modelConfig, config: meta.config, optimizer, state, meta };
}
