#!/usr/bin/env bash
# The CPU tests built with AddressSanitizer + UBSan (DYNHAT_SANITIZE=ON) in build-asan/: the
# suites of input handling (readers, sparse readers, validation, scenario and sweep files, output
# directories), the CPU kernels, the household solvers and the dynamic path, then the end-to-end
# CLI test on the instrumented binary. Left out for time only (they run uninstrumented in the
# main suite): the static equilibrium, chord matrix and sequential-reference suites (CDP-size
# solves, minutes under ASan) and the CUDA parity tests. Any sanitizer report aborts the test and
# fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
# Portable code (no -march=native): GCC 12 under -fsanitize reports '__Y is used uninitialized'
# inside its own AVX-512 intrinsics (avx512fintrin.h, through Eigen), an -Werror false positive.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDYNHAT_SANITIZE=ON \
  -DDYNHAT_ENABLE_CUDA=OFF -DDYNHAT_NATIVE_CPU=OFF -DDYNHAT_BUILD_BENCHMARKS=OFF > /dev/null
suites=(io sparse_io output_directory validation economy_data scenario sweep kit_tables
        kernels_cpu household_levels household_hat dynamic)
# The .mat suite exists in a build with matio (found by pkg-config, as in the main build).
if grep -q '^DYNHAT_ENABLE_MATIO:BOOL=ON' build-asan/CMakeCache.txt; then suites+=(mat_files); fi
cmake --build build-asan --target "${suites[@]/#/test_}" dynhat_cli make_tiny_economy
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for suite in "${suites[@]}"; do
  echo "sanitized test_$suite"
  build-asan/tests/test_"$suite" --gtest_brief=1
done
bash tests/cli_test.sh "$PWD/build-asan/src/cli/dynhat" "$PWD/build-asan/tests/make_tiny_economy"
# The kit's formats end to end (exit 77: no Octave, skipped loudly by the script itself).
if [ -x build-asan/tests/test_mat_files ]; then
  bash tests/kit_outputs_test.sh "$PWD/build-asan/src/cli/dynhat" \
    "$PWD/build-asan/tests/make_tiny_economy" "$PWD/tests/kit_outputs.m" || [ $? -eq 77 ]
fi
