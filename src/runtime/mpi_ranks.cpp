// The ranks of MPI_COMM_WORLD as dynhat::Ranks (host buffers: host-staged MPI). The scalar
// reductions gather every rank's value and reduce in rank order, so that every rank gets the
// same bits whatever order the MPI would add in, and a NaN anywhere is a NaN everywhere.
#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <string>
#include <vector>

#include "dynhat/error.hpp"
#include "dynhat/ranks.hpp"
#include "runtime/mpi_support.hpp"

namespace dynhat {

namespace {

/// Holds the MPI initialisation it made (if any) for its lifetime.
class MpiWorldRanks final : public Ranks {
 public:
  MpiWorldRanks() {  // scope_ has brought MPI up
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    MPI_Comm node = MPI_COMM_NULL;  // the ranks that share this one's memory
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node);
    MPI_Comm_rank(node, &node_rank_);
    MPI_Comm_free(&node);
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int node_rank() const override { return node_rank_; }

  void all_gather(const double* mine, const std::vector<std::size_t>& counts,
                  double* all) const override {
    if (counts.size() != static_cast<std::size_t>(size_))
      throw DimensionMismatch("Ranks::all_gather: " + std::to_string(counts.size()) +
                              " counts for " + std::to_string(size_) + " ranks");
    std::vector<int> sizes(counts.size()), offsets(counts.size());
    std::size_t at = 0;
    for (std::size_t r = 0; r < counts.size(); ++r) {
      if (counts[r] > static_cast<std::size_t>(INT_MAX) || at > static_cast<std::size_t>(INT_MAX))
        throw DimensionMismatch("Ranks::all_gather: more than INT_MAX doubles in one gather");
      sizes[r] = static_cast<int>(counts[r]);
      offsets[r] = static_cast<int>(at);
      at += counts[r];
    }
    MPI_Allgatherv(mine, sizes[static_cast<std::size_t>(rank_)], MPI_DOUBLE, all, sizes.data(),
                   offsets.data(), MPI_DOUBLE, MPI_COMM_WORLD);
  }

  double all_max(double x) const override {
    double out = -INFINITY;
    for (double v : gathered(x)) {
      if (std::isnan(v)) return v;
      out = std::max(out, v);
    }
    return out;
  }

  double all_sum(double x) const override {
    double out = 0.0;
    for (double v : gathered(x)) out += v;
    return out;
  }

  void broadcast(std::string& bytes) const override { broadcast_bytes(bytes, 0, MPI_COMM_WORLD); }

 private:
  /// x of every rank, in rank order.
  std::vector<double> gathered(double x) const {
    std::vector<double> all(static_cast<std::size_t>(size_));
    MPI_Allgather(&x, 1, MPI_DOUBLE, all.data(), 1, MPI_DOUBLE, MPI_COMM_WORLD);
    return all;
  }

  MpiScope scope_;  // first: MPI is up before the constructor asks it, and down after the rest
  int rank_ = 0, size_ = 1, node_rank_ = 0;
};

}  // namespace

bool mpi_compiled() noexcept {
  return true;
}

std::unique_ptr<Ranks> mpi_world_ranks() {
  return std::make_unique<MpiWorldRanks>();
}

}  // namespace dynhat
