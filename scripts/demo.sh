#!/usr/bin/env bash
# The README's run command: install, build, and solve the embedded default example.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
bash scripts/configure.sh
cmake --build build -j"$(nproc)" --target dynhat_cli
./build/src/cli/dynhat demo --out demo-output "$@"
# The figures (README "Python"), when the dynhat package and matplotlib are importable: the
# interpreter on PATH, or the virtual environment scripts/test.sh installs into.
for python in python3 build/python-venv/bin/python; do
  if "$python" -c "import dynhat.plots" > /dev/null 2>&1; then
    "$python" -m dynhat.plots demo-output > /dev/null
    echo "figures (PNG and PDF): demo-output/figures/"
    exit 0
  fi
done
echo "no figures: python3 -m pip install . (README \"Python\") to draw them into demo-output/figures/"
