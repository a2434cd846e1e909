// A persistent batch of temporary-equilibrium problems (ARCHITECTURE.md 4.2-4.3): built once, then
// solved again and again with new labor changes (a dynamic path's dates, one solve per outer
// iteration), each problem warm-started from its own last factor prices, price indices and
// expenditure. The effective trade shares are computed once and shared by the problems whose
// reference shares and trade-cost changes agree (for productivity-only shocks: every problem).
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "dynhat/backend.hpp"
#include "dynhat/economy.hpp"
#include "dynhat/static_equilibrium.hpp"

namespace dynhat {

namespace te {
class ChordMatrix;
}

class StaticBatch {
 public:
  /// Problem b: `references[b]` (which must outlive the batch) and `shocks[b]`.
  StaticBatch(const Context& ctx, const Economy& economy,
              std::vector<const ReferenceState*> references,
              const std::vector<StaticShock>& shocks);
  ~StaticBatch();
  StaticBatch(const StaticBatch&) = delete;
  StaticBatch& operator=(const StaticBatch&) = delete;

  /// Replaces problem b's labor change ([J][N], countries 1).
  void set_labor(std::size_t b, std::vector<double> labor);
  /// Preconditions problem b's factor-price iteration by `chord` (which must outlive its use; the
  /// chord matrix of a state near the problem): the base map is u + K F instead of u + damping F.
  /// nullptr: the damped map.
  void set_chord(std::size_t b, const te::ChordMatrix* chord);
  /// Restarts problem b from the factor prices `omega` ([J][N]), forgetting its state.
  void set_omega(std::size_t b, const std::vector<double>& omega);
  /// Solves every problem from its current state (the first solve: omega_init, phat = 1).
  std::vector<StaticSolution> solve(const StaticOptions& options);
  /// What the last solve's factor-price iterations brought to the host, summed over its groups
  /// of problems solved in lockstep (the warm starts and outputs excluded).
  HostTransfers host_transfers() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dynhat
