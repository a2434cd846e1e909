#!/usr/bin/env bash
# Configures build/ (Release; CUDA on when nvcc is found, architectures 90 unless overridden;
# -march=native, for binaries run on this machine: a plain configure is portable).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v nvcc > /dev/null && [ -x /usr/local/cuda/bin/nvcc ]; then
  export PATH=/usr/local/cuda/bin:$PATH
fi
# Through ccache when present: the Python package's build (scripts/test.sh) compiles the same
# library sources with the same flags and takes them from the cache.
launcher=()
if command -v ccache > /dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_CUDA_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DDYNHAT_NATIVE_CPU=ON "${launcher[@]}" "$@"
