#!/usr/bin/env bash
# Shared stage cache vs a "stages first" phase vs no sharing, for a tiny sweep run as 2 concurrent shards (2 cores):
#   ci config × grpo.method {sum, pcgrad, mgda, cagrpo} × seed {0, 1} = 8 runs over 2 distinct upstreams
#   (generate/sft/rm/baseline per seed). Prints, for each strategy with a fresh cache, the wall time and the CPU time
#   (user + sys, summed over every process): on a shared machine the wall time is noisy, the CPU time much less so.
#   bash bench/sweep-sharing.sh [repeats]
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/tiny.json" <<'JSON'
{ "base": "ci", "grid": { "grpo.method": ["sum", "pcgrad", "mgda", "cagrpo"], "seed": [0, 1] } }
JSON
bbio() { node bin/bbio.mjs "$@"; }
TIMEFORMAT='%U %S'
cpu() { awk '{ s += $1 + $2 } END { printf "%.1f", s }' "$@"; } # sum of "user sys" lines
computed() { cat "$1"/*.log | grep -c "computing →" || true; }   # stage computations (not reuses)
now() { date +%s.%N; }
shards() { # $1 = dir, $2 = cache of shard 0, $3 = cache of shard 1
  { time bbio sweep "$work/tiny.json" --shard 0/2 --shard-dir "$1/shards" --cache "$2" --costs "$work/none.duckdb" >/dev/null 2>"$1/s0.log"; } 2>>"$1/cpu" &
  local p0=$!
  { time bbio sweep "$work/tiny.json" --shard 1/2 --shard-dir "$1/shards" --cache "$3" --costs "$work/none.duckdb" >/dev/null 2>"$1/s1.log"; } 2>>"$1/cpu" &
  local p1=$!
  wait "$p0" "$p1"
}
for r in $(seq 1 "$reps"); do
  d="$work/shared-$r"; mkdir -p "$d"; t0=$(now)
  shards "$d" "$d/cache" "$d/cache"
  t1=$(now); echo "shared cache         : wall $(echo "$t1 - $t0" | bc) s, cpu $(cpu "$d/cpu") s, $(computed "$d") stages computed"

  d="$work/first-$r"; mkdir -p "$d"; t0=$(now)
  { time bbio sweep stages "$work/tiny.json" --cache "$d/cache" >/dev/null 2>"$d/stages.log"; } 2>>"$d/cpu"
  t1=$(now)
  shards "$d" "$d/cache" "$d/cache"
  t2=$(now); echo "stages first         : wall $(echo "$t2 - $t0" | bc) s (stages phase $(echo "$t1 - $t0" | bc) s), cpu $(cpu "$d/cpu") s, $(computed "$d") stages computed"

  d="$work/none-$r"; mkdir -p "$d"; t0=$(now)
  shards "$d" "$d/cache0" "$d/cache1"
  t1=$(now); echo "no sharing (2 caches): wall $(echo "$t1 - $t0" | bc) s, cpu $(cpu "$d/cpu") s, $(computed "$d") stages computed"
done
