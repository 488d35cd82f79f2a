/**
 * native/ops.json → native/generated/ops.h: the addon's op enums (enum Unary { U_Neg = 0, … }) from the op codes'
 * one source, which src/model/native.ts imports too. Used by scripts/build-native.mjs and scripts/gpu-bundle.mjs.
 * The header is rewritten only when its text changes, so build-native.mjs's up-to-date check still holds.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** Writes <nativeDir>/generated/ops.h from <nativeDir>/ops.json; returns the header's path. */
export function writeOpsHeader(nativeDir) {
  const ops = JSON.parse(readFileSync(join(nativeDir, "ops.json"), "utf8"));
  const enums = [
    ["Unary", "U", ops.unary],
    ["Binary", "B", ops.binary],
    ["Reduce", "R", ops.reduce],
  ].map(([name, prefix, names]) => `enum ${name} { ${names.map((n, i) => `${prefix}_${n} = ${i}`).join(", ")} };`);
  const header = join(nativeDir, "generated", "ops.h");
  const text = `// generated from native/ops.json by native/ops-header.mjs: edit that file, not this one\n#pragma once\n${enums.join("\n")}\n`;
  if (!existsSync(header) || readFileSync(header, "utf8") !== text) {
    mkdirSync(dirname(header), { recursive: true });
    writeFileSync(header, text);
  }
  return header;
}
