#!/usr/bin/env node
/**
 * `npm run build:native` (also run by `npm ci`/`npm install` as postinstall, and by scripts/test.sh and
 * scripts/build.sh): builds the optional native TF.js backend (native/, an N-API addon over libtorch).
 * Never fails the install: without libtorch's headers, a C++ compiler or node's headers it prints one line saying
 * what is missing (apt-get install libtorch-dev) and exits 0; the backend chain then uses wasm.
 *   --force   rebuild even when the addon is newer than its sources
 *   --strict  exit 1 when the addon cannot be built (CI uses this to make sure the native path is tested)
 * Float order: binding.gyp compiles with -ffp-contract=off (no FMA contraction, whatever the target) and without
 * -march/-ffast-math, so the addon's own loops compute the same bits on every x86-64 CPU (src/model/float.ts). Flags
 * in CFLAGS/CXXFLAGS that would undo that (-march=…, -mavx…, -ffast-math, -Ofast, -ffp-contract=…) are dropped, with
 * one line saying so.
 * Env: BBIO_TORCH_DIR=<dir with include/ and lib/> builds against another libtorch (e.g. pip's CUDA torch);
 *      BBIO_SKIP_NATIVE=1 skips.
 */
import { spawnSync } from "node:child_process";
import { existsSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeOpsHeader } from "../native/ops-header.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dir = join(root, "native");
const addon = join(dir, "build", "Release", "bbio_native.node");
const force = process.argv.includes("--force");
const strict = process.argv.includes("--strict");
const say = (s) => process.stderr.write(`[bbio] native backend: ${s}\n`);
const skip = (why) => {
  say(`skipped — ${why}; the wasm backend will be used`);
  process.exit(strict ? 1 : 0);
};

if (process.env.BBIO_SKIP_NATIVE === "1") skip("BBIO_SKIP_NATIVE=1");
const torchDir = process.env.BBIO_TORCH_DIR;
const header = torchDir ? join(torchDir, "include", "ATen", "ATen.h") : "/usr/include/ATen/ATen.h";
if (!existsSync(header) || (!torchDir && !existsSync("/usr/include/torch/csrc/api/include")))
  skip(
    torchDir
      ? `no libtorch headers under BBIO_TORCH_DIR=${torchDir} (${header} is missing)`
      : "libtorch headers not found (apt-get install libtorch-dev)",
  );
if (spawnSync("c++", ["--version"]).status !== 0) skip("no C++ compiler (apt-get install g++)");

// the op enums of addon.cc, generated from native/ops.json (the op codes' one source)
writeOpsHeader(dir);

const sources = ["binding.gyp", "src/addon.cc", "torch-config.mjs", "ops.json", "ops-header.mjs", "generated/ops.h"].map((f) =>
  join(dir, f),
);
if (!force && existsSync(addon) && sources.every((s) => statSync(s).mtimeMs <= statSync(addon).mtimeMs)) {
  say("up to date");
  process.exit(0);
}

// npm's own node-gyp (no download); node's headers from the running node's prefix (Debian: /usr/include/node)
const candidates = [
  process.env.npm_execpath && join(dirname(process.env.npm_execpath), "..", "node_modules", "node-gyp", "bin", "node-gyp.js"),
  join(dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"),
  "/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js",
  "/usr/share/nodejs/node-gyp/bin/node-gyp.js",
].filter(Boolean);
const gyp = candidates.find((p) => existsSync(p));
if (!gyp) skip("node-gyp not found (it ships with npm)");
const prefix = join(dirname(process.execPath), "..");
const nodedir = existsSync(join(prefix, "include", "node", "node_api.h")) ? ["--nodedir=" + prefix] : [];

// make appends the user's CFLAGS/CXXFLAGS after binding.gyp's: drop the ones that change float results per CPU
const buildEnv = { ...process.env };
const perCpu =
  /^(-march=|-mtune=native|-mcpu=|-mavx|-mfma|-msse|-ffast-math$|-Ofast$|-ffp-contract=|-funsafe-math|-fassociative-math|-freciprocal-math)/;
for (const v of ["CFLAGS", "CXXFLAGS", "CPPFLAGS"]) {
  const flags = (buildEnv[v] ?? "").split(/\s+/).filter(Boolean);
  const dropped = flags.filter((f) => perCpu.test(f));
  if (dropped.length) {
    say(`ignoring ${v} ${dropped.join(" ")}: per-CPU code generation would change float results between machines`);
    buildEnv[v] = flags.filter((f) => !perCpu.test(f)).join(" ");
  }
}
say(`building against ${torchDir ?? "Debian's libtorch-dev (/usr)"} …`);
const t0 = Date.now();
const r = spawnSync(process.execPath, [gyp, "rebuild", ...nodedir], { cwd: dir, encoding: "utf8", env: buildEnv });
if (r.status !== 0) {
  const tail = `${r.stdout ?? ""}${r.stderr ?? ""}`
    .split("\n")
    .filter((l) => /error|Error/.test(l))
    .slice(-6)
    .join("\n");
  rmSync(addon, { force: true });
  process.stderr.write(tail + "\n");
  skip(`the addon did not compile (is libtorch-dev complete? apt-get install libtorch-dev)`);
}
// load it once in a clean process: a library that cannot load should not leave an addon behind
const check = spawnSync(process.execPath, ["-e", `process.stdout.write(String(require(${JSON.stringify(addon)}).selfTest()))`], {
  encoding: "utf8",
});
if (check.stdout !== "8") {
  rmSync(addon, { force: true });
  process.stderr.write((check.stderr ?? "").split("\n").slice(0, 3).join("\n") + "\n");
  skip("the addon built but does not load (libtorch missing or incompatible: apt-get install --reinstall libtorch-dev)");
}
say(`built ${addon} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
