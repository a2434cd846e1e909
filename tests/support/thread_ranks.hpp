// Ranks on threads of one process (dynhat/ranks.hpp), for the distributed solvers' tests without
// MPI: every collective waits for all of them, as MPI's do.
#pragma once

#include <functional>

#include "dynhat/ranks.hpp"

namespace dynhat::testing {

/// Calls `body` on `size` threads at once, each with its own rank of `size` and one OpenMP thread
/// (so that the ranks share the cores as MPI ranks of one thread each would), and joins them.
/// An exception in any rank is rethrown here (the lowest rank's); the other ranks must throw as
/// well, or they wait for it forever.
void run_on_thread_ranks(int size, const std::function<void(const Ranks&)>& body);

}  // namespace dynhat::testing
