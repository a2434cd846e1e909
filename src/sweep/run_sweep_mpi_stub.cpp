// A build without MPI (DYNHAT_ENABLE_MPI off): run_sweep_mpi says how to get it.
#include "dynhat/error.hpp"
#include "dynhat/sweep.hpp"

namespace dynhat {

bool sweep_mpi_available() noexcept {
  return false;
}

SweepRun run_sweep_mpi(const Sweep&, const std::filesystem::path&, const SweepOptions&) {
  throw Error(
      "this dynhat was built without MPI: configure with -DDYNHAT_ENABLE_MPI=ON (needs an MPI "
      "such as Debian's libopenmpi-dev), or run shards with --shard i/n");
}

}  // namespace dynhat
