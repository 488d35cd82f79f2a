#!/usr/bin/env bash
# `npm run dev`: Framework's preview server with live reload, over the existing store (nothing is trained).
#   1. prefill Framework's npm cache from node_modules, as the build does (no CDN; scripts/prefill-npm-cache.mjs)
#   2. drop cached loader outputs: Framework caches docs/data/site.tar by the loader's source, not by the store it
#      reads, so without this the preview could show an older store than the one on disk
#   3. `observable preview`: edits to docs/ pages and components reload the browser at once
# Env: BBIO_DB (store, default data/bbio.duckdb). Extra arguments go to `observable preview` (e.g. --port 3001,
# --no-open, --host 0.0.0.0). After the store or src/analysis changes, restart (or touch docs/data/site.tar.ts) to
# re-run the loader.
set -euo pipefail
cd "$(dirname "$0")/.."
export OBSERVABLE_TELEMETRY_DISABLE=true

node scripts/prefill-npm-cache.mjs docs
rm -rf docs/.observablehq/cache/data
if [ ! -e "${BBIO_DB:-data/bbio.duckdb}" ]; then
  echo "dev: no store at ${BBIO_DB:-data/bbio.duckdb} yet: the pages will say \"no runs yet\" (fill it with npm run build or npx bbio suite default)" >&2
fi
exec npx observable preview "$@"
