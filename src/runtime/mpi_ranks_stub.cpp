// A build without MPI (DYNHAT_ENABLE_MPI off): mpi_world_ranks says how to get it.
#include "dynhat/error.hpp"
#include "dynhat/ranks.hpp"

namespace dynhat {

bool mpi_compiled() noexcept {
  return false;
}

std::unique_ptr<Ranks> mpi_world_ranks() {
  throw NotCompiled(
      "this dynhat was built without MPI: configure with -DDYNHAT_ENABLE_MPI=ON (needs an MPI "
      "such as Debian's libopenmpi-dev)");
}

}  // namespace dynhat
