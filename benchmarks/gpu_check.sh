#!/usr/bin/env bash
# One-command GPU check of dynhat on a machine with an NVIDIA GPU, sized for one device call of
# about 8 minutes on one H200 with 16 cores:
#   1. nvidia-smi (the device, driver, clocks) and tool versions;
#   2. configure and build Release for sm_90 with the CUDA backend forced on and DYNHAT_WERROR off
#      (build-gpu/; the host compiler there is not CI's and may warn differently);
#   3. the CUDA tests only (ctest -L gpu: CPU-vs-CUDA parity) with DYNHAT_REQUIRE_GPU=1, so a
#      parity test that would skip fails;
#   4. compute-sanitizer memcheck on the small parity cases (M = 7, the small TE batch);
#   5. dynhat_benchmarks in groups, each writing its own JSON (CUDA kernels, CUDA solvers, the CDP
#      China shock on CUDA, then the CPU counterparts on the same machine), no N = 2000 static case;
#   6. a summary, and RESULTS/results.tar.gz with every JSON and the ctest and memcheck logs.
# Every step runs under `timeout` within a budget of DYNHAT_GPU_CHECK_BUDGET_S seconds (default
# 440, for a 480 s device call); each step leaves the later steps their reserve, a failing step
# does not stop the later ones, and a benchmark group that times out is "incomplete" with its
# JSON closed after the last finished benchmark. Each step's exit code is in the log and in
# RESULTS/summary.txt; the script exits 1 when any step failed. RESULTS then holds three files
# (gpu_check.log, summary.txt, results.tar.gz), within the device tool's 8.
#
#   benchmarks/gpu_check.sh [RESULTS]                 RESULTS: else $OUT, else gpu-check-results/
#   benchmarks/gpu_check.sh --offline-build-test      here, without a GPU: see offline_build_test
#
# Needs (no network there: nothing is installed): bash, coreutils `timeout`, cmake >= 3.25, ninja,
# a C++17 compiler, the CUDA toolkit (nvcc, cuBLAS, CCCL; /usr/local/cuda/bin is added to PATH),
# OpenMP, python3 (closing cut-off JSON), and either the Debian -dev packages of
# scripts/install_deps.sh or the bundle of benchmarks/gpu_bundle.sh in gpu-bundle/ (carried to
# the GPU machine). The CDP tables must be there: the bundle's, else DYNHAT_SHARED_DATA, else
# ../shared/data/cdp2000; without them the script stops at once. nvidia-smi and compute-sanitizer
# are used when present. Optional: DYNHAT_CTEST_JOBS (parallel ctest jobs, default 2, each with
# OMP_NUM_THREADS = cores / jobs), DYNHAT_GPU_CHECK_JOBS (build jobs, default all cores).
set -euo pipefail

OFFLINE=0
if [[ ${1:-} == --offline-build-test ]]; then
  OFFLINE=1
  shift
fi
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RESULTS=${1:-${OUT:-$ROOT/gpu-check-results}}
if ((OFFLINE)); then RESULTS=${1:-$ROOT/build-offline/results}; fi
mkdir -p "$RESULTS"
RESULTS=$(cd "$RESULTS" && pwd)
cd "$ROOT"

# The offline test hides the system's copies of the bundled packages in a private mount
# namespace (root only; the mounts vanish with the process). Elsewhere CMAKE_IGNORE_PREFIX_PATH
# and the check of where each package came from still hold.
SYSTEM_COPIES=(/usr/include/{fmt,nlohmann,eigen3,toml++,CLI,gtest,gmock,benchmark,openssl}
  /usr/include/x86_64-linux-gnu/openssl /usr/share/eigen3 /usr/share/cmake/{CLI11,nlohmann_json}
  /usr/lib/x86_64-linux-gnu/cmake/{fmt,GTest,benchmark,tomlplusplus})
if ((OFFLINE)) && [[ -z ${DYNHAT_SYSTEM_HIDDEN:-} ]] && unshare -m true 2>/dev/null; then
  exec unshare -m env DYNHAT_SYSTEM_HIDDEN=1 bash "${BASH_SOURCE[0]}" --offline-build-test "$@"
fi

LOG="$RESULTS/gpu_check.log"
SUMMARY="$RESULTS/summary.txt"
PARTS="$RESULTS/parts"  # the files of results.tar.gz
rm -rf "$PARTS"
mkdir -p "$PARTS"
: >"$LOG"
if [[ -d /usr/local/cuda/bin ]]; then PATH="/usr/local/cuda/bin:$PATH"; fi

START=$SECONDS
DEADLINE=$((START + ${DYNHAT_GPU_CHECK_BUDGET_S:-$((OFFLINE ? 5400 : 440))}))
BUILD=build-gpu
if ((OFFLINE)); then BUILD=build-offline; fi
CORES=$(nproc)
JOBS=${DYNHAT_GPU_CHECK_JOBS:-$CORES}
STEP_NAMES=()
STEP_RESULTS=()
STEP_FAILS=()  # 1 where the step counts as failed

log() { echo "[gpu_check $(date +%H:%M:%S) +$((SECONDS - START))s] $*" | tee -a "$LOG"; }
die() {
  log "FATAL: $*"
  exit 1
}

record() {  # record NAME RESULT FAILS
  STEP_NAMES+=("$1")
  STEP_RESULTS+=("$2")
  STEP_FAILS+=("$3")
}

# run_step NAME CAP RESERVE [--soft-timeout] COMMAND...: runs COMMAND under timeout for at most
# CAP seconds, leaving RESERVE seconds of the budget to the steps after it; output to the log.
# Sets STEP_RC to the command's exit status (-1 when skipped).
run_step() {
  local name=$1 cap=$2 reserve=$3
  shift 3
  local soft_timeout=0
  if [[ $1 == --soft-timeout ]]; then
    soft_timeout=1
    shift
  fi
  local left=$((DEADLINE - SECONDS - reserve))
  local limit=$((cap < left ? cap : left))
  STEP_RC=-1
  if ((limit < 10)); then
    log "SKIP $name: only ${left}s of the budget left"
    record "$name" "skipped (no time left)" 1
    return 0
  fi
  log "START $name (timeout ${limit}s): $*"
  set +e
  timeout --kill-after=10 "$limit" "$@" 2>&1 | tee -a "$LOG"
  STEP_RC=${PIPESTATUS[0]}
  set -e
  if ((STEP_RC == 0)); then
    record "$name" "ok" 0
  elif ((STEP_RC == 124 || STEP_RC == 137)) && ((soft_timeout)); then
    record "$name" "incomplete: timed out after ${limit}s (rc $STEP_RC)" 0
  elif ((STEP_RC == 124 || STEP_RC == 137)); then
    record "$name" "FAILED: timed out after ${limit}s (rc $STEP_RC)" 1
  else
    record "$name" "FAILED (rc $STEP_RC)" 1
  fi
  log "END $name rc=$STEP_RC"
}

finish() {
  local failed=0
  if [[ " ${STEP_FAILS[*]} " == *" 1 "* ]]; then failed=1; fi
  {
    echo
    echo "===== gpu_check summary ($((SECONDS - START))s of $((DEADLINE - START))s) ====="
    for i in "${!STEP_NAMES[@]}"; do
      printf '  %-20s %s\n' "${STEP_NAMES[$i]}" "${STEP_RESULTS[$i]}"
    done
    if ((failed)); then echo "RESULT: FAILED"; else echo "RESULT: OK"; fi
  } | tee "$SUMMARY" | tee -a "$LOG"
  if [[ -n $(ls -A "$PARTS") ]]; then tar -C "$PARTS" -czf "$RESULTS/results.tar.gz" .; fi
  rm -rf "$PARTS"
  exit "$failed"
}

# --- dependencies and the CDP tables: the bundle when present -----------------------------------
BUNDLE=$ROOT/gpu-bundle
if [[ -f $BUNDLE/env.sh ]]; then
  # shellcheck source=/dev/null
  source "$BUNDLE/env.sh"  # exported: nested CMake runs (install_consumer) and the loader see it
  log "using the bundle $BUNDLE: CMAKE_PREFIX_PATH=$CMAKE_PREFIX_PATH"
  mkdir -p "$BUILD"
  if command -v xz >/dev/null; then
    tar -C "$BUILD" -xJf "$DYNHAT_BUNDLE_TABLES"
  else
    python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' \
      "$DYNHAT_BUNDLE_TABLES" "$BUILD"
  fi
  DYNHAT_SHARED_DATA=$ROOT/$BUILD/cdp2000
elif ((OFFLINE)); then
  die "no bundle in $BUNDLE: run benchmarks/gpu_bundle.sh first"
fi
DYNHAT_SHARED_DATA=${DYNHAT_SHARED_DATA:-$ROOT/../shared/data/cdp2000}
for table in bilateral_trade gross_output io_coefficients sectoral_dispersion structures_share \
             value_added_share mu0 L0; do
  [[ -f $DYNHAT_SHARED_DATA/$table.csv ]] ||
    die "the CDP table $DYNHAT_SHARED_DATA/$table.csv is missing: the CDP tests and benchmarks" \
      "would be silently absent (make the bundle, or set DYNHAT_SHARED_DATA)"
done
log "CDP tables: $DYNHAT_SHARED_DATA"

CONFIGURE=(cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release
  -DCMAKE_CUDA_ARCHITECTURES=90 -DDYNHAT_ENABLE_CUDA=ON -DDYNHAT_WERROR=OFF -DDYNHAT_NATIVE_CPU=ON
  "-DDYNHAT_SHARED_DATA=$DYNHAT_SHARED_DATA")

# check_package_origins: logs where CMake found each bundled package; with the bundle in use, a
# package found anywhere else is a failure (the GPU machine would not have it).
check_package_origins() {
  local entry value origins=0
  for entry in nlohmann_json_DIR fmt_DIR Eigen3_DIR tomlplusplus_DIR CLI11_DIR GTest_DIR \
               benchmark_DIR OPENSSL_INCLUDE_DIR OPENSSL_CRYPTO_LIBRARY ZLIB_INCLUDE_DIR; do
    value=$(sed -n "s/^$entry:[A-Z]*=//p" "$BUILD/CMakeCache.txt" 2>/dev/null || true)
    log "found $entry = $value"
    if [[ -n ${DYNHAT_BUNDLE_PREFIX:-} && $value != "$DYNHAT_BUNDLE_PREFIX"/* ]]; then
      log "$entry is not from the bundle"
      origins=1
    fi
  done
  if [[ -z ${DYNHAT_BUNDLE_PREFIX:-} ]]; then
    record package_origins "system packages (no bundle)" 0
  elif ((origins)); then
    record package_origins "FAILED: a package was not found in the bundle" 1
  else
    record package_origins "ok (all from $DYNHAT_BUNDLE_PREFIX)" 0
  fi
}

# The offline build test, on a machine without a GPU: configure and build exactly as on the GPU
# machine, but with the system prefixes ignored (and, with unshare, the system's copies of the
# bundled packages hidden), so only the bundle can satisfy the packages; check where each package
# was found; run the tests that use the bundle at run time (the nested CMake of
# install_consumer, the CLI's libcrypto and libtomlplusplus) and list the CDP benchmarks.
offline_build_test() {
  if [[ -n ${DYNHAT_SYSTEM_HIDDEN:-} ]]; then
    for dir in "${SYSTEM_COPIES[@]}"; do
      if [[ -d $dir ]]; then mount -t tmpfs -o size=1m,ro none "$dir"; fi
    done
    log "system copies hidden (empty mounts): ${SYSTEM_COPIES[*]}"
  else
    log "unshare -m not permitted: system copies not hidden, only ignored by CMake"
  fi
  rm -f "$BUILD/CMakeCache.txt"  # every package found afresh, none remembered from an earlier run
  run_step configure 300 0 "${CONFIGURE[@]}" "-DCMAKE_IGNORE_PREFIX_PATH=/usr;/;/usr/local"
  check_package_origins
  run_step build 3600 0 ninja -C "$BUILD" -j"$JOBS"
  # Fails unless the CLI loads both libtomlplusplus and libcrypto from the bundle.
  local cli=$BUILD/src/cli/dynhat
  run_step runtime_libraries 30 0 bash -c "ldd '$cli' && [[ \$(ldd '$cli' |
    grep -cE 'lib(tomlplusplus|crypto)\.so.* => $DYNHAT_BUNDLE_PREFIX/') == 2 ]]"
  run_step ctest_bundle 600 0 ctest --test-dir "$BUILD" --output-on-failure \
    -R '^(install_consumer|cli|benchmark_smoke)$'
  run_step cdp_benchmarks_listed 120 0 bash -c "$BUILD/benchmarks/dynhat_benchmarks \
    --dynhat_require_tables --benchmark_list_tests | grep -E '^(static_fast_batch|dynamic_china)/'"
  finish
}
if ((OFFLINE)); then offline_build_test; fi

# --- the GPU run --------------------------------------------------------------------------------
# Line-buffered output, so a step killed by its timeout still leaves its lines in the log.
LINEBUF=()
if command -v stdbuf >/dev/null; then LINEBUF=(stdbuf -oL -eL); fi

# close_json FILE: a benchmark run cut off by its timeout leaves its JSON open; keep the
# benchmarks that finished and close the document, so every file parses.
close_json() {
  [[ -f $1 ]] || return 0
  python3 - "$1" <<'PY' || log "could not close $1"
import json, sys
path = sys.argv[1]
text = open(path).read()
try:
    json.loads(text)
except ValueError:
    head, sep, _ = text.rpartition("\n    }")  # the end of the last complete benchmark entry
    if sep and '"benchmarks": [' in head:
        text = head + sep + '\n  ],\n  "dynhat_incomplete": true\n}\n'
    else:  # cut off before the first benchmark finished
        text = '{"benchmarks": [], "dynhat_incomplete": true}\n'
    json.loads(text)
    open(path, "w").write(text)
    print(f"{path}: cut off, closed after the last finished benchmark")
PY
}

BENCH=$BUILD/benchmarks/dynhat_benchmarks
# bench_group NAME CAP RESERVE REPETITIONS FILTER: one group of benchmarks into PARTS/NAME.json.
bench_group() {
  local name=$1 cap=$2 reserve=$3 repetitions=$4 filter=$5
  run_step "$name" "$cap" "$reserve" --soft-timeout "${LINEBUF[@]}" env DYNHAT_REQUIRE_GPU=1 \
    "$BENCH" --dynhat_require_tables "--benchmark_filter=$filter" \
    --benchmark_out="$PARTS/$name.json" --benchmark_out_format=json \
    --benchmark_repetitions="$repetitions" --benchmark_report_aggregates_only=true \
    --benchmark_min_time=0.05
  close_json "$PARTS/$name.json"
}

log "results in $RESULTS; budget $((DEADLINE - START))s; $CORES cores; $(uname -srm)"
if command -v nvidia-smi >/dev/null; then
  run_step nvidia_smi 30 0 bash -c 'nvidia-smi && nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.memory,power.limit --format=csv'
else
  log "nvidia-smi not found"
  record nvidia_smi "FAILED: nvidia-smi not found" 1
fi
run_step versions 30 0 bash -c 'cmake --version | head -1; ninja --version; nvcc --version | tail -2; c++ --version | head -1'

# Reserves: what the steps after each one need at the least (the GPU tests and benchmarks).
run_step configure 60 330 "${CONFIGURE[@]}"
check_package_origins
run_step build 240 150 ninja -C "$BUILD" -j"$JOBS"

CTEST_JOBS=${DYNHAT_CTEST_JOBS:-2}
run_step ctest_gpu 120 130 env DYNHAT_REQUIRE_GPU=1 OMP_NUM_THREADS=$((CORES / CTEST_JOBS)) \
  ctest --test-dir "$BUILD" -L gpu --output-on-failure -j "$CTEST_JOBS" \
  --output-log "$PARTS/ctest_gpu.log"

# gVisor machines refuse compute-sanitizer ("Device not supported"): that is no finding.
SANITIZER=$(command -v compute-sanitizer || true)
if [[ -z $SANITIZER ]]; then
  record memcheck "skipped (compute-sanitizer not found)" 0
else
  run_step memcheck 60 110 --soft-timeout bash -c "set -o pipefail; DYNHAT_REQUIRE_GPU=1 \
    '$SANITIZER' --tool memcheck --print-limit 20 --error-exitcode 1 \
    $BUILD/tests/test_kernels_parity '--gtest_filter=Sizes/CudaParity.*/0:CudaTeParity.*' \
    2>&1 | tee '$PARTS/memcheck.log'"
  if ((STEP_RC != 0)) && grep -q "Device not supported" "$PARTS/memcheck.log" 2>/dev/null; then
    STEP_RESULTS[-1]="skipped (compute-sanitizer: device not supported here)"
    STEP_FAILS[-1]=0
  fi
fi

KERNELS="row_logsumexp|softmax_transpose_apply|lse_plus_transpose|scaled_row_sums|labor_chain"
KERNELS+="|backward_value_sweep|column_scalings|value_update"
bench_group bench_kernels_cuda 50 90 3 "^($KERNELS)/cuda/|^triad/cuda/"
bench_group bench_solvers_cuda 60 50 1 \
  "^household_[a-z_]+/cuda/|^static_fast_batch/cuda/|^static_fast/cuda/J:22/N:(87|500)/"
bench_group bench_china_cuda 90 25 1 "^dynamic_china/cdp/T:200/backend:cuda/"
bench_group bench_cpu 60 0 1 \
  "^($KERNELS)/cpu/M:(1150|4600)|^triad/cpu/|^household_hat_anderson/cpu/M:1150/|^static_fast_batch/cpu/cdp/"

if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,temperature.gpu,clocks.sm,clocks.mem,memory.used --format=csv \
    2>&1 | tee -a "$LOG" || true
fi
finish
