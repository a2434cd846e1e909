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
#include "runtime/device_array.hpp"

namespace dynhat {

namespace te {
class ChordMatrix;
struct BackendOutputs;
}  // namespace te

class StaticBatch {
 public:
  /// Problem b: `references[b]` (which must outlive the batch) and `shocks[b]`.
  StaticBatch(const Context& ctx, const Economy& economy,
              std::vector<const ReferenceState*> references,
              const std::vector<StaticShock>& shocks);
  ~StaticBatch();
  StaticBatch(const StaticBatch&) = delete;
  StaticBatch& operator=(const StaticBatch&) = delete;

  /// Replaces every problem's labor change and labor factor labor^(1 - xi_n) at once from
  /// [P][J][N] arrays on the backend (kernels::te_labor_inputs; countries 1), copied there.
  void set_labor(const DeviceArray& labor, const DeviceArray& labor_factor);
  /// Preconditions problem b's factor-price iteration by `chord` (which must outlive its use; the
  /// chord matrix of a state near the problem): the base map is u + K F instead of u + damping F.
  /// nullptr: the damped map.
  void set_chord(std::size_t b, const te::ChordMatrix* chord);
  /// Restarts problem b from the factor prices `omega` ([J][N]), forgetting its state.
  void set_omega(std::size_t b, const std::vector<double>& omega);
  /// Solves every problem from its current state (the first solve: omega_init, phat = 1).
  std::vector<StaticSolution> solve(const StaticOptions& options);
  /// The same solve with the outputs written on the backend (te::BackendOutputs: factor prices,
  /// price indices, real wages), not brought to the host: each solution holds its report and
  /// market-clearing residual only.
  std::vector<StaticSolution> solve(const StaticOptions& options,
                                    const te::BackendOutputs& outputs);
  /// What the last solve's factor-price iterations brought to the host, summed over its groups
  /// of problems solved in lockstep (the warm starts and outputs excluded).
  HostTransfers host_transfers() const;
  /// What the whole last solve brought to the host, its outputs and warm starts included.
  HostTransfers total_host_transfers() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dynhat
