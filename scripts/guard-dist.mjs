#!/usr/bin/env node
/**
 * The guard in front of scripts/build.sh's `rm -rf "$BBIO_DIST"`: prints the output folder to delete and rebuild, or
 * refuses (exit 2, nothing deleted) when it is not a folder the build owns. A typo in BBIO_DIST must never delete a
 * checkout, the docs, or the run store.
 *
 * Refused: the filesystem root, the repository or any folder above it, docs/ (the site's sources) or anything in it,
 * the folder of the run store ($BBIO_DB, default data/bbio.duckdb) or any folder above it, the stage cache's folder
 * ($BBIO_CACHE), and an existing folder that no build made (no `.bbio-dist` marker and no Framework output in it).
 * Paths are compared after following symlinks, so `BBIO_DIST=link-to-docs` is refused like `docs`.
 * Usage: node scripts/guard-dist.mjs [dist]  (default $BBIO_DIST or dist); `--mark <dist>` writes the marker.
 */
import { existsSync, readdirSync, realpathSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";

export const MARKER = ".bbio-dist";

const root = realpathSync(resolve(dirname(new URL(import.meta.url).pathname), ".."));

function real(p) {
  const abs = resolve(p);
  try {
    return realpathSync(abs);
  } catch {
    const parent = dirname(abs);
    return parent === abs ? abs : join(real(parent), basename(abs));
  }
}

/** a is b or a folder above b */
const contains = (a, b) => {
  const r = relative(a, b);
  return r === "" || (!r.startsWith(`..${sep}`) && r !== ".." && !r.startsWith(sep));
};

/** Why deleting `dist` is refused, or null when it is the build's own output folder. */
export function refusal(dist) {
  if (!dist?.trim()) return "BBIO_DIST is empty";
  const d = real(resolve(root, dist));
  if (d === dirname(d)) return `${dist} is the filesystem root`;
  if (contains(d, root)) return `${dist} is the repository ${root} or a folder above it`;
  if (contains(real(join(root, "docs")), d)) return `${dist} is docs/ (the site's sources) or inside it`;
  const store = real(resolve(root, process.env.BBIO_DB || "data/bbio.duckdb"));
  if (contains(d, store)) return `${dist} holds the run store ${store}`;
  const cache = real(resolve(root, process.env.BBIO_CACHE || "data/cache"));
  if (contains(d, cache) || contains(cache, d)) return `${dist} holds or is inside the stage cache ${cache}`;
  if (existsSync(d)) {
    if (!statSync(d).isDirectory()) return `${dist} is a file, not an output folder`;
    const names = readdirSync(d);
    const built = names.includes(MARKER) || names.includes("_observablehq") || names.length === 0;
    if (!built) return `${dist} is an existing folder that no bbio build made (no ${MARKER} marker in it)`;
  }
  return null;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const args = process.argv.slice(2);
  if (args[0] === "--mark") {
    writeFileSync(join(resolve(root, args[1]), MARKER), "made by scripts/build.sh; deleted and rebuilt by the next build\n");
    process.exit(0);
  }
  const dist = args[0] ?? process.env.BBIO_DIST ?? "dist";
  const why = refusal(dist);
  if (why) {
    process.stderr.write(
      `error: refusing to delete BBIO_DIST=${dist}: ${why}; nothing was deleted\nhint: set BBIO_DIST to an output folder of its own, e.g. dist or /tmp/bbio-site\n`,
    );
    process.exit(2);
  }
  process.stdout.write(`${real(resolve(root, dist))}\n`);
}
