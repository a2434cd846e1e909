#!/usr/bin/env bash
# Installs the build and test dependencies from Debian 12 packages. The CUDA toolkit (nvcc,
# cuBLAS, CCCL) is not installed here: when nvcc is on PATH or in /usr/local/cuda the CUDA backend
# is built, otherwise a CPU-only build is configured.
set -euo pipefail
packages=(cmake ninja-build g++ nlohmann-json3-dev libfmt-dev libcli11-dev
          libeigen3-dev libgtest-dev libgmock-dev libbenchmark-dev
          libtomlplusplus-dev libssl-dev zlib1g-dev python3-venv python3-dev
          clang libclang-rt-14-dev libomp-dev  # fuzzing (libFuzzer) and its OpenMP
          ccache  # the Python package's build reuses the library objects of build/
          libopenmpi-dev openmpi-bin  # sweeps over MPI ranks (DYNHAT_ENABLE_MPI) and mpiexec
          libmatio-dev  # MATLAB .mat inputs and `--format mat` (the replication kit's formats)
          octave)  # tests/kit_outputs.m reads the .mat outputs as the kit's scripts would
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${packages[@]}"
