// The processes one path solve is spread over (ARCHITECTURE.md 4.5): every rank calls the solver
// with the same model and options; the temporary equilibria of a path are split by dates, each
// rank solving one contiguous block of them, and every rank then holds the whole path's real
// wages (a gather of the blocks per outer iteration). The household block is solved on every
// rank from the gathered wages. Messages are host buffers (host-staged), whatever the backend.
//
// Ranks is the solvers' whole view of the transport: MPI through mpi_world_ranks(), or another
// one a caller provides (a test's, an embedding application's communicator).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace dynhat {

class Ranks {
 public:
  virtual ~Ranks() = default;
  virtual int rank() const = 0;  ///< this process, 0..size()-1
  virtual int size() const = 0;
  /// This process among the ranks on its node (shared memory), 0..(ranks on the node)-1.
  virtual int node_rank() const = 0;
  /// Every rank's `mine` (`counts[r]` doubles on rank r; `counts` the same on every rank) in rank
  /// order into `all` ([sum of counts]), on every rank.
  virtual void all_gather(const double* mine, const std::vector<std::size_t>& counts,
                          double* all) const = 0;
  /// The largest `x` over the ranks, on every rank.
  virtual double all_max(double x) const = 0;
  /// The sum of `x` over the ranks in rank order, on every rank.
  virtual double all_sum(double x) const = 0;
  /// Rank 0's `bytes` on every rank (resized to them).
  virtual void broadcast(std::string& bytes) const = 0;
};

/// Part [first, last) of `count` items that rank `rank` of `size` takes: contiguous blocks in rank
/// order, their sizes differing by at most one.
struct Block {
  std::size_t first = 0, last = 0;
  std::size_t size() const { return last - first; }
};
Block block_of(std::size_t count, int rank, int size);

/// Runs `step` on this rank; when it throws on any rank, it throws on every rank (the failing
/// rank its own exception, the others Error naming the highest failing rank), so that no rank
/// waits in a collective for one that has given up. With `ranks` nullptr: step() alone.
void together(const Ranks* ranks, const std::function<void()>& step);

/// The CUDA device of this rank, one rank per GPU: node_rank() mod cuda_device_count() (0
/// without a device). More ranks on a node than GPUs share them round-robin.
int device_for_rank(const Ranks& ranks);

/// True when this library was built with MPI (DYNHAT_ENABLE_MPI).
bool mpi_compiled() noexcept;

/// The ranks of MPI_COMM_WORLD; MPI is initialised here if the caller has not, and then finalised
/// when the returned object is destroyed. NotCompiled without DYNHAT_ENABLE_MPI.
std::unique_ptr<Ranks> mpi_world_ranks();

}  // namespace dynhat
