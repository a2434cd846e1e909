// Deliberately naive loop versions of the temporary-equilibrium kernels (the te_* entries of the
// kernel list), written from MODEL.md E14-E18 in levels (powers and plain sums in long double,
// where the kernels work on logs with shifted log-sum-exps): the oracle for te_log_unit_costs,
// te_log_price_indices, te_trade_shares, te_sales and te_expenditure_apply. One problem at a
// time; layouts as in kernels.hpp: G [N][J][J] (G[n][s][j], input s in sector j), [J][N] at
// j N + n, [J][N][N] at (j N + n) N + i with n the destination and i the source.
#pragma once

#include <cstddef>
#include <vector>

namespace dynhat::naive {

/// E14: xhat[j][n] = omega_rel[j][n]^gamma[j][n] prod_s phat[s][n]^G[n][s][j].
std::vector<double> unit_costs(std::size_t J, std::size_t N, const std::vector<double>& G,
                               const std::vector<double>& gamma,
                               const std::vector<double>& omega_rel,
                               const std::vector<double>& phat);

/// E15: phat[j][n] = (sum_i q[j][n][i] xhat[j][i]^-theta_j)^(-1/theta_j), q the effective shares
/// (pi rho kappahat^-theta Ahat^(theta gamma)); a row with every q = 0 gets 1 (kernels.hpp's
/// convention: nothing is bought there, the price is never used).
std::vector<double> price_indices(std::size_t J, std::size_t N, const std::vector<double>& theta,
                                  const std::vector<double>& q, const std::vector<double>& xhat);

/// E16: pi[j][n][i] = q[j][n][i] (xhat[j][i] / phat[j][n])^-theta_j.
std::vector<double> trade_shares(std::size_t J, std::size_t N, const std::vector<double>& theta,
                                 const std::vector<double>& q, const std::vector<double>& xhat,
                                 const std::vector<double>& phat);

/// Sales Y[j][i] = sum_n pi[j][n][i] X[j][n].
std::vector<double> sales(std::size_t J, std::size_t N, const std::vector<double>& pi,
                          const std::vector<double>& X);

/// Input purchases of E18 from the destination's side: Z[s][i] = sum_{n,k} G[i][s][k]
/// pi[k][n][i] X[k][n], what region i spends on sector s's goods as inputs.
std::vector<double> input_purchases(std::size_t J, std::size_t N, const std::vector<double>& G,
                                    const std::vector<double>& pi, const std::vector<double>& X);

/// The expenditure operator of te_expenditure_apply: out = v - Z(scale v) / scale.
std::vector<double> expenditure_apply(std::size_t J, std::size_t N, const std::vector<double>& G,
                                      const std::vector<double>& pi,
                                      const std::vector<double>& scale,
                                      const std::vector<double>& v);

}  // namespace dynhat::naive
