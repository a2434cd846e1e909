// Seeded inputs for the batched temporary-equilibrium kernels (the te_* entries of the kernel
// list), and one run of each kernel on a context: shared by the CPU-vs-naive and the
// CUDA-vs-CPU tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "dynhat/backend.hpp"

namespace dynhat::testing {

/// A small random batched economy for the te_* kernels, laid out as kernels.hpp says. The
/// per-problem inputs of each kernel are independent fields, so every kernel is compared on the
/// same inputs (errors do not compound along the chain).
struct TeData {
  std::size_t batch = 0, J = 0, N = 0;
  std::vector<double> G, gamma, theta;                    // [N][J][J], [J][N], [J]
  std::vector<double> log_omega_rel, log_phat, log_xhat;  // [batch][J][N]
  std::vector<double> log_q, pi;                          // [batch][J][N][N]
  std::vector<double> q,
      log_q_scale;                  // log_q in the kernels' form (kernels.hpp), from scaled_shares
  std::vector<double> X, scale, v;  // [batch][J][N]
};

struct TeOutputs {
  std::vector<double> log_xhat, log_phat, pi, Y, out;
};

/// G columns summing to c in [0.2, 0.8) with gamma = 1 - c; theta in [2, 10]; log_q the log of
/// random shares normalised over origins, ~1 in 9 of them zero (-inf), and one row entirely
/// -inf in problem 0 (its price index is 0 by convention).
TeData random_te_data(std::size_t batch, std::size_t J, std::size_t N, std::uint64_t seed);

/// d.q and d.log_q_scale from d.log_q: each row divided by its largest entry (kernels.hpp).
void scaled_shares(TeData& d);

/// Each te_* kernel once on ctx, every output prefilled with `sentinel`; active empty = nullptr.
TeOutputs run_te_terms(const Context& ctx, const TeData& d, const std::vector<double>& active,
                       double sentinel);

}  // namespace dynhat::testing
