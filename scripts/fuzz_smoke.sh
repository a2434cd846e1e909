#!/usr/bin/env bash
# The readers under libFuzzer (ASan + UBSan), each for a fixed budget on its seed corpus:
#   bash scripts/fuzz_smoke.sh [SECONDS_PER_HARNESS]   (default 30)
# Builds build-fuzz/ with clang (only the readers and the harnesses). The corpus grows in a
# scratch copy, so the repository's seeds stay small. Any crash, sanitizer report, exception
# other than dynhat::Error, allocation over 64 MB or input slower than 5 s fails the run and
# leaves the reproducer in build-fuzz/findings/.
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${1:-30}
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DDYNHAT_FUZZ=ON -DDYNHAT_ENABLE_CUDA=OFF -DDYNHAT_BUILD_TESTS=OFF \
  -DDYNHAT_BUILD_BENCHMARKS=OFF -DDYNHAT_BUILD_CLI=OFF > /dev/null
cmake --build build-fuzz --target fuzz_all
mkdir -p build-fuzz/findings
for reader in matrix_csv npy long_table scenario sparse_csv; do
  corpus=$(mktemp -d)
  cp tests/fuzz/corpus/"$reader"/* "$corpus"/
  echo "fuzz_$reader: $budget s"
  build-fuzz/tests/fuzz/fuzz_"$reader" -max_total_time="$budget" -timeout=5 -rss_limit_mb=1024 \
    -malloc_limit_mb=64 -print_final_stats=1 -artifact_prefix=build-fuzz/findings/"$reader"- \
    "$corpus" > build-fuzz/fuzz_"$reader".log 2>&1 || {
    tail -40 build-fuzz/fuzz_"$reader".log
    echo "fuzz_$reader: FAILED (reproducer in build-fuzz/findings/)"
    exit 1
  }
  grep -E '^stat::number_of_executed_units|^Done' build-fuzz/fuzz_"$reader".log || true
  rm -rf "$corpus"
done
