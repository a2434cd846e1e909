#!/usr/bin/env bash
# One-command GPU check of dynhat on a machine with an NVIDIA GPU (sized for one H100, < 8 min):
#   1. nvidia-smi (the device, driver, clocks) and tool versions;
#   2. configure and build Release for sm_90 with the CUDA backend forced on (build-gpu/);
#   3. the whole ctest suite with DYNHAT_REQUIRE_GPU=1 (a parity test that would skip fails);
#   4. dynhat_benchmarks, 3 repetitions, medians/means only, JSON:
#        RESULTS/benchmarks.json      the CUDA benchmarks and both triads (device run first, so a
#                                     slow CPU cannot cost the GPU figures)
#        RESULTS/benchmarks_cpu.json  the CPU benchmarks, with the time left;
#   5. compute-sanitizer memcheck on tests/test_kernels_parity, when the tool exists and >= 30 s
#      are left (capped at 120 s; a timeout there is reported as incomplete, not as a failure).
# Every step runs under `timeout`, within a budget of DYNHAT_GPU_CHECK_BUDGET_S seconds (default
# 440); a failing step does not stop the later ones. Each step's exit code is in the log and in
# the summary at its end; the script exits 1 when any step failed.
#
#   benchmarks/gpu_check.sh [RESULTS]      RESULTS: first argument, else $OUT, else gpu-check-results/
#
# Needs (no network there: nothing is installed): bash, coreutils `timeout`, cmake >= 3.25, ninja,
# a C++17 compiler, the CUDA toolkit (nvcc, cuBLAS, CCCL; /usr/local/cuda/bin is added to PATH),
# OpenMP, and the CMake packages fmt, nlohmann_json, Eigen3, GTest and benchmark (Debian:
# libfmt-dev nlohmann-json3-dev libeigen3-dev libgtest-dev libbenchmark-dev); nvidia-smi and
# compute-sanitizer are used when present. Optional environment: DYNHAT_SHARED_DATA (the
# cdp2000 tables, when ../shared/data/cdp2000 is not beside the checkout), DYNHAT_CTEST_JOBS
# (parallel ctest jobs, default 4).
set -euo pipefail

RESULTS=${1:-${OUT:-gpu-check-results}}
mkdir -p "$RESULTS"
RESULTS=$(cd "$RESULTS" && pwd)
LOG="$RESULTS/gpu_check.log"
: >"$LOG"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ -d /usr/local/cuda/bin ]]; then PATH="/usr/local/cuda/bin:$PATH"; fi

START=$SECONDS
DEADLINE=$((START + ${DYNHAT_GPU_CHECK_BUDGET_S:-440}))
BUILD=build-gpu
JOBS=$(nproc)
STEP_NAMES=()
STEP_RESULTS=()
FAILED=0

log() { echo "[gpu_check $(date +%H:%M:%S) +$((SECONDS - START))s] $*" | tee -a "$LOG"; }

record() {  # record NAME RESULT FAILS
  STEP_NAMES+=("$1")
  STEP_RESULTS+=("$2")
  if [[ $3 == 1 ]]; then FAILED=1; fi
}

# run_step NAME CAP RESERVE [--soft-timeout] COMMAND...: runs COMMAND under timeout for at most
# CAP seconds, leaving RESERVE seconds of the budget to the steps after it; output to the log.
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
  if ((limit < 10)); then
    log "SKIP $name: only ${left}s of the budget left"
    record "$name" "skipped (no time left)" 1
    return 0
  fi
  log "START $name (timeout ${limit}s): $*"
  local rc
  set +e
  timeout --kill-after=10 "$limit" "$@" 2>&1 | tee -a "$LOG"
  rc=${PIPESTATUS[0]}
  set -e
  if ((rc == 0)); then
    record "$name" "ok" 0
  elif ((rc == 124 || rc == 137)) && ((soft_timeout)); then
    record "$name" "incomplete: timed out after ${limit}s (rc $rc)" 0
  elif ((rc == 124 || rc == 137)); then
    record "$name" "FAILED: timed out after ${limit}s (rc $rc)" 1
  else
    record "$name" "FAILED (rc $rc)" 1
  fi
  log "END $name rc=$rc"
}

# Line-buffered output, so a step killed by its timeout still leaves its lines in the log.
LINEBUF=()
if command -v stdbuf >/dev/null; then LINEBUF=(stdbuf -oL -eL); fi

log "results in $RESULTS; budget $((DEADLINE - START))s; $JOBS cores; $(uname -srm)"
if command -v nvidia-smi >/dev/null; then
  run_step nvidia_smi 30 0 bash -c 'nvidia-smi && nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.memory,power.limit --format=csv'
else
  log "nvidia-smi not found"
  record nvidia_smi "FAILED: nvidia-smi not found" 1
fi
run_step versions 30 0 bash -c 'cmake --version | head -1; ninja --version; nvcc --version | tail -2; c++ --version | head -1'

CONFIGURE=(cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release
  -DCMAKE_CUDA_ARCHITECTURES=90 -DDYNHAT_ENABLE_CUDA=ON)
if [[ -n ${DYNHAT_SHARED_DATA:-} ]]; then CONFIGURE+=("-DDYNHAT_SHARED_DATA=$DYNHAT_SHARED_DATA"); fi
run_step configure 120 240 "${CONFIGURE[@]}"
run_step build 300 200 ninja -C "$BUILD" -j"$JOBS"

run_step ctest 150 150 env DYNHAT_REQUIRE_GPU=1 ctest --test-dir "$BUILD" --output-on-failure \
  -j "${DYNHAT_CTEST_JOBS:-4}"

BENCH="$BUILD/benchmarks/dynhat_benchmarks"
BENCH_FLAGS=(--benchmark_out_format=json --benchmark_repetitions=3
  --benchmark_report_aggregates_only=true)
run_step benchmarks_cuda 180 30 "${LINEBUF[@]}" env DYNHAT_REQUIRE_GPU=1 "$BENCH" \
  "--benchmark_filter=/cuda/|^triad/" --benchmark_out="$RESULTS/benchmarks.json" "${BENCH_FLAGS[@]}"
run_step benchmarks_cpu 180 0 "${LINEBUF[@]}" "$BENCH" "--benchmark_filter=/cpu/M:" \
  --benchmark_out="$RESULTS/benchmarks_cpu.json" "${BENCH_FLAGS[@]}"

SANITIZER=$(command -v compute-sanitizer || true)
PARITY="$BUILD/tests/test_kernels_parity"
if [[ -z $SANITIZER ]]; then
  log "compute-sanitizer not found: memcheck skipped"
  record memcheck "skipped (compute-sanitizer not found)" 0
elif [[ ! -x $PARITY ]]; then
  log "$PARITY not built: memcheck skipped"
  record memcheck "FAILED: $PARITY not built" 1
elif ((DEADLINE - SECONDS < 30)); then
  log "memcheck skipped: under 30 s of the budget left"
  record memcheck "skipped (no time left)" 0
else
  run_step memcheck 120 0 --soft-timeout env DYNHAT_REQUIRE_GPU=1 "$SANITIZER" --tool memcheck \
    --error-exitcode 1 "$PARITY"
fi

if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,temperature.gpu,clocks.sm,clocks.mem,memory.used --format=csv \
    2>&1 | tee -a "$LOG" || true
fi

{
  echo
  echo "===== gpu_check summary ($((SECONDS - START))s) ====="
  for i in "${!STEP_NAMES[@]}"; do
    printf '  %-16s %s\n' "${STEP_NAMES[$i]}" "${STEP_RESULTS[$i]}"
  done
  if ((FAILED)); then echo "RESULT: FAILED"; else echo "RESULT: OK"; fi
} | tee -a "$LOG"
exit "$FAILED"
