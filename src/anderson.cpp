// Anderson acceleration: the least-squares coefficients come from a QR factorisation of the
// residual differences, dF = Q R, rebuilt every step by classical Gram-Schmidt applied twice
// (CGS2, as accurate as Householder for these few columns), so gamma = R^{-1} Q^T f carries an
// error of eps cond(dF), not eps cond(dF)^2 as the normal equations would. Only k dot products
// per pass travel to the host. Columns that are numerically dependent on earlier ones (|r_jj|
// below 1e-12 of the column norm) are dropped from the solve.
#include "anderson.hpp"

#include <algorithm>
#include <cmath>

#include "dynhat/error.hpp"
#include "kernels/kernels.hpp"

namespace dynhat {

namespace {
constexpr double kDependentColumn = 1e-12;
}

AndersonMixer::AndersonMixer(const Context& ctx, std::size_t n, int memory)
    : ctx_(&ctx),
      n_(n),
      memory_(static_cast<std::size_t>(std::max(memory, 1))),
      residual_(ctx, n),
      prev_residual_(ctx, n),
      prev_map_(ctx, n),
      d_residual_(ctx, memory_ * n),
      d_map_(ctx, memory_ * n),
      q_(ctx, memory_ * n) {
  if (memory < 1) throw InvalidInput("Anderson memory must be >= 1");
}

void AndersonMixer::step(DeviceArray& x, const DeviceArray& g) {
  const Context& ctx = *ctx_;
  const auto bytes = n_ * sizeof(double);
  residual_.copy_from(g);
  kernels::axpby(ctx, n_, -1.0, x.data(), 1.0, residual_.data());  // f = g - x

  if (have_previous_) {
    double* df = d_residual_.row(next_, n_);
    double* dg = d_map_.row(next_, n_);
    kernels::copy(ctx, df, residual_.data(), bytes, kernels::CopyKind::device_to_device);
    kernels::axpby(ctx, n_, -1.0, prev_residual_.data(), 1.0, df);
    kernels::copy(ctx, dg, g.data(), bytes, kernels::CopyKind::device_to_device);
    kernels::axpby(ctx, n_, -1.0, prev_map_.data(), 1.0, dg);
    stored_ = std::min(stored_ + 1, memory_);
    next_ = (next_ + 1) % memory_;
  }
  prev_residual_.copy_from(residual_);
  prev_map_.copy_from(g);
  have_previous_ = true;

  x.copy_from(g);
  if (stored_ == 0) return;  // Picard step

  // Columns oldest first: ring slots next_ - stored_ .. next_ - 1. Q is built in the same order
  // in q_ (rows 0..kept-1), with R upper triangular on the host.
  std::vector<std::size_t> slots;  // ring slot of each kept column
  std::vector<double> r(memory_ * memory_, 0.0), dots(memory_);
  for (std::size_t c = 0; c < stored_; ++c) {
    const std::size_t slot = (next_ + memory_ - stored_ + c) % memory_;
    const std::size_t j = slots.size();
    double* q = q_.row(j, n_);
    kernels::copy(ctx, q, d_residual_.row(slot, n_), bytes, kernels::CopyKind::device_to_device);
    kernels::dot_rows(ctx, 1, n_, q, q, dots.data());
    const double column_norm = std::sqrt(dots[0]);
    for (int pass = 0; pass < 2 && j > 0; ++pass) {  // CGS2
      kernels::dot_rows(ctx, j, n_, q_.data(), q, dots.data());
      kernels::subtract_combination(ctx, j, n_, q_.data(), dots.data(), q);
      for (std::size_t i = 0; i < j; ++i) r[i * memory_ + j] += dots[i];
    }
    kernels::dot_rows(ctx, 1, n_, q, q, dots.data());
    const double diagonal = std::sqrt(dots[0]);
    if (!(diagonal > kDependentColumn * column_norm)) {
      for (std::size_t i = 0; i < j; ++i) r[i * memory_ + j] = 0.0;
      continue;  // dependent on the columns kept so far
    }
    kernels::axpby(ctx, n_, 0.0, q, 1.0 / diagonal, q);
    r[j * memory_ + j] = diagonal;
    slots.push_back(slot);
  }
  const std::size_t k = slots.size();
  if (k == 0) return;
  // gamma = R^{-1} Q^T f by back substitution.
  std::vector<double> gamma(k);
  kernels::dot_rows(ctx, k, n_, q_.data(), residual_.data(), gamma.data());
  for (std::size_t i = k; i-- > 0;) {
    for (std::size_t j = i + 1; j < k; ++j) gamma[i] -= r[i * memory_ + j] * gamma[j];
    gamma[i] /= r[i * memory_ + i];
  }
  if (!std::all_of(gamma.begin(), gamma.end(), [](double v) { return std::isfinite(v); })) {
    restart();  // degenerate history: keep the Picard step just taken
    return;
  }
  for (std::size_t j = 0; j < k; ++j) {  // x = g - dG gamma, column by column of the ring
    kernels::subtract_combination(ctx, 1, n_, d_map_.row(slots[j], n_), &gamma[j], x.data());
  }
}

}  // namespace dynhat
