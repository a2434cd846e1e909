// The fast temporary-equilibrium solver (ARCHITECTURE.md 4.2-4.3) for a batch of problems in
// lockstep on one backend: Anderson on log factor prices (on the damped map, or on the chord map
// u + K F with K the inverse Jacobian of a nearby equilibrium, chord_matrix.hpp), Anderson on log
// prices inside, GMRES on the expenditure system, all warm-started. The O(J N^2) and O(N J^2)
// terms are the batched kernels of the list (kernels/*/te_terms.*), and so are the helper steps
// of a pass (income and the expenditure system's scaling, the implied factor prices, the chord
// step): every array stays on the backend, and a pass brings back only per-problem scalars
// (residuals, inner convergence tests, the Krylov and Anderson coefficients). Every problem's
// inputs and warm-start state stay on the backend between solves (ProblemArrays); a solve
// that writes its outputs there too (BackendOutputs) brings back per-problem scalars only.
// Every problem runs its own iteration, masked out of the batch once it stops, so its result
// does not depend on the other problems.
// Per outer iteration on the CDP tables: a few price sweeps (J N^2 exp each) and a few tens of
// operator applications (J N^2 + N J^2 flops each), against a 1914^3/3-flop LU and a price loop
// from scratch in the replication algorithm.
//
// The outer iteration is batch_solve.cpp, one evaluation of the excess demand (the price loop and
// the expenditure system) excess_demand.cpp, the warm starts warm_start.cpp.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <vector>

#include "dynhat/static_equilibrium.hpp"
#include "runtime/device_array.hpp"
#include "solvers/anderson.hpp"
#include "solvers/gmres.hpp"
#include "static_equilibrium/chord_matrix.hpp"
#include "static_equilibrium/te_terms.hpp"

namespace dynhat::te {

inline constexpr int kGmresRestart = 40;

/// [B] per problem of a group, nonzero: selected.
using Mask = std::vector<unsigned char>;

inline bool any(const Mask& flags) {
  return std::any_of(flags.begin(), flags.end(), [](unsigned char f) { return f != 0; });
}

/// One problem's inputs on the host, kept across solves (its per-market arrays are in
/// ProblemArrays).
struct Problem {
  const ReferenceState* reference = nullptr;
  ExpandedShock shock;  // omega_init and the checked shock; labor: see ProblemArrays
  /// The effective shares, shared by problems with equal reference shares and trade costs.
  std::shared_ptr<const EffectiveShares> shares;
  const ChordMatrix* chord = nullptr;  // preconditioner of the factor-price step, or none
  bool has_state = false;              // ProblemArrays holds the state of a last solve
};

/// Every problem's per-market inputs and warm-start state on the backend, [P][J][N] each for
/// the P problems of a StaticBatch, so that a solve neither uploads nor downloads them.
struct ProblemArrays {
  ProblemArrays(const Context& ctx, std::size_t problems, std::size_t size);
  DeviceArray cost_shift;                // te::log_cost_shift
  DeviceArray VAL, VAR, wage_ref;        // of the reference state and the shock
  DeviceArray labor, labor_factor;       // the labor change and labor^(1 - xi) (E17)
  DeviceArray u, log_phat, expenditure;  // the last solve's state (Problem::has_state)
};

/// Where a solve writes its outputs on the backend instead of StaticSolution's host arrays
/// (kernels::te_path_outputs): problem b of the group at row `first + b` of each.
struct BackendOutputs {
  double world_value_added = 1.0;  ///< every solution scaled to this nominal world value added
  double* omega = nullptr;         ///< [P][J][N]
  double* price_index = nullptr;   ///< [P][N]
  double* real_wage = nullptr;     ///< [P][stride], mobile markets at n (J + 1) + 1 + j
  std::size_t stride = 0;
};

/// The work arrays of `B` problems solved together on one backend, reused group after group.
class BatchSolve {
 public:
  BatchSolve(const Context& ctx, const Economy& e, std::size_t B, int anderson_memory);
  /// The work arrays' bytes per problem (an estimate from above: 2 J N^2 doubles of shares and
  /// some 40 + 6 anderson_memory + kGmresRestart vectors of J N).
  static double bytes_per_problem(const Economy& e, int anderson_memory);

  /// Solves problems [first, first + B) of `problems` from their state in `arrays` and stores it
  /// back. outputs == nullptr: the solutions in full, on the host; otherwise the outputs are
  /// written there and each solution holds its report and market-clearing residual only.
  std::vector<StaticSolution> run(std::vector<Problem>& problems, ProblemArrays& arrays,
                                  std::size_t first, const StaticOptions& options,
                                  const BackendOutputs* outputs);
  /// What the last run's iteration brought to the host (the outputs and warm starts excluded).
  const HostTransfers& transfers() const noexcept { return transfers_; }
  /// What the whole last run brought to the host, its outputs and warm starts included.
  const HostTransfers& total_transfers() const noexcept { return total_transfers_; }

 private:
  /// Per problem: the best outer residual so far and the restarts taken.
  struct Safeguard {
    std::vector<double> best;
    std::vector<int> restarts;
  };
  /// What the outer iteration does next with each problem, [B] each.
  struct Decision {
    Mask improved;  // a new best iterate, to keep
    Mask restart;   // blown up: back to the best iterate
    Mask stepping;  // an Anderson step
  };

  // The outer iteration (batch_solve.cpp).
  /// Confirms a residual below tol from inexact inner solves by an exact evaluation, replacing
  /// the problem's entries of evaluated, residuals and excess.
  void confirm_convergence(const Mask& running, Mask& evaluated, std::vector<double>& residuals);
  /// Records iteration `it`'s residuals in the reports and the next inner tolerances, stops the
  /// problems that converged or cannot go on, and decides the next step of the others.
  Decision decide(int it, const std::vector<double>& residuals, Safeguard& safeguard, Mask& running,
                  std::vector<StaticSolution>& out);
  /// Drops the history of the problems in `which` and resumes them with a plain base step from
  /// their best iterate; those whose evaluation fails stop running.
  void restart_from_best(const Mask& which, Mask& running);
  /// Stopped at the cap: the best iterate of each problem that did not converge, with its
  /// residual from exact inner solves.
  void report_best_iterates(const Safeguard& safeguard, std::vector<StaticSolution>& out);
  /// g = u + step(excess): problem b's chord step K F, or the damped step damping F. Problems
  /// that share a chord matrix are stepped by one product.
  void base_map(DeviceArray& g);
  /// The best iterates (factor prices, prices, expenditure) of the problems in `which` become
  /// their current ones.
  void restore_best(const Mask& which);
  /// max_k |excess[b][k]| for the problems evaluated, infinity for the others or if not finite.
  std::vector<double> max_abs(const Mask& evaluated) const;
  /// Outputs at the final iterates (their prices, shares and expenditure are the last computed),
  /// scaled to the replication algorithm's normalisation.
  void finish(std::vector<StaticSolution>& out) const;
  /// The outputs at the final iterates written on the backend, the residuals into `out`.
  void finish_on_backend(const BackendOutputs& outputs, std::vector<StaticSolution>& out) const;

  // One evaluation of the excess demand (excess_demand.cpp).
  /// For the problems in `which`: excess = log omegatilde(u) - u, updating their prices, shares
  /// and expenditure. Returns the problems whose expenditure system solved; the others' excess
  /// is 0.
  Mask excess_demand(const Mask& which);
  /// log phat = Phi(log phat) at the current factor prices for the problems in `which`,
  /// Anderson-accelerated, warm-started.
  void solve_prices(const Mask& which);
  /// (I - Omega) X = alpha I by GMRES from the previous X, for the problems in `which`. Returns
  /// the problems it solved.
  Mask solve_expenditure(const Mask& which);
  void upload_mask(const Mask& which);

  // The warm starts (warm_start.cpp).
  /// Uploads the group's effective shares (unless already there), points at its inputs in
  /// `arrays` and copies in its warm-start state.
  void load(const std::vector<Problem>& problems, const ProblemArrays& arrays, std::size_t first);
  /// Keeps the group's final iterates as the next solve's warm start; a problem whose iterate is
  /// not finite (a failed solve) starts the next one from omega_init again.
  void store(std::vector<Problem>& problems, ProblemArrays& arrays, std::size_t first) const;

  const Problem& problem(std::size_t b) const { return group_[b]; }

  const Context& ctx_;
  const Context host_{Backend::cpu};  // the host-side terms of the outputs
  const Economy& e_;
  const StaticOptions* options_ = nullptr;
  const std::size_t B_, size_;
  const Problem* group_ = nullptr;  // [B] the problems of the current run
  std::size_t first_ = 0;           // and the first one's index in ProblemArrays
  const DeviceArray G_, gamma_, theta_, alpha_, iota_;
  // [B][J][N] the group's inputs in ProblemArrays: cost shifts, value added of its reference
  // states, labor changes and factors, reference wages (set by load).
  const double *cost_shift_ = nullptr, *VAL_ = nullptr, *VAR_ = nullptr, *labor_ = nullptr,
               *labor_factor_ = nullptr, *wage_ref_ = nullptr;
  const DeviceArray xi_;
  DeviceArray q_, pi_;   // [B][J][N][N] the effective shares (te_terms.hpp), trade shares
  DeviceArray q_scale_;  // [B][J][N] the effective shares' log row scales
  DeviceArray log_omega_rel_, log_phat_, log_xhat_, expenditure_;  // [B][J][N]
  DeviceArray scale_;  // [B][J][N] the expenditure system's diagonal scaling
  DeviceArray mask_;   // [B] the problems a batched term computes
  DeviceArray work_;   // [2][B][J][N] the expenditure operator's intermediates
  // Work arrays of the inner solves, allocated once: [B][J][N] each.
  DeviceArray sales_;
  DeviceArray price_x_, price_current_, price_next_;  // the price loop's iterate and map values
  AndersonMixer price_mixer_;
  DeviceArray rhs_, y_;  // the scaled expenditure system
  SegmentedGmres gmres_;
  std::vector<double> forcing_ = std::vector<double>(B_, 0.0);  // [B] inner tolerance, 0: exact
  // The factor-price iteration: iterate, map value, mixer, best iterates.
  DeviceArray u_, g_, excess_, zeros_;
  AndersonMixer mixer_;
  DeviceArray best_u_, best_phat_, best_x_;
  std::vector<const EffectiveShares*> loaded_q_;  // [B] whose effective shares q_ holds
  HostTransfers transfers_, total_transfers_;
};

}  // namespace dynhat::te
