// Temporary (static) equilibrium of the multi-sector Eaton-Kortum economy in exact hat algebra
// (MODEL.md E14-E20 in time changes, E24-E26 in hat-hat form, algorithm section 5.1).
//
// Layouts (MODEL.md section 1, row-major, last index fastest): [J][N] arrays at j*N + n,
// [J][N][N] trade arrays at (j*N + n)*N + i with n the destination and i the source.
#pragma once

#include <filesystem>
#include <vector>

#include "dynhat/backend.hpp"
#include "dynhat/economy.hpp"
#include "dynhat/fixed_point.hpp"

namespace dynhat {

/// The equilibrium the changes are relative to: trade shares and value added by factor.
struct ReferenceState {
  std::vector<double> trade_shares;  ///< [J][N][N] pi, rows (j, n) summing to 1 over sources i
  std::vector<double> VAL;           ///< [J][N] labor compensation
  std::vector<double> VAR;           ///< [J][N] payments to structures

  /// The base-year data of an economy (E31, E33).
  static ReferenceState from_data(const Economy& economy) {
    return {economy.trade_shares, economy.VAL, economy.VAR};
  }
};

/// Changes relative to the reference state. Empty vectors mean "all ones".
struct StaticShock {
  std::vector<double> labor;         ///< [J][N] Ldot; countries (n >= R) must be 1
  std::vector<double> productivity;  ///< [J][N] Ahat (TFP levels, entering as Ahat^{theta gamma})
  std::vector<double> trade_costs;   ///< [J][N][N] kappahat, destination n, source i
  std::vector<double>
      share_shifter;               ///< [J][N][N] rho: baseline share ratios (counterfactual mode)
  std::vector<double> omega_ref;   ///< [J][N] omega0, reference factor-price change
  std::vector<double> wage_ref;    ///< [J][N] wdot0, reference wage change (real wage divisor)
  std::vector<double> omega_init;  ///< [J][N] starting factor-price change (empty: omega_ref)
};

/// Outputs of one temporary equilibrium (MODEL.md 5.1 step 3).
struct StaticSolution {
  std::vector<double> omega;          ///< [J][N] factor-price change (countries: one per region)
  std::vector<double> wage;           ///< [J][N] wdot = omega Ldot^{-xi} (countries: omega)
  std::vector<double> sector_prices;  ///< [J][N] phat
  std::vector<double> price_index;    ///< [N] Phat = prod_j phat^{alpha_j}
  std::vector<double> trade_shares;   ///< [J][N][N] pi'
  std::vector<double> expenditure;    ///< [J][N] X'
  std::vector<double> VAL;            ///< [J][N]
  std::vector<double> VAR;            ///< [J][N]
  std::vector<double> real_wage;      ///< [J][N] wdot / wdot0 / Phat
  /// Largest relative market-clearing residual: max over markets of
  /// |gamma Y - VA'| / VA' (mobile markets) and |sum_j gamma Y - sum_j VA'| / sum_j VA'
  /// (countries).
  double market_clearing_residual = 0.0;
  IterationReport report;
};

/// Options of the fast solver (solve_static).
struct StaticOptions {
  /// Converged when max |log omegatilde - log omega| <= tol over all markets: the relative
  /// market-clearing residual, since omegatilde / omega = gamma Y / VA'.
  double tol = 1e-11;
  int max_iterations = 1000;
  /// Step of the base map u + damping (log omegatilde - u) that Anderson accelerates; the undamped
  /// map overshoots by about theta (a 1% higher factor price cuts demand by ~theta gamma %).
  double damping = 0.1;
  int anderson_memory = 20;
  double price_tol = 1e-14;  ///< inner price fixed point: max |Delta log phat|
  int max_price_iterations = 10000;
  double expenditure_tol = 1e-14;  ///< GMRES relative residual of (I - Omega) X = alpha I
};

/// The fast solver: Anderson acceleration on log factor prices; inner price fixed point by
/// Anderson on log phat, warm-started across outer iterations; the expenditure system
/// (I - Omega) X = alpha I matrix-free (per-sector trade products, then per-region J x J
/// input-output products) by restarted GMRES, warm-started. `shock.omega_init` warm-starts.
/// Runs on ctx's backend (a batch of one: solve_static_batch).
StaticSolution solve_static(const Context& ctx, const Economy& economy,
                            const ReferenceState& reference, const StaticShock& shock,
                            const StaticOptions& options = {});

/// B problems sharing the structure of `economy`, each with its own reference state and shock
/// (the two vectors have B entries), solved as one batch on ctx's backend: every term is a
/// batched kernel over the problems (ARCHITECTURE.md 4.2), each problem iterates on its own and
/// leaves the batch when it stops. On the CPU the problems go in groups of one per OpenMP thread
/// (the memory of a few problems at a time); the GPU takes the whole batch. Result b is identical
/// to solve_static on problem b alone (on the CPU: bitwise).
std::vector<StaticSolution> solve_static_batch(const Context& ctx, const Economy& economy,
                                               const std::vector<ReferenceState>& references,
                                               const std::vector<StaticShock>& shocks,
                                               const StaticOptions& options = {});
/// The same with one reference state shared by every problem (the dynamic solver's dates, all
/// relative to the base year), without copying it per problem.
std::vector<StaticSolution> solve_static_batch(const Context& ctx, const Economy& economy,
                                               const ReferenceState& reference,
                                               const std::vector<StaticShock>& shocks,
                                               const StaticOptions& options = {});

/// Options of the replication algorithm (MODEL.md 5.1, the CDP MATLAB kit's semantics).
struct ReplicationOptions {
  double damping = 0.05;     ///< omega += damping (omegatilde - omega) (vfactor)
  double tol = 1e-7;         ///< stop when the squared damped step is <= tol
  double price_tol = 1e-10;  ///< inner price loop: max |Delta phat| <= price_tol
  int max_iterations = 100000;
  int max_price_iterations = 1000000;
};

/// A [J][N] shock table in long format (header `sector,region,value`; sector and region labels
/// of `economy`); entries not listed are 1. Throws InvalidInput naming the file, the line and
/// the rule for unknown labels, repeated entries and values that are not > 0.
std::vector<double> read_sector_region_shock(const std::filesystem::path& path,
                                             const Economy& economy);
/// A [J][N][N] shock table (header `sector,destination,source,value`); entries not listed are 1.
std::vector<double> read_bilateral_shock(const std::filesystem::path& path, const Economy& economy);

/// The replication algorithm, literally: damped factor-price iteration, an inner price fixed
/// point started from phat = 1 on every pass, a dense LU solve of the JN x JN expenditure system
/// on every pass. Slow (it is the oracle and the benchmark baseline, not the production path).
StaticSolution solve_static_replication(const Economy& economy, const ReferenceState& reference,
                                        const StaticShock& shock,
                                        const ReplicationOptions& options = {});

}  // namespace dynhat
