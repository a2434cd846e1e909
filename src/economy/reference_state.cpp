// The reference state of an economy from its trade flows, shares and IO coefficients (MODEL.md
// E30-E36): trade shares, the IO shares G, value added, balances, final-demand shares alpha,
// the portfolio shares iota and chi.
#include <fmt/format.h>

#include <string_view>

#include "dynhat/economy.hpp"
#include "dynhat/error.hpp"

namespace dynhat {

namespace {

void require_size(std::size_t actual, std::size_t expected, std::string_view what,
                  std::string_view shape, const Economy& e) {
  if (actual != expected) {
    throw DimensionMismatch(fmt::format("{} has {} entries, must have {} ({} with J = {}, N = {})",
                                        what, actual, expected, shape, e.sectors, e.regions));
  }
}

/// The inputs' sizes agree with J and N, and every region's IO block exists.
void require_sizes(const Economy& e, const std::vector<double>& io,
                   const std::vector<std::size_t>& io_block) {
  const std::size_t J = e.sectors;
  const std::size_t N = e.regions;
  require_size(e.gamma.size(), J * N, "Economy::gamma", "[J][N]", e);
  require_size(e.xi.size(), N, "Economy::xi", "[N]", e);
  require_size(e.trade_flows.size(), J * N * N, "Economy::trade_flows", "[J][N][N]", e);
  require_size(io_block.size(), N, "io_block", "[N]", e);
  const std::size_t n_blocks = J == 0 ? 0 : io.size() / (J * J);
  if (J == 0 || N == 0 || n_blocks == 0 || io.size() != n_blocks * J * J) {
    throw DimensionMismatch(fmt::format(
        "io has {} entries, must be a positive multiple of J*J = {} ([B][J][J]; J = {}, N = {})",
        io.size(), J * J, J, N));
  }
  for (std::size_t n = 0; n < N; ++n) {
    if (io_block[n] >= n_blocks) {
      throw DimensionMismatch(fmt::format(
          "io_block[{}] = {}, must be < {}, the number of IO blocks", n, io_block[n], n_blocks));
    }
  }
}

/// E30, E31: absorption by destination row, sales by source column, trade shares.
void derive_trade_shares(Economy& e) {
  const std::size_t J = e.sectors;
  const std::size_t N = e.regions;
  e.absorption.assign(J * N, 0.0);
  e.gross_output.assign(J * N, 0.0);
  e.trade_shares.assign(J * N * N, 0.0);
  for (std::size_t j = 0; j < J; ++j) {
    for (std::size_t n = 0; n < N; ++n) {
      const double* x = &e.trade_flows[(j * N + n) * N];
      double X0 = 0.0;
      for (std::size_t i = 0; i < N; ++i) {
        X0 += x[i];
        e.gross_output[j * N + i] += x[i];
      }
      e.absorption[j * N + n] = X0;
      if (X0 == 0.0) continue;  // E31: a row with no absorption keeps zero shares
      for (std::size_t i = 0; i < N; ++i) e.trade_shares[(j * N + n) * N + i] = x[i] / X0;
    }
  }
}

/// E32, with every IO column scaled to sum to 1 exactly.
void derive_io_shares(Economy& e, const std::vector<double>& io,
                      const std::vector<std::size_t>& io_block) {
  const std::size_t J = e.sectors;
  const std::size_t N = e.regions;
  // The CDP tables' columns sum to 1 +- 5e-7 (7 printed digits); the remainder would make
  // intermediate demand (1 - gamma)(1 + eps) of sales, a world-wide excess demand that no factor
  // prices can remove (Walras' law fails by ~1e-9 of income, and the fast solver stalls there).
  // Validation has already required the sums to be within 1e-6 of 1.
  e.G.assign(N * J * J, 0.0);
  for (std::size_t n = 0; n < N; ++n) {
    const double* block = &io[io_block[n] * J * J];
    for (std::size_t k = 0; k < J; ++k) {
      double column = 0.0;
      for (std::size_t s = 0; s < J; ++s) column += block[s * J + k];
      for (std::size_t s = 0; s < J; ++s) {
        e.G[(n * J + s) * J + k] = (1.0 - e.gamma[k * N + n]) * block[s * J + k] / column;
      }
    }
  }
}

/// Value added by region summed over sectors (E33).
struct RegionValueAdded {
  std::vector<double> VAL, VAR;  ///< [N]
};

/// E33, E34: value added by (sector, region) and the trade balances.
RegionValueAdded derive_value_added(Economy& e) {
  const std::size_t J = e.sectors;
  const std::size_t N = e.regions;
  e.VAL.assign(J * N, 0.0);
  e.VAR.assign(J * N, 0.0);
  e.balance.assign(N, 0.0);
  RegionValueAdded out{std::vector<double>(N, 0.0), std::vector<double>(N, 0.0)};
  for (std::size_t j = 0; j < J; ++j) {
    for (std::size_t n = 0; n < N; ++n) {
      const std::size_t jn = j * N + n;
      e.VAL[jn] = e.gamma[jn] * (1.0 - e.xi[n]) * e.gross_output[jn];
      e.VAR[jn] = e.gamma[jn] * e.xi[n] * e.gross_output[jn];
      out.VAL[n] += e.VAL[jn];
      out.VAR[n] += e.VAR[jn];
      e.balance[n] += e.gross_output[jn] - e.absorption[jn];
    }
  }
  return out;
}

/// E35: final-demand shares alpha pooled over regions, normalised to sum to 1.
void derive_final_demand_shares(Economy& e, const RegionValueAdded& va) {
  const std::size_t J = e.sectors;
  const std::size_t N = e.regions;
  double final_demand = 0.0;
  for (std::size_t n = 0; n < N; ++n) final_demand += va.VAL[n] + va.VAR[n] - e.balance[n];
  if (!(final_demand > 0.0)) {
    throw InvalidInput(
        fmt::format("the world final demand sum_n (VAL_n + VAR_n - Bn_n) = {}, must be > 0 (E35)",
                    final_demand));
  }
  e.alpha.assign(J, 0.0);
  for (std::size_t j = 0; j < J; ++j) {
    double residual = 0.0;
    for (std::size_t n = 0; n < N; ++n) {
      double intermediate = 0.0;
      for (std::size_t k = 0; k < J; ++k) {
        intermediate += e.G[(n * J + j) * J + k] * e.gross_output[k * N + n];
      }
      residual += e.absorption[j * N + n] - intermediate;
    }
    e.alpha[j] = residual / final_demand;
  }
  // Normalised to sum to 1 exactly. The CDP tables give 1 +- 4e-9 (rounding of the published
  // flows and IO coefficients); then the world would spend (sum alpha - 1) of its income more
  // than it earns, and no factor prices could clear every market below ~1e-9 (Walras' law needs
  // sum alpha = 1). The change is of the order of that rounding.
  double alpha_total = 0.0;
  for (double a : e.alpha) alpha_total += a;
  for (double& a : e.alpha) a /= alpha_total;
}

/// E36: global rents chi and the portfolio shares iota.
void derive_portfolio(Economy& e, const RegionValueAdded& va) {
  const std::size_t N = e.regions;
  e.chi = 0.0;
  for (std::size_t n = 0; n < N; ++n) e.chi += va.VAR[n];
  if (!(e.chi > 0.0)) {
    throw InvalidInput(
        fmt::format("chi = sum_n VAR_n = {}, must be > 0 (E36: no payments to structures)", e.chi));
  }
  e.iota.assign(N, 0.0);
  for (std::size_t n = 0; n < N; ++n) e.iota[n] = (va.VAR[n] - e.balance[n]) / e.chi;
}

}  // namespace

void derive_reference_state(Economy& e, const std::vector<double>& io,
                            const std::vector<std::size_t>& io_block) {
  require_sizes(e, io, io_block);
  derive_trade_shares(e);
  derive_io_shares(e, io, io_block);
  const RegionValueAdded va = derive_value_added(e);
  derive_final_demand_shares(e, va);
  derive_portfolio(e, va);
}

}  // namespace dynhat
