#!/usr/bin/env bash
# Runs a command on N MPI ranks of this machine: mpirun.sh MPIEXEC N COMMAND [ARGS...]
# Open MPI refuses more ranks than cores, and root, unless told; other MPIs know neither flag.
set -euo pipefail
mpiexec=$1
ranks=$2
shift 2
flags=(-n "$ranks")
if "$mpiexec" --version 2>&1 | grep -Eqi 'open-mpi|open mpi|openrte'; then
  flags+=(--oversubscribe)
  if [ "$(id -u)" -eq 0 ]; then flags+=(--allow-run-as-root); fi
fi
exec "$mpiexec" "${flags[@]}" "$@"
