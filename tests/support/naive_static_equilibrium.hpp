// The temporary equilibrium of MODEL.md 5.1 (the replication algorithm) written out in levels
// from the naive te_* loops of naive_te_terms.hpp, with its own income, implied factor prices and
// a textbook Gaussian elimination for the expenditure system: nothing of src/static_equilibrium
// or kernels/ is used, so a bug shared by the replication (solve_static_replication) and the fast
// solver (solve_static) through their common terms cannot pass a comparison with this one.
// Small economies only (a dense (JN)^2 system per pass).
#pragma once

#include "dynhat/economy.hpp"
#include "dynhat/static_equilibrium.hpp"

namespace dynhat::naive {

struct StaticEquilibriumOptions {
  /// omega += damping (omegatilde - omega). The kit's 0.05 takes twice the passes; the step's
  /// eigenvalues 1 - damping (1 + theta gamma) stay in (-1, 1) for theta gamma < 19.
  double damping = 0.1;
  /// Stop when the squared damped step is <= tol (5.1 f): 1e-26 is a step of <= 1e-13 in every
  /// market, i.e. |omegatilde - omega| <= 1e-12 (relative market clearing: omega is ~1).
  double tol = 1e-26;
  double price_tol = 1e-15;  ///< inner price loop: max |Delta phat| <= price_tol (5.1 a)
  int max_iterations = 100000;
  int max_price_iterations = 100000;
};

/// MODEL.md 5.1 steps 1-3 for `shock` relative to `reference`: omega from shock.omega_init (or
/// omega_ref), every market with positive value added. Unlike the kit, the price loop starts from
/// the previous pass's prices (p = 1 on the first): the same fixed point in a fraction of the
/// sweeps of the slow long-double powers. Fills omega,
/// wage, sector_prices, price_index, trade_shares, expenditure, VAL, VAR, real_wage and the
/// report (iterations, converged, squared steps).
StaticSolution static_equilibrium(const Economy& economy, const ReferenceState& reference,
                                  const StaticShock& shock,
                                  const StaticEquilibriumOptions& options = {});

}  // namespace dynhat::naive
