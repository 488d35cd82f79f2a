#!/usr/bin/env bash
# `npm run build`: the workbench site, offline.
#   1. prefill Framework's npm cache from node_modules (no CDN; scripts/prefill-npm-cache.mjs)
#   2. run the suite through the pipeline — cached stages, so a warm build only re-exports (skip: BBIO_SKIP_PIPELINE=1)
#   3. drop cached loader outputs (they depend on the store, which Framework cannot see) and `observable build`
# Env: BBIO_SUITE (default "default"), BBIO_DB (store, default data/bbio.duckdb), BBIO_BASE (URL sub-path, default /),
#      BBIO_DIST (output dir, default dist), BBIO_JOBS (suite runs at once, one worker process each; default 2), BBIO_THREADS (threads per run,
#      default 1: part of every run's float identity, so it is fixed rather than derived from the core count).
set -euo pipefail
cd "$(dirname "$0")/.."
export OBSERVABLE_TELEMETRY_DISABLE=true
t0=$(date +%s)
# the output folder is deleted below: check first, before anything runs, that it is one the build owns (not docs/,
# the checkout, /, the store's folder, ...); scripts/guard-dist.mjs says why it refuses, and nothing is deleted
dist=$(node scripts/guard-dist.mjs "${BBIO_DIST:-dist}")

node scripts/prefill-npm-cache.mjs docs
node scripts/build-native.mjs || true # optional native backend (libtorch-dev); skipped with a note when absent

# one ATen and one OpenBLAS thread per run, whatever the machine: the thread count decides the order of sums
# (docs/method.md §10), so a default that followed the core count would give another machine other numbers. More cores
# buy more runs at once (BBIO_JOBS), which changes no number.
export BBIO_THREADS="${BBIO_THREADS:-1}" BBIO_ATEN_THREADS="${BBIO_ATEN_THREADS:-${BBIO_THREADS:-1}}"

if [ "${BBIO_SKIP_PIPELINE:-0}" != "1" ]; then
  echo "== bbio suite ${BBIO_SUITE:-default} (--jobs ${BBIO_JOBS:-2})"
  npx tsx src/cli.ts suite "${BBIO_SUITE:-default}" --jobs "${BBIO_JOBS:-2}"
fi

rm -rf docs/.observablehq/cache/data
rm -rf "$dist"
t1=$(date +%s)
npx observable build
# Framework 1.13 has no `lang` option and writes a bare <html>: every page is English (screen readers, hyphenation)
find "$dist" -name '*.html' -exec sed -i 's/^<html>$/<html lang="en">/' {} +
node scripts/guard-dist.mjs --mark "$dist"
echo "build: ${BBIO_DIST:-dist}/ in $(( $(date +%s) - t0 )) s (site $(( $(date +%s) - t1 )) s)"
