// The temporary equilibria of a whole path as one batch (ARCHITECTURE.md 4.2). All TE recursions
// are multiplicative with row normalisation, so they telescope: the TE at slot t is a static
// exact-hat-algebra problem relative to the base-year equilibrium, with the cumulative labor ratio
// L_t / L_0 and the cumulative fundamental changes at t. Given the labor path the slots are
// independent; solve_static_batch solves them in parallel.
//
// A counterfactual's TE at slot t is, in the replication, a problem relative to the baseline's
// equilibrium at t; the baseline's is itself the base year with labor L_t / L_0 (constant
// fundamentals), and hat-algebra problems compose, so both paths are solved relative to the base
// year and their ratio is the replication's hat-hat change.
#pragma once

#include <cstddef>
#include <vector>

#include "dynhat/dynamic.hpp"

namespace dynhat::dynamic {

/// Cumulative fundamentals at every slot: the product of the changes with slot <= t.
struct CumulativeChanges {
  std::vector<std::vector<double>> productivity;  ///< [T] of [J][N] (empty vector: all ones)
  std::vector<std::vector<double>> trade_costs;   ///< [T] of [J][N][N] (empty vector: all ones)
};
CumulativeChanges cumulate(const FundamentalChanges& changes, const DynamicModel& model);

/// What one batch returns, per slot t = 0..T-1 (slots 0 and T-1 carry the neighbours' values
/// where noted).
struct PathEquilibria {
  Matrix real_wage;       ///< [T][M] (w_t/P_t)/(w_0/P_0); 1 for q = 0; row T-1 = row T-2
  Matrix omega;           ///< [T][J N] normalised to the base year's world value added; row 0 = 1
  Matrix price_index;     ///< [T][N] same numeraire
  double residual = 0.0;  ///< largest market-clearing residual over slots 1..T-2
  bool converged = true;  ///< every slot converged
  long iterations = 0;    ///< factor-price iterations, all slots
  double seconds = 0.0;
};

/// Solves the TEs of slots 1..T-2 for the labor path `L` ([>= T-1][M], row t = slot t) at
/// tolerance `options.tol`, warm-started from `warm_omega` ([T][J N], a previous solution's omega;
/// nullptr: omega = 1).
PathEquilibria solve_path_equilibria(const Context& ctx, const DynamicModel& model, const Matrix& L,
                                     const CumulativeChanges& changes, const Matrix* warm_omega,
                                     const StaticOptions& options);

}  // namespace dynhat::dynamic
