import { createHash } from "node:crypto";

import { canonicalJson } from "./sha256.ts";

export { canonicalJson };

export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Short, stable identity of any JSON value (config sections, stage inputs). */
export function hashOf(value: unknown, length = 16): string {
  return sha256(canonicalJson(value)).slice(0, length);
}
