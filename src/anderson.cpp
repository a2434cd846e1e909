// Anderson acceleration: the least-squares coefficients come from the small normal equations
// (dF dF^T + lambda I) gamma = dF f, solved on the host by a pivoted QR. lambda = 1e-12 of the
// Gram matrix's mean diagonal keeps the solve defined when differences become collinear near
// convergence; it changes gamma only where the history carries no information.
#include "anderson.hpp"

#include <Eigen/Dense>
#include <algorithm>

#include "dynhat/error.hpp"
#include "kernels/kernels.hpp"

namespace dynhat {

namespace {
constexpr double kRelativeRegularisation = 1e-12;
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
      gram_(memory_ * memory_, 0.0) {
  if (memory < 1) throw InvalidInput("Anderson memory must be >= 1");
}

void AndersonMixer::step(DeviceArray& x, const DeviceArray& g) {
  const Context& ctx = *ctx_;
  residual_.copy_from(g);
  kernels::axpby(ctx, n_, -1.0, x.data(), 1.0, residual_.data());  // f = g - x

  if (have_previous_) {
    double* df = d_residual_.row(next_, n_);
    double* dg = d_map_.row(next_, n_);
    kernels::copy(ctx, df, residual_.data(), n_ * sizeof(double),
                  kernels::CopyKind::device_to_device);
    kernels::axpby(ctx, n_, -1.0, prev_residual_.data(), 1.0, df);
    kernels::copy(ctx, dg, g.data(), n_ * sizeof(double), kernels::CopyKind::device_to_device);
    kernels::axpby(ctx, n_, -1.0, prev_map_.data(), 1.0, dg);
    stored_ = std::min(stored_ + 1, memory_);
    // New row and column of the Gram matrix.
    std::vector<double> column(stored_);
    kernels::dot_rows(ctx, stored_, n_, d_residual_.data(), df, column.data());
    for (std::size_t j = 0; j < stored_; ++j) {
      gram_[next_ * memory_ + j] = column[j];
      gram_[j * memory_ + next_] = column[j];
    }
    next_ = (next_ + 1) % memory_;
  }
  prev_residual_.copy_from(residual_);
  prev_map_.copy_from(g);
  have_previous_ = true;

  x.copy_from(g);
  if (stored_ == 0) return;  // Picard step

  const Eigen::Index k = static_cast<Eigen::Index>(stored_);
  Eigen::MatrixXd gram(k, k);
  for (Eigen::Index i = 0; i < k; ++i)
    for (Eigen::Index j = 0; j < k; ++j) gram(i, j) = gram_[i * memory_ + j];
  Eigen::VectorXd rhs(k);
  kernels::dot_rows(ctx, stored_, n_, d_residual_.data(), residual_.data(), rhs.data());
  const double lambda =
      kRelativeRegularisation * std::max(gram.trace() / static_cast<double>(k), 1e-300);
  gram.diagonal().array() += lambda;
  const Eigen::VectorXd gamma = gram.colPivHouseholderQr().solve(rhs);
  if (!gamma.allFinite()) {  // degenerate history: fall back to the Picard step just taken
    restart();
    return;
  }
  kernels::subtract_combination(ctx, stored_, n_, d_map_.data(), gamma.data(), x.data());
}

}  // namespace dynhat
