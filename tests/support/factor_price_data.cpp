#include "support/factor_price_data.hpp"

#include <cmath>

#include "kernels/kernels.hpp"
#include "runtime/device_array.hpp"
#include "support/fixtures.hpp"

namespace dynhat::testing {

FactorPriceData random_factor_price_data(const Economy& e, std::size_t batch, std::uint64_t seed) {
  FactorPriceData d;
  d.batch = batch;
  d.J = e.sectors;
  d.N = e.regions;
  d.R = e.mobile_regions;
  d.alpha = e.alpha;
  d.iota = e.iota;
  d.gamma = e.gamma;
  const std::size_t jn = d.J * d.N;
  const std::vector<double> size = random_vector(batch * jn, 0.5, 2.0, seed);
  for (std::size_t b = 0; b < batch; ++b) {
    for (std::size_t k = 0; k < jn; ++k) {
      d.VAL.push_back(e.VAL[k] * size[b * jn + k]);
      d.VAR.push_back(e.VAR[k] * size[b * jn + k]);
    }
  }
  d.VAL[0] = d.VAR[0] = 0.0;  // sector 0 of region 0 (mobile): no value added
  d.labor_factor = random_vector(batch * jn, 0.8, 1.25, seed + 1);
  d.log_omega = random_vector(batch * jn, -0.3, 0.3, seed + 2);
  d.X = random_vector(batch * jn, 0.0, 10.0, seed + 3);
  for (std::size_t b = 0; b < batch; ++b) d.X[b * jn + (b + 1) % jn] = 0.0;
  d.Y = random_vector(batch * jn, 0.0, 10.0, seed + 4);
  d.F = random_vector(batch * jn, -1.0, 1.0, seed + 5);
  const std::size_t nz = d.R * d.J + d.N - d.R;
  for (const double k : random_vector(nz * nz, -1.0, 1.0, seed + 6))
    d.K.push_back(static_cast<float>(k));
  return d;
}

NaiveChordStep naive_chord_step(const FactorPriceData& d) {
  const std::size_t J = d.J, N = d.N, R = d.R, jn = J * N, nz = R * J + N - R;
  const auto of = [&](std::size_t j, std::size_t n) { return n < R ? j * R + n : R * J + n - R; };
  NaiveChordStep out{d.Y, std::vector<double>(d.batch * jn, 0.0)};
  std::vector<double> f(nz);
  for (std::size_t b = 0; b < d.batch; ++b) {
    for (std::size_t j = 0; j < J; ++j)
      for (std::size_t n = 0; n < N; ++n)
        if (n < R || j == 0) f[of(j, n)] = static_cast<float>(d.F[b * jn + j * N + n]);
    for (std::size_t j = 0; j < J; ++j) {
      for (std::size_t n = 0; n < N; ++n) {
        const std::size_t z = of(j, n), i = b * jn + j * N + n;
        for (std::size_t w = 0; w < nz; ++w) {
          const double term = static_cast<double>(d.K[w * nz + z]) * f[w];
          out.g[i] += term;
          out.magnitude[i] += std::abs(term);
        }
      }
    }
  }
  return out;
}

FactorPriceOutputs run_factor_price_helpers(const Context& ctx, const FactorPriceData& d,
                                            const std::vector<double>& active, double sentinel) {
  const std::size_t n = d.batch * d.J * d.N;
  const DeviceArray alpha(ctx, d.alpha), iota(ctx, d.iota), gamma(ctx, d.gamma);
  const DeviceArray VAL(ctx, d.VAL), VAR(ctx, d.VAR), labor_factor(ctx, d.labor_factor);
  const DeviceArray log_omega(ctx, d.log_omega), X(ctx, d.X), Y(ctx, d.Y), F(ctx, d.F);
  const DeviceVector<float> K(ctx, d.K);
  const DeviceArray active_d(ctx, active);
  const double* mask = active.empty() ? nullptr : active_d.data();
  const std::vector<double> filled(n, sentinel);
  DeviceArray scale(ctx, filled), y(ctx, filled), rhs(ctx, filled), excess(ctx, filled);
  DeviceArray g(ctx, d.Y);
  kernels::te_expenditure_system(ctx, d.batch, d.J, d.N, mask, alpha.data(), iota.data(),
                                 VAL.data(), VAR.data(), labor_factor.data(), log_omega.data(),
                                 X.data(), scale.data(), y.data(), rhs.data());
  kernels::te_factor_price_excess(ctx, d.batch, d.J, d.N, d.R, mask, gamma.data(), VAL.data(),
                                  VAR.data(), labor_factor.data(), Y.data(), log_omega.data(),
                                  excess.data());
  kernels::te_chord_step(ctx, d.batch, d.J, d.N, d.R, K.data(), F.data(), g.data());
  return {scale.to_host(), y.to_host(), rhs.to_host(), excess.to_host(), g.to_host()};
}

PathOutputData random_path_output_data(const FactorPriceData& d, std::uint64_t seed) {
  const std::size_t J = d.J, N = d.N, R = d.R, M = R * (J + 1), jn = J * N;
  PathOutputData p;
  p.L0 = random_vector(M, 0.5, 2.0, seed);
  p.L = random_vector(d.batch * M, 0.25, 4.0, seed + 1);
  for (std::size_t b = 0; b < d.batch; ++b)
    for (std::size_t n = 0; n < R; ++n) p.L[b * M + n * (J + 1)] = NAN;
  p.empty_market = (R - 1) * (J + 1) + 1 + (J - 1);  // the last region's last sector
  p.L0[p.empty_market] = 0.0;
  for (std::size_t b = 0; b < d.batch; ++b) p.L[b * M + p.empty_market] = NAN;
  p.xi = random_vector(N, 0.0, 0.5, seed + 2);
  p.wage_ref = random_vector(d.batch * jn, 0.5, 2.0, seed + 3);
  p.log_phat = random_vector(d.batch * jn, -0.5, 0.5, seed + 4);
  p.stride = M + 3;
  p.world_va = 123.0;
  return p;
}

PathOutputs run_path_kernels(const Context& ctx, const FactorPriceData& d, const PathOutputData& p,
                             double sentinel) {
  const std::size_t J = d.J, N = d.N, jn = J * N;
  const DeviceArray L(ctx, p.L), L0(ctx, p.L0), xi(ctx, p.xi), wage_ref(ctx, p.wage_ref);
  const DeviceArray log_phat(ctx, p.log_phat), alpha(ctx, d.alpha), gamma(ctx, d.gamma);
  const DeviceArray VAL(ctx, d.VAL), VAR(ctx, d.VAR), log_omega(ctx, d.log_omega), Y(ctx, d.Y);
  DeviceArray labor(ctx, d.batch * jn), labor_factor(ctx, d.batch * jn);
  DeviceArray omega(ctx, std::vector<double>(d.batch * jn, sentinel));
  DeviceArray price_index(ctx, std::vector<double>(d.batch * N, sentinel));
  DeviceArray real_wage(ctx, std::vector<double>(d.batch * p.stride, sentinel));
  PathOutputs out;
  out.unresolved = kernels::te_labor_inputs(ctx, d.batch, J, N, d.R, L.data(), L0.data(), xi.data(),
                                            labor.data(), labor_factor.data());
  out.residual.resize(d.batch);
  kernels::te_path_outputs(ctx, d.batch, J, N, d.R, alpha.data(), gamma.data(), xi.data(),
                           VAL.data(), VAR.data(), labor.data(), labor_factor.data(),
                           wage_ref.data(), log_omega.data(), log_phat.data(), Y.data(), p.world_va,
                           omega.data(), price_index.data(), real_wage.data(), p.stride,
                           out.residual.data());
  out.labor = labor.to_host();
  out.labor_factor = labor_factor.to_host();
  out.omega = omega.to_host();
  out.price_index = price_index.to_host();
  out.real_wage = real_wage.to_host();
  return out;
}

}  // namespace dynhat::testing
