// Seeded inputs for the factor-price pass's helper kernels (te_expenditure_system,
// te_factor_price_excess, te_chord_step of the kernel list) and one run of each on a context:
// shared by the CPU-vs-te_terms and the CUDA-vs-CPU tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "dynhat/backend.hpp"
#include "dynhat/economy.hpp"

namespace dynhat::testing {

/// `batch` problems of economy e, laid out as kernels.hpp says. Each problem has its own VAL and
/// VAR (the data's, scaled by a random factor in [0.5, 2)), labor factor in [0.8, 1.25), log
/// omega in [-0.3, 0.3), expenditure X and sales Y in [0, 10) with one X of 0 per problem (the
/// scale's floor) and one mobile market of zero value added in problem 0 (omegatilde = 1).
struct FactorPriceData {
  std::size_t batch = 0, J = 0, N = 0, R = 0;
  std::vector<double> alpha, iota, gamma;                          // [J], [N], [J][N]
  std::vector<double> VAL, VAR, labor_factor, log_omega, X, Y, F;  // [batch][J][N]
  std::vector<float> K;  ///< a random chord matrix [nz][nz], nz = R J + N - R
};

struct FactorPriceOutputs {
  std::vector<double> scale, y, rhs, excess;  // [batch][J][N]
  std::vector<double> g;                      ///< F's chord step added to Y: Y + K F
};

FactorPriceData random_factor_price_data(const Economy& e, std::size_t batch, std::uint64_t seed);

/// te_chord_step in double from F rounded to float, as the kernel rounds it ([batch][J][N]: Y +
/// K F), and beside it the magnitude sum_w |K[z][w] F[w]| of each entry's dot product (what
/// bounds its single-precision rounding).
struct NaiveChordStep {
  std::vector<double> g, magnitude;
};
NaiveChordStep naive_chord_step(const FactorPriceData& d);

/// Each helper kernel once on ctx, every output prefilled with `sentinel` (te_chord_step's g
/// with Y, for every problem); active empty = nullptr.
FactorPriceOutputs run_factor_price_helpers(const Context& ctx, const FactorPriceData& d,
                                            const std::vector<double>& active, double sentinel);

/// The labor path and the solution arrays of a path's temporary equilibria beside
/// FactorPriceData's (for kernels::te_labor_inputs and te_path_outputs): L [batch][M] with
/// M = R (J + 1) markets, NaN in every non-employment slot (never read) and a market empty at
/// slot 0 (L0 = 0, NaN in L); xi [N] in [0, 0.5]; wage_ref and log_phat [batch][J][N].
struct PathOutputData {
  std::vector<double> L, L0, xi, wage_ref, log_phat;
  std::size_t empty_market = 0;  ///< the market with L0 = 0
  std::size_t stride = 0;        ///< of the real wages: M + 3, padding never written
  double world_va = 0.0;
};
PathOutputData random_path_output_data(const FactorPriceData& d, std::uint64_t seed);

/// te_labor_inputs then te_path_outputs on ctx (its labor changes feeding the outputs), with
/// FactorPriceData's VAL, VAR, log_omega and Y (as sales); omega, price_index and real_wage
/// prefilled with `sentinel`.
struct PathOutputs {
  std::size_t unresolved = 0;
  std::vector<double> labor, labor_factor, omega, price_index, real_wage, residual;
};
PathOutputs run_path_kernels(const Context& ctx, const FactorPriceData& d, const PathOutputData& p,
                             double sentinel);

}  // namespace dynhat::testing
