#!/usr/bin/env bash
# The README's test command (and CI's): install, build everything, run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
# .mat files and sweeps over MPI ranks: CI must build and test them (the mpi-labelled tests run
# under mpiexec -n 2).
bash scripts/configure.sh -DDYNHAT_ENABLE_MATIO=ON -DDYNHAT_ENABLE_MPI=ON
cmake --build build -j"$(nproc)"
# One test at a time: the solvers' tests already use every core through OpenMP, and two of them
# side by side oversubscribe the cores (on 2 cores the suite took 6x longer and timed out in CI).
# No CDP tables, or no Octave for the .mat outputs' test: a failure, not a skip.
DYNHAT_REQUIRE_DATA=1 DYNHAT_REQUIRE_OCTAVE=1 ctest --test-dir build --output-on-failure
# Reliability: each input reader under libFuzzer (ASan + UBSan) for 30 s, in a build directory of
# its own (timings in the README).
bash scripts/fuzz_smoke.sh 30
# The CPU suites of input handling, kernels, household and dynamic path, and the CLI test, built
# with ASan + UBSan in build-asan/ (scripts/sanitizer_tests.sh says which and why).
bash scripts/sanitizer_tests.sh
# The GPU machine has no -dev packages and no network: the bundle of them (a failed download
# fails here), then the sm_90 CUDA build from the bundle alone, with the system's copies hidden.
if command -v nvcc > /dev/null || [ -x /usr/local/cuda/bin/nvcc ]; then
  bash benchmarks/gpu_bundle.sh
  bash benchmarks/gpu_check.sh --offline-build-test
fi

# --- Python package (README "Python"): pip install .[test] into a fresh virtual environment, then
# pytest, comparing with the CLI built above bit for bit. ccache, when present, serves the pip
# build's C++ (and CUDA) compiles from the build above and from earlier runs.
python_env=build/python-venv
rm -rf "$python_env"
python3 -m venv "$python_env"
# Built for this machine like the CLI above (scripts/configure.sh): the bit-for-bit comparison
# needs the same instruction set (-march=native contracts into FMAs; a portable build rounds
# differently in the last bit). A plain `pip install .` stays portable.
export CMAKE_ARGS="${CMAKE_ARGS:-} -DDYNHAT_NATIVE_CPU=ON"
if command -v ccache > /dev/null; then
  export CMAKE_ARGS="$CMAKE_ARGS -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_CUDA_COMPILER_LAUNCHER=ccache"
fi
"$python_env/bin/python" -m pip install --quiet ".[test]"
DYNHAT_CLI=build/src/cli/dynhat DYNHAT_REQUIRE_CLI=1 "$python_env/bin/python" -m pytest -q python/tests
