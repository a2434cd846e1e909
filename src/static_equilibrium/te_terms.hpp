// The terms of a temporary equilibrium (MODEL.md 5.1) shared by the replication algorithm and
// the fast solver: effective trade shares, unit costs, price indices, trade shares, income,
// implied factor prices and the final outputs. Host code, [J][N] and [J][N][N] layouts; the
// O(J N^2) and O(N J^2) terms are the CPU backend's batched kernels (kernels/cpu/te_terms.cpp)
// run on a batch of one, with the caller's CPU context `cpu`.
#pragma once

#include <vector>

#include "dynhat/backend.hpp"
#include "dynhat/economy.hpp"
#include "dynhat/static_equilibrium.hpp"

namespace dynhat::te {

/// The [J][N] shock arrays with empty entries expanded to ones, all entries checked against the
/// economy (the [J][N][N] ones too: they enter only log_effective_shares).
struct ExpandedShock {
  std::vector<double> labor, productivity, omega_ref, wage_ref, omega_init;  // [J][N]
  std::vector<double> labor_factor;  // [J][N] labor^(1 - xi_n): value added's labor term (E17)
};
ExpandedShock expand(const Economy& e, const StaticShock& shock);

/// The effective shares q[j][n][i] = pi * rho * kappahat^{-theta_j}, with products that are NaN
/// (0 * Inf, 0/0 ratios) set to 0 (MODEL.md 5.1 step 1), in the kernels' form (kernels.hpp): each
/// (j, n) row divided by its largest entry, whose log is kept. Productivity is not in q: it enters
/// as the cost shift below, since (xhat kappahat)^{-theta} Ahat^{theta gamma} =
/// (xhat Ahat^{-gamma} kappahat)^{-theta} and xhat = (omega/omega0)^gamma (...) (E14-E16).
struct EffectiveShares {
  std::vector<double> q;          // [J][N][N] in [0, 1], each row's largest entry 1
  std::vector<double> log_scale;  // [J][N] log of each row's largest entry; -inf: a row of zeros
};
EffectiveShares effective_shares(const Economy& e, const ReferenceState& ref,
                                 const StaticShock& shock);

/// [J][N] log omega0 + log Ahat: the unit costs' argument is log omega - this shift.
std::vector<double> log_cost_shift(const ExpandedShock& s);

/// log xhat[j][n] = gamma[j][n] log(omega/omega0)[j][n] + sum_s G[n][s][j] log phat[s][n] (E14).
void log_unit_costs(const Context& cpu, const Economy& e, const std::vector<double>& log_omega_rel,
                    const std::vector<double>& log_phat, std::vector<double>& log_xhat);

/// log phat[j][n] = -(1/theta_j) log sum_i q[j][n][i] exp(-theta_j log xhat[j][i]) (E15), with
/// every factor scaled to at most 1 (theta up to 51 makes xhat^{-theta} overflow-prone).
void log_price_indices(const Context& cpu, const Economy& e, const EffectiveShares& shares,
                       const std::vector<double>& log_xhat, std::vector<double>& log_phat);

/// pi'[j][n][i] = q[j][n][i] exp(-theta_j (log xhat[j][i] - log phat[j][n])) (E16).
void trade_shares(const Context& cpu, const Economy& e, const EffectiveShares& shares,
                  const std::vector<double>& log_xhat, const std::vector<double>& log_phat,
                  std::vector<double>& pi);

/// Factor income scale VA'/VA = omega Ldot^{1-xi} per market [J][N] (E17), from
/// ExpandedShock::labor_factor.
std::vector<double> value_added_scale(const std::vector<double>& omega,
                                      const std::vector<double>& labor_factor);

/// Income I^n = VAL'^n + iota_n chi' with VAL' = VAL scale, chi' = sum VAR scale (E18).
std::vector<double> income(const Economy& e, const ReferenceState& ref,
                           const std::vector<double>& scale);

/// Y[j][i] = sum_n pi'[j][n][i] X[j][n] (sales).
std::vector<double> sales(const Context& cpu, const Economy& e, const std::vector<double>& pi,
                          const std::vector<double>& X);

/// Implied factor-price change (E19): mobile gamma Y / (Ldot^{1-xi} VA) (Ldot^{1-xi} the
/// labor factor of ExpandedShock); countries
/// sum_j gamma Y / sum_j VA, broadcast over j.
std::vector<double> implied_omega(const Economy& e, const ReferenceState& ref,
                                  const std::vector<double>& Y,
                                  const std::vector<double>& labor_factor);

/// Largest relative market-clearing residual of StaticSolution, from sales and VA'.
double market_clearing_residual(const Economy& e, const ReferenceState& ref,
                                const std::vector<double>& Y, const std::vector<double>& scale);

/// Fills wage, VAL, VAR, price index, real wage of `out` from omega, phat and the shock.
void finish(const Economy& e, const ReferenceState& ref, const ExpandedShock& s,
            StaticSolution& out);

}  // namespace dynhat::te
