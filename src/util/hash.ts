import { createHash } from "node:crypto";

/** JSON with object keys sorted at every level: the canonical form a config/artefact hash is taken over. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Short, stable identity of any JSON value (config sections, stage inputs). */
export function hashOf(value: unknown, length = 16): string {
  return sha256(canonicalJson(value)).slice(0, length);
}
