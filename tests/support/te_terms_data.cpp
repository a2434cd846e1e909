#include "support/te_terms_data.hpp"

#include <algorithm>
#include <cmath>

#include "kernels/kernels.hpp"
#include "runtime/device_array.hpp"
#include "support/fixtures.hpp"

namespace dynhat::testing {

TeData random_te_data(std::size_t batch, std::size_t J, std::size_t N, std::uint64_t seed) {
  TeData d;
  d.batch = batch;
  d.J = J;
  d.N = N;
  const std::size_t jn = J * N;
  d.G.assign(N * J * J, 0.0);
  d.gamma.assign(jn, 0.0);
  const std::vector<double> u = random_vector(N * J * J, 0.0, 1.0, seed);
  const std::vector<double> c = random_vector(jn, 0.2, 0.8, seed + 1);
  for (std::size_t n = 0; n < N; ++n) {
    for (std::size_t j = 0; j < J; ++j) {
      double total = 0.0;
      for (std::size_t s = 0; s < J; ++s) total += u[(n * J + s) * J + j];
      for (std::size_t s = 0; s < J; ++s) {
        d.G[(n * J + s) * J + j] = c[j * N + n] * u[(n * J + s) * J + j] / total;
      }
      d.gamma[j * N + n] = 1.0 - c[j * N + n];
    }
  }
  d.theta = random_vector(J, 2.0, 10.0, seed + 2);
  d.log_omega_rel = random_vector(batch * jn, -0.5, 0.5, seed + 3);
  d.log_phat = random_vector(batch * jn, -0.5, 0.5, seed + 4);
  d.log_xhat = random_vector(batch * jn, -0.5, 0.5, seed + 5);
  d.log_q = random_vector(batch * jn * N, 0.0, 1.0, seed + 6);
  for (std::size_t r = 0; r < batch * jn; ++r) {
    double* q = d.log_q.data() + r * N;
    double total = 0.0;
    for (std::size_t i = 0; i < N; ++i) {
      if ((r * 7 + i) % 9 == 4 && i != r % N) q[i] = 0.0;  // own trade (i = n) stays positive
      total += q[i];
    }
    for (std::size_t i = 0; i < N; ++i) q[i] = std::log(q[i] / total);
  }
  std::fill_n(d.log_q.begin() + static_cast<std::ptrdiff_t>((J - 1) * N * N), N, -INFINITY);
  scaled_shares(d);
  d.pi.assign(batch * jn * N, 0.0);
  for (std::size_t e = 0; e < d.pi.size(); ++e) d.pi[e] = std::exp(d.log_q[e]);
  d.X = random_vector(batch * jn, 0.0, 10.0, seed + 7);
  d.scale = random_vector(batch * jn, 0.5, 2.0, seed + 8);
  d.v = random_vector(batch * jn, 0.5, 1.5, seed + 9);
  return d;
}

void scaled_shares(TeData& d) {
  const std::size_t N = d.N, rows = d.log_q.size() / N;
  d.q.resize(d.log_q.size());
  d.log_q_scale.resize(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    const double* log_q = d.log_q.data() + r * N;
    const double top = *std::max_element(log_q, log_q + N);
    d.log_q_scale[r] = top;
    for (std::size_t i = 0; i < N; ++i)
      d.q[r * N + i] = top == -INFINITY ? 0.0 : std::exp(log_q[i] - top);
  }
}

TeOutputs run_te_terms(const Context& ctx, const TeData& d, const std::vector<double>& active,
                       double sentinel) {
  const std::size_t jn = d.J * d.N;
  const std::size_t per_batch = d.batch * jn;
  const DeviceArray G(ctx, d.G), gamma(ctx, d.gamma), theta(ctx, d.theta);
  const DeviceArray rel(ctx, d.log_omega_rel), phat(ctx, d.log_phat), xhat(ctx, d.log_xhat);
  const DeviceArray q(ctx, d.q), q_scale(ctx, d.log_q_scale), pi(ctx, d.pi), X(ctx, d.X),
      scale(ctx, d.scale), v(ctx, d.v);
  const DeviceArray active_d(ctx, active);
  const double* mask = active.empty() ? nullptr : active_d.data();
  DeviceArray log_xhat(ctx, std::vector<double>(per_batch, sentinel));
  DeviceArray log_phat(ctx, std::vector<double>(per_batch, sentinel));
  DeviceArray shares(ctx, std::vector<double>(per_batch * d.N, sentinel));
  DeviceArray Y(ctx, std::vector<double>(per_batch, sentinel));
  DeviceArray out(ctx, std::vector<double>(per_batch, sentinel));
  DeviceArray work(ctx, 2 * per_batch);
  kernels::te_log_unit_costs(ctx, d.batch, d.J, d.N, G.data(), gamma.data(), mask, rel.data(),
                             phat.data(), log_xhat.data());
  kernels::te_log_price_indices(ctx, d.batch, d.J, d.N, theta.data(), mask, q.data(),
                                q_scale.data(), xhat.data(), log_phat.data());
  kernels::te_trade_shares(ctx, d.batch, d.J, d.N, theta.data(), mask, q.data(), q_scale.data(),
                           xhat.data(), phat.data(), shares.data());
  kernels::te_sales(ctx, d.batch, d.J, d.N, mask, pi.data(), X.data(), Y.data());
  kernels::te_expenditure_apply(ctx, d.batch, d.J, d.N, G.data(), mask, pi.data(), scale.data(),
                                v.data(), work.data(), out.data());
  return {log_xhat.to_host(), log_phat.to_host(), shares.to_host(), Y.to_host(), out.to_host()};
}

}  // namespace dynhat::testing
