#!/usr/bin/env bash
# `npm run build`: the workbench site, offline.
#   1. prefill Framework's npm cache from node_modules (no CDN; scripts/prefill-npm-cache.mjs)
#   2. run the suite through the pipeline — cached stages, so a warm build only re-exports (skip: BBIO_SKIP_PIPELINE=1)
#   3. drop cached loader outputs (they depend on the store, which Framework cannot see) and `observable build`
# Env: BBIO_SUITE (default "default"), BBIO_DB (store, default data/bbio.duckdb), BBIO_BASE (URL sub-path, default /),
#      BBIO_DIST (output dir, default dist).
set -euo pipefail
cd "$(dirname "$0")/.."
export OBSERVABLE_TELEMETRY_DISABLE=true
t0=$(date +%s)

node scripts/prefill-npm-cache.mjs docs

if [ "${BBIO_SKIP_PIPELINE:-0}" != "1" ]; then
  echo "== bbio suite ${BBIO_SUITE:-default}"
  npx tsx src/cli.ts suite "${BBIO_SUITE:-default}"
fi

rm -rf docs/.observablehq/cache/data
rm -rf "${BBIO_DIST:-dist}"
npx observable build
echo "build: ${BBIO_DIST:-dist}/ in $(( $(date +%s) - t0 )) s"
