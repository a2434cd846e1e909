#include "static_equilibrium/te_terms.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "dynhat/error.hpp"
#include "kernels/kernels.hpp"

namespace dynhat::te {

namespace {

std::vector<double> ones_or(const std::vector<double>& x, std::size_t size, const char* name) {
  if (x.empty()) return std::vector<double>(size, 1.0);
  if (x.size() != size) {
    throw DimensionMismatch(
        fmt::format("shock {} has {} entries, must have {}", name, x.size(), size));
  }
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!(x[i] > 0.0) || !std::isfinite(x[i])) {
      throw InvalidInput(
          fmt::format("shock {} entry {} is {}, must be finite and > 0", name, i, x[i]));
    }
  }
  return x;
}

/// Product of shares and shifters where 0 * Inf or 0/0 means 0 (MODEL.md 5.1 step 1).
double nan_to_zero(double x) {
  return std::isnan(x) ? 0.0 : x;
}

}  // namespace

ExpandedShock expand(const Economy& e, const StaticShock& shock) {
  const std::size_t jn = e.sectors * e.regions;
  const std::size_t jnn = jn * e.regions;
  ExpandedShock s;
  s.labor = ones_or(shock.labor, jn, "labor");
  s.productivity = ones_or(shock.productivity, jn, "productivity");
  s.omega_ref = ones_or(shock.omega_ref, jn, "omega_ref");
  s.wage_ref = ones_or(shock.wage_ref, jn, "wage_ref");
  s.omega_init =
      shock.omega_init.empty() ? s.omega_ref : ones_or(shock.omega_init, jn, "omega_init");
  s.labor_factor.resize(jn);
  for (std::size_t k = 0; k < jn; ++k)
    s.labor_factor[k] = std::pow(s.labor[k], 1.0 - e.xi[k % e.regions]);
  if (!shock.trade_costs.empty()) ones_or(shock.trade_costs, jnn, "trade_costs");
  if (!shock.share_shifter.empty() && shock.share_shifter.size() != jnn) {
    throw DimensionMismatch(fmt::format("shock share_shifter has {} entries, must have {}",
                                        shock.share_shifter.size(), jnn));
  }
  for (std::size_t j = 0; j < e.sectors; ++j) {
    for (std::size_t n = e.mobile_regions; n < e.regions; ++n) {
      if (s.labor[j * e.regions + n] != 1.0) {
        throw InvalidInput(fmt::format(
            "shock labor for sector {} region {} ({}) is {}, must be 1: region {} is not mobile", j,
            n, e.region_names.empty() ? "" : e.region_names[n], s.labor[j * e.regions + n], n));
      }
    }
  }
  return s;
}

EffectiveShares effective_shares(const Economy& e, const ReferenceState& ref,
                                 const StaticShock& shock) {
  const std::size_t J = e.sectors, N = e.regions;
  const bool shifted = !shock.share_shifter.empty(), costs = !shock.trade_costs.empty();
  EffectiveShares out{std::vector<double>(J * N * N), std::vector<double>(J * N)};
  for (std::size_t row = 0; row < J * N; ++row) {
    const double theta = e.theta[row / N];
    double* q = out.q.data() + row * N;
    double top = 0.0;
    for (std::size_t i = 0; i < N; ++i) {
      const std::size_t k = row * N + i;
      q[i] = ref.trade_shares[k];
      if (shifted) q[i] = nan_to_zero(q[i] * shock.share_shifter[k]);
      if (costs) q[i] = nan_to_zero(q[i] * std::pow(shock.trade_costs[k], -theta));
      top = std::max(top, q[i]);
    }
    if (top > 0.0) {
      for (std::size_t i = 0; i < N; ++i) q[i] /= top;
    }
    out.log_scale[row] = top > 0.0 ? std::log(top) : -INFINITY;
  }
  return out;
}

std::vector<double> log_cost_shift(const ExpandedShock& s) {
  std::vector<double> shift(s.omega_ref.size());
  for (std::size_t k = 0; k < shift.size(); ++k)
    shift[k] = std::log(s.omega_ref[k]) + std::log(s.productivity[k]);
  return shift;
}

void log_unit_costs(const Context& cpu, const Economy& e, const std::vector<double>& log_omega_rel,
                    const std::vector<double>& log_phat, std::vector<double>& log_xhat) {
  log_xhat.resize(e.sectors * e.regions);
  kernels::cpu::te_log_unit_costs(cpu, 1, e.sectors, e.regions, e.G.data(), e.gamma.data(), nullptr,
                                  log_omega_rel.data(), log_phat.data(), log_xhat.data());
}

void log_price_indices(const Context& cpu, const Economy& e, const EffectiveShares& shares,
                       const std::vector<double>& log_xhat, std::vector<double>& log_phat) {
  log_phat.resize(e.sectors * e.regions);
  kernels::cpu::te_log_price_indices(cpu, 1, e.sectors, e.regions, e.theta.data(), nullptr,
                                     shares.q.data(), shares.log_scale.data(), log_xhat.data(),
                                     log_phat.data());
}

void trade_shares(const Context& cpu, const Economy& e, const EffectiveShares& shares,
                  const std::vector<double>& log_xhat, const std::vector<double>& log_phat,
                  std::vector<double>& pi) {
  pi.resize(e.sectors * e.regions * e.regions);
  kernels::cpu::te_trade_shares(cpu, 1, e.sectors, e.regions, e.theta.data(), nullptr,
                                shares.q.data(), shares.log_scale.data(), log_xhat.data(),
                                log_phat.data(), pi.data());
}

std::vector<double> value_added_scale(const std::vector<double>& omega,
                                      const std::vector<double>& labor_factor) {
  std::vector<double> scale(omega.size());
  for (std::size_t k = 0; k < scale.size(); ++k) scale[k] = omega[k] * labor_factor[k];
  return scale;
}

std::vector<double> income(const Economy& e, const ReferenceState& ref,
                           const std::vector<double>& scale) {
  const std::size_t J = e.sectors, N = e.regions;
  std::vector<double> labor_income(N, 0.0);
  double chi = 0.0;
  for (std::size_t j = 0; j < J; ++j) {
    for (std::size_t n = 0; n < N; ++n) {
      labor_income[n] += ref.VAL[j * N + n] * scale[j * N + n];
      chi += ref.VAR[j * N + n] * scale[j * N + n];
    }
  }
  for (std::size_t n = 0; n < N; ++n) labor_income[n] += e.iota[n] * chi;
  return labor_income;
}

std::vector<double> sales(const Context& cpu, const Economy& e, const std::vector<double>& pi,
                          const std::vector<double>& X) {
  std::vector<double> Y(e.sectors * e.regions);
  kernels::cpu::te_sales(cpu, 1, e.sectors, e.regions, nullptr, pi.data(), X.data(), Y.data());
  return Y;
}

std::vector<double> implied_omega(const Economy& e, const ReferenceState& ref,
                                  const std::vector<double>& Y,
                                  const std::vector<double>& labor_factor) {
  const std::size_t J = e.sectors, N = e.regions;
  std::vector<double> omega(J * N);
  for (std::size_t n = 0; n < N; ++n) {
    if (n < e.mobile_regions) {
      for (std::size_t j = 0; j < J; ++j) {
        const std::size_t k = j * N + n;
        const double va = (ref.VAL[k] + ref.VAR[k]) * labor_factor[k];
        omega[k] = va > 0.0 ? e.gamma[k] * Y[k] / va : 1.0;
      }
    } else {
      double numerator = 0.0, denominator = 0.0;
      for (std::size_t j = 0; j < J; ++j) {
        numerator += e.gamma[j * N + n] * Y[j * N + n];
        denominator += ref.VAL[j * N + n] + ref.VAR[j * N + n];
      }
      for (std::size_t j = 0; j < J; ++j) omega[j * N + n] = numerator / denominator;
    }
  }
  return omega;
}

double market_clearing_residual(const Economy& e, const ReferenceState& ref,
                                const std::vector<double>& Y, const std::vector<double>& scale) {
  const std::size_t J = e.sectors, N = e.regions;
  double worst = 0.0;
  for (std::size_t n = 0; n < N; ++n) {
    double supplied = 0.0, paid = 0.0;
    for (std::size_t j = 0; j < J; ++j) {
      const std::size_t k = j * N + n;
      const double va = (ref.VAL[k] + ref.VAR[k]) * scale[k];
      if (n < e.mobile_regions && va > 0.0) {
        worst = std::max(worst, std::abs(e.gamma[k] * Y[k] - va) / va);
      }
      supplied += e.gamma[k] * Y[k];
      paid += va;
    }
    if (n >= e.mobile_regions && paid > 0.0)
      worst = std::max(worst, std::abs(supplied - paid) / paid);
  }
  return worst;
}

void finish(const Economy& e, const ReferenceState& ref, const ExpandedShock& s,
            StaticSolution& out) {
  const std::size_t J = e.sectors, N = e.regions;
  const std::vector<double> scale = value_added_scale(out.omega, s.labor_factor);
  out.wage.resize(J * N);
  out.VAL.resize(J * N);
  out.VAR.resize(J * N);
  out.real_wage.resize(J * N);
  out.price_index.assign(N, 1.0);
  for (std::size_t n = 0; n < N; ++n) {
    double log_p = 0.0;
    for (std::size_t j = 0; j < J; ++j)
      log_p += e.alpha[j] * std::log(out.sector_prices[j * N + n]);
    out.price_index[n] = std::exp(log_p);
  }
  for (std::size_t j = 0; j < J; ++j) {
    for (std::size_t n = 0; n < N; ++n) {
      const std::size_t k = j * N + n;
      out.wage[k] =
          n < e.mobile_regions ? out.omega[k] * std::pow(s.labor[k], -e.xi[n]) : out.omega[k];
      out.VAL[k] = ref.VAL[k] * scale[k];
      out.VAR[k] = ref.VAR[k] * scale[k];
      out.real_wage[k] = out.wage[k] / s.wage_ref[k] / out.price_index[n];
    }
  }
}

}  // namespace dynhat::te
