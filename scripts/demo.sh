#!/usr/bin/env bash
# The README's run command: install, build, and solve the embedded default example.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
bash scripts/configure.sh
cmake --build build -j"$(nproc)" --target dynhat_cli
./build/src/cli/dynhat demo --out demo-output "$@"
