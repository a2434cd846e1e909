// The fast solver's warm starts (batch_solve.hpp): each problem's factor prices, price indices
// and expenditure from its last solve, kept on the backend in ProblemArrays and copied into a
// group's work arrays before its solve, and back after it.
#include <cmath>

#include "kernels/kernels.hpp"
#include "static_equilibrium/batch_solve.hpp"

namespace dynhat::te {

ProblemArrays::ProblemArrays(const Context& ctx, std::size_t problems, std::size_t size)
    : cost_shift(ctx, problems * size),
      VAL(ctx, problems * size),
      VAR(ctx, problems * size),
      wage_ref(ctx, problems * size),
      labor(ctx, problems * size),
      labor_factor(ctx, problems * size),
      u(ctx, problems * size),
      log_phat(ctx, problems * size),
      expenditure(ctx, problems * size) {}

namespace {

/// dst[0, count) = src[0, count), both on ctx's backend.
void copy_on_backend(const Context& ctx, const double* src, std::size_t count, double* dst) {
  kernels::copy(ctx, dst, src, count * sizeof(double), kernels::CopyKind::device_to_device);
}

}  // namespace

void BatchSolve::load(const std::vector<Problem>& problems, const ProblemArrays& arrays,
                      std::size_t first) {
  const std::size_t jnn = size_ * e_.regions, offset = first * size_, length = B_ * size_;
  group_ = &problems[first];
  first_ = first;
  cost_shift_ = arrays.cost_shift.data() + offset;
  VAL_ = arrays.VAL.data() + offset;
  VAR_ = arrays.VAR.data() + offset;
  wage_ref_ = arrays.wage_ref.data() + offset;
  labor_ = arrays.labor.data() + offset;
  labor_factor_ = arrays.labor_factor.data() + offset;
  copy_on_backend(ctx_, arrays.u.data() + offset, length, u_.data());
  copy_on_backend(ctx_, arrays.log_phat.data() + offset, length, log_phat_.data());
  copy_on_backend(ctx_, arrays.expenditure.data() + offset, length, expenditure_.data());
  for (std::size_t b = 0; b < B_; ++b) {
    const Problem& p = group_[b];
    if (loaded_q_[b] != p.shares.get()) {
      q_.upload(p.shares->q.data(), jnn, b * jnn);
      q_scale_.upload(p.shares->log_scale.data(), size_, b * size_);
      loaded_q_[b] = p.shares.get();
    }
    if (p.has_state) continue;
    // No state yet (or a failed last solve): omega_init, phat = 1, X = 0.
    std::vector<double> u(size_);
    for (std::size_t k = 0; k < size_; ++k) u[k] = std::log(p.shock.omega_init[k]);
    u_.upload(u.data(), size_, b * size_);
    copy_on_backend(ctx_, zeros_.data(), size_, log_phat_.data() + b * size_);
    copy_on_backend(ctx_, zeros_.data(), size_, expenditure_.data() + b * size_);
  }
  std::fill(forcing_.begin(), forcing_.end(), 0.0);
}

void BatchSolve::store(std::vector<Problem>& problems, ProblemArrays& arrays,
                       std::size_t first) const {
  // A NaN or infinite entry makes a segment's max |.| non-finite: that problem restarts.
  std::vector<double> u(B_), log_phat(B_), x(B_);
  kernels::segment_max_abs_diff(ctx_, B_, size_, u_.data(), nullptr, u.data());
  kernels::segment_max_abs_diff(ctx_, B_, size_, log_phat_.data(), nullptr, log_phat.data());
  kernels::segment_max_abs_diff(ctx_, B_, size_, expenditure_.data(), nullptr, x.data());
  te::Mask finite(B_, 0);
  for (std::size_t b = 0; b < B_; ++b) {
    finite[b] = std::isfinite(u[b]) && std::isfinite(log_phat[b]) && std::isfinite(x[b]);
    problems[first + b].has_state = finite[b] != 0;
  }
  const std::size_t offset = first * size_;
  kernels::segment_copy(ctx_, B_, size_, finite.data(), u_.data(), arrays.u.data() + offset);
  kernels::segment_copy(ctx_, B_, size_, finite.data(), log_phat_.data(),
                        arrays.log_phat.data() + offset);
  kernels::segment_copy(ctx_, B_, size_, finite.data(), expenditure_.data(),
                        arrays.expenditure.data() + offset);
}

}  // namespace dynhat::te
