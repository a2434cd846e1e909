#!/usr/bin/env bash
# The CPU test suite built with AddressSanitizer + UBSan (DYNHAT_SANITIZE=ON) in build-asan/,
# then the tests that exercise input handling, the I/O, the kernels and the CLI. Left out, for
# time only: the CDP-size solves (CdpBaseYear, China) and the install check, which run
# uninstrumented in the main suite. Any sanitizer report aborts the test and fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDYNHAT_SANITIZE=ON \
  -DDYNHAT_ENABLE_CUDA=OFF -DDYNHAT_BUILD_BENCHMARKS=OFF > /dev/null
cmake --build build-asan
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir build-asan --output-on-failure -E 'CdpBaseYear|China|install_consumer'
