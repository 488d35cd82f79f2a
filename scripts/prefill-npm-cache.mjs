#!/usr/bin/env node
/**
 * Prefill Observable Framework's npm cache from node_modules, so `observable build` never fetches cdn.jsdelivr.net.
 *
 * WHY: Framework 1.13.4 resolves implicit imports (Plot, d3, Inputs → htl), FileAttachment readers (apache-arrow,
 * arquero, d3-dsv) and DuckDB-WASM (pinned 1.29.0) to `npm:` specifiers that it downloads from jsDelivr at build time.
 * `populateNpmCache` (framework/dist/npm.js) skips the download when `<root>/.observablehq/cache/_npm/<name>@<ver>/_esm.js`
 * already exists, and `resolveNpmVersion` takes an unversioned `npm:x` from the cached directory names. So we write those
 * files ourselves, from node_modules. Measured offline: without it any implicit Plot/d3/Inputs, DuckDB-WASM or Parquet
 * use makes the build fetch cdn.jsdelivr.net and exit 1; with it the build runs offline (the prefill takes ~1 s,
 * mostly copying the two DuckDB wasm files).
 *
 * How each package is bundled (the shape jsDelivr's `+esm` serves):
 *   - esbuild, platform browser, ESM, one file per package: `_npm/<name>@<ver>/_esm.js`;
 *   - imports of OTHER ESM packages stay external, rewritten to `../<dep>@<ver>/_esm.js`, and the dep is prefilled too,
 *     so d3 / apache-arrow remain single shared module instances across Plot, arquero and DuckDB;
 *   - CommonJS deps (e.g. interval-tree-1d → binary-search-bounds) are inlined: the browser cannot `require()` them;
 *   - apache-arrow always resolves to the top-level node_modules copy (Framework does the same on jsDelivr by forcing
 *     `latest` for duckdb-wasm's and arquero's arrow), else DuckDB-WASM's nested arrow@17 would be a second Arrow;
 *   - raw files (wasm, workers) are copied byte for byte.
 *
 * Usage: node scripts/prefill-npm-cache.mjs [root=docs] [extra specs...]
 *   spec = `name` (bundle node_modules/name) | `name@ver=alias` (publish node_modules/alias under name@ver)
 *        | `name@ver=alias/sub/path.ext` (raw copy of one file) | `name/sub/path.ext` (raw copy)
 * The whole `_npm` directory is recreated each time: a stale empty dir (e.g. `htl@1.0.0` left by a failed online
 * attempt) would otherwise shadow the version we provide.
 */
import { build } from "esbuild";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const projectRoot = resolve(dirname(new URL(import.meta.url).pathname), "..");
const nodeModules = join(projectRoot, "node_modules");

const DUCKDB = "@duckdb/duckdb-wasm@1.29.0=duckdb-wasm-fw"; // the version Framework 1.13.4 pins (DUCKDB_WASM_VERSION)
export const DEFAULT_SPECS = [
  "d3",
  "d3-dsv",
  "@observablehq/plot",
  "htl",
  "apache-arrow",
  "arquero",
  DUCKDB,
  `${DUCKDB}/dist/duckdb-mvp.wasm`,
  `${DUCKDB}/dist/duckdb-eh.wasm`,
  `${DUCKDB}/dist/duckdb-browser-mvp.worker.js`,
  `${DUCKDB}/dist/duckdb-browser-eh.worker.js`,
];

/** find <dir>/node_modules/<name>/package.json walking up from `fromDir` (Node's resolution order) */
function findPackageDir(name, fromDir) {
  if (name === "apache-arrow") return join(nodeModules, name); // one Arrow for everyone (see header)
  for (let d = fromDir; ; d = dirname(d)) {
    const candidate = join(d, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dirname(d) === d) throw new Error(`prefill: cannot find package ${name} from ${fromDir}`);
  }
}

const readPkg = (dir) => JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
const isEsm = (pkg) => pkg.type === "module" || !!pkg.module || JSON.stringify(pkg.exports ?? {}).includes('"import"');
const splitBare = (spec) => {
  const parts = spec.split("/");
  const n = spec.startsWith("@") ? 2 : 1;
  return { name: parts.slice(0, n).join("/"), sub: parts.slice(n).join("/") };
};

/**
 * Bundle one package directory as `_npm/<publishName>@<version>/_esm.js`; returns the deps it left external.
 * @param {string} cacheDir `<root>/.observablehq/cache/_npm`
 */
async function bundlePackage(cacheDir, pkgDir, publishName, version) {
  const outFile = join(cacheDir, `${publishName}@${version}`, "_esm.js");
  const deps = new Map(); // dir → {name, version}
  const ownName = readPkg(pkgDir).name;
  const plugin = {
    name: "externalize-esm-packages",
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.kind === "entry-point" || args.path.startsWith("node:")) return undefined;
        const { name, sub } = splitBare(args.path);
        if (name === ownName) return undefined; // self-reference: bundle it
        const depDir = findPackageDir(name, args.resolveDir);
        const depPkg = readPkg(depDir);
        if (sub || !isEsm(depPkg)) return undefined; // CJS or deep import: inline into this bundle
        deps.set(depDir, { name, version: depPkg.version });
        const target = join(cacheDir, `${name}@${depPkg.version}`, "_esm.js");
        let rel = relative(dirname(outFile), target);
        if (!rel.startsWith(".")) rel = "./" + rel;
        return { path: rel, external: true };
      });
    },
  };
  // resolve the package's browser ESM entry the way esbuild would for `import "<name>"` (exports/browser/module fields)
  const entry = await resolveEntry(pkgDir);
  await build({
    entryPoints: [entry],
    outfile: outFile,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    legalComments: "none",
    logLevel: "error",
    define: { "process.env.NODE_ENV": '"production"' },
    plugins: [plugin],
  });
  return [...deps.entries()].map(([dir, d]) => ({ dir, ...d }));
}

async function resolveEntry(pkgDir) {
  let resolved;
  await build({
    stdin: { contents: `import ${JSON.stringify(pkgDir)}`, resolveDir: projectRoot },
    write: false,
    bundle: false,
    platform: "browser",
    logLevel: "silent",
    plugins: [
      {
        name: "resolve-entry",
        setup(b) {
          b.onStart(async () => {
            const r = await b.resolve(pkgDir, { kind: "import-statement", resolveDir: projectRoot });
            if (r.errors.length) throw new Error(`prefill: cannot resolve entry of ${pkgDir}: ${r.errors[0].text}`);
            resolved = r.path;
          });
        },
      },
    ],
  });
  return resolved;
}

export async function prefill(root = "docs", specs = DEFAULT_SPECS) {
  const t0 = performance.now();
  const cacheDir = resolve(projectRoot, root, ".observablehq", "cache", "_npm");
  // up to date already (same specs, same installed versions)? then leave it: a concurrent build may be reading it
  const stampFile = join(cacheDir, ".prefill-stamp.json");
  const stamp = JSON.stringify({ specs, versions: specs.map((s) => versionOf(s.split("=").pop())) });
  if (existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp)
    return { packages: 0, files: 0, bytes: 0, seconds: (performance.now() - t0) / 1000, cacheDir, upToDate: true };
  rmSync(cacheDir, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  const done = new Set();
  let files = 0;
  let bytes = 0;
  const queue = [];
  for (const spec of specs) {
    const [publish, source] = spec.includes("=") ? spec.split("=") : [null, spec];
    const { name: srcName, sub } = splitBare(source);
    const pkgDir = join(nodeModules, srcName);
    if (!existsSync(pkgDir)) throw new Error(`prefill: ${srcName} is not installed (npm install)`);
    const version = readPkg(pkgDir).version;
    let publishName = srcName;
    let publishVersion = version;
    if (publish) {
      const at = publish.lastIndexOf("@");
      publishName = publish.slice(0, at);
      publishVersion = publish.slice(at + 1);
    }
    if (sub) {
      const out = join(cacheDir, `${publishName}@${publishVersion}`, sub);
      mkdirSync(dirname(out), { recursive: true });
      copyFileSync(join(pkgDir, sub), out);
      files++;
      bytes += statSync(out).size;
    } else queue.push({ dir: pkgDir, name: publishName, version: publishVersion });
  }
  while (queue.length) {
    const p = queue.shift();
    const key = `${p.name}@${p.version}`;
    if (done.has(key)) continue;
    done.add(key);
    const deps = await bundlePackage(cacheDir, p.dir, p.name, p.version);
    // npm.js reads package.json of a cached package when it must resolve its deps; give it the real one
    const pj = join(cacheDir, key, "package.json");
    copyFileSync(join(p.dir, "package.json"), pj);
    files += 2;
    bytes += statSync(join(cacheDir, key, "_esm.js")).size;
    for (const d of deps) if (!done.has(`${d.name}@${d.version}`)) queue.push(d);
  }
  writeFileSync(stampFile, stamp); // last: a half-done prefill has no stamp and is redone
  return { packages: done.size, files, bytes, seconds: (performance.now() - t0) / 1000, cacheDir, upToDate: false };
}

function versionOf(source) {
  const dir = join(nodeModules, splitBare(source).name);
  return existsSync(join(dir, "package.json")) ? readPkg(dir).version : null;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("prefill-npm-cache.mjs")) {
  const [root = "docs", ...extra] = process.argv.slice(2);
  prefill(root, [...DEFAULT_SPECS, ...extra]).then(
    (r) =>
      console.log(
        r.upToDate
          ? `npm cache for Framework up to date (${r.cacheDir.slice(projectRoot.length + 1)})`
          : `prefilled ${r.packages} packages (${r.files} files, ${(r.bytes / 1e6).toFixed(1)} MB) in ${r.seconds.toFixed(1)} s`,
      ),
    (e) => {
      console.error(`prefill-npm-cache: ${e.message}`);
      process.exit(1);
    },
  );
}
