// Anderson acceleration: the least-squares coefficients come from a QR factorisation of the
// residual differences, dF = Q R, by classical Gram-Schmidt applied twice (CGS2, as accurate as
// Householder for these few columns), so gamma = R^{-1} Q^T f carries an error of eps cond(dF),
// not eps cond(dF)^2 as the normal equations would. Only k dot products per segment and pass
// travel to the host. Columns that are numerically dependent on earlier ones (|r_jj| below 1e-12
// of the column norm) are dropped from the solve. A step that appends a column to an unchanged
// history orthogonalises only that column (O(k n) instead of O(k^2 n): on the CDP China shock
// the TE's price and factor-price mixers take ~290,000 steps of a few columns each); dropping the
// oldest column or restarting a segment refactors all of them. Either way the result is bitwise
// the same.
//
// Segments share the ring of differences: every stepping segment writes the same ring position, and
// segment b's columns are the stored_[b] newest positions. Columns are processed oldest first; a
// column a segment does not use (or drops) is a zero row of its part of Q, which adds nothing to
// the dot products and is skipped by the combinations, so each segment computes exactly what it
// would alone.
#include "solvers/anderson.hpp"

#include <algorithm>
#include <cmath>

#include "dynhat/error.hpp"
#include "kernels/kernels.hpp"

namespace dynhat {

namespace {
constexpr double kDependentColumn = 1e-12;
}

AndersonMixer::AndersonMixer(const Context& ctx, std::size_t n, int memory, std::size_t segments)
    : ctx_(&ctx),
      n_(n),
      segments_(segments),
      memory_(static_cast<std::size_t>(std::max(memory, 1))),
      stored_(segments, 0),
      have_previous_(segments, 0),
      residual_(ctx, segments * n),
      prev_residual_(ctx, segments * n),
      prev_map_(ctx, segments * n),
      d_residual_(ctx, memory_ * segments * n),
      d_map_(ctx, memory_ * segments * n),
      q_(ctx, memory_ * segments * n),
      zeros_(ctx, segments * n),
      r_(memory_ * memory_ * segments, 0.0),
      kept_(memory_ * segments, 0) {
  zeros_.fill(0.0);
  if (memory < 1) throw InvalidInput("Anderson memory must be >= 1");
}

void AndersonMixer::restart() noexcept {
  factored_ = 0;
  std::fill(stored_.begin(), stored_.end(), 0);
  std::fill(have_previous_.begin(), have_previous_.end(), 0);
}

void AndersonMixer::restart(std::size_t b) noexcept {
  if (stored_[b] != 0 || have_previous_[b] != 0) factored_ = 0;
  stored_[b] = 0;
  have_previous_[b] = 0;
}

void AndersonMixer::step(DeviceArray& x, const DeviceArray& g,
                         const std::vector<unsigned char>& active) {
  const std::size_t S = segments_, n = n_, length = S * n;
  const std::vector<unsigned char> stepping =
      active.empty() ? std::vector<unsigned char>(S, 1) : active;
  take_picard_step(x, g, stepping);

  const std::size_t K = *std::max_element(stored_.begin(), stored_.end());
  if (K == 0) return;  // Picard steps

  // Column p (oldest first) is the difference of age K-1-p, at ring position ring[p]; segment b
  // uses it when that age is below stored_[b] and keeps it when it is independent of the earlier
  // ones. A step that appended one column to an unchanged history (no drop, no restart) keeps
  // the factorisation of the earlier columns: each column's orthogonalisation depends only on
  // the columns before it.
  std::vector<std::size_t> ring(K);
  for (std::size_t p = 0; p < K; ++p) ring[p] = (next_ + 2 * memory_ - K + p) % memory_;
  const std::size_t reused = pushed_ && K == factored_ + 1 ? factored_ : 0;
  factor_differences(ring, reused);
  factored_ = K;
  // x = g - dG gamma, column by column, oldest first.
  const std::vector<double> gamma = coefficients(K);
  for (std::size_t p = 0; p < K; ++p) {
    kernels::segment_combination(*ctx_, 1, S, n, d_map_.row(ring[p], length), &gamma[p * S],
                                 x.data());
  }
}

void AndersonMixer::take_picard_step(DeviceArray& x, const DeviceArray& g,
                                     const std::vector<unsigned char>& stepping) {
  const Context& ctx = *ctx_;
  const std::size_t S = segments_, n = n_, length = S * n;
  const auto bytes = length * sizeof(double);
  bool push = false;
  for (std::size_t b = 0; b < S; ++b) {
    if (stepping[b] == 0) restart(b);
    push = push || (stepping[b] != 0 && have_previous_[b] != 0);
  }
  pushed_ = push;
  residual_.copy_from(g);
  kernels::axpby(ctx, length, -1.0, x.data(), 1.0, residual_.data());  // f = g - x

  if (push) {
    double* df = d_residual_.row(next_, length);
    double* dg = d_map_.row(next_, length);
    kernels::copy(ctx, df, residual_.data(), bytes, kernels::CopyKind::device_to_device);
    kernels::axpby(ctx, length, -1.0, prev_residual_.data(), 1.0, df);
    kernels::copy(ctx, dg, g.data(), bytes, kernels::CopyKind::device_to_device);
    kernels::axpby(ctx, length, -1.0, prev_map_.data(), 1.0, dg);
    for (std::size_t b = 0; b < S; ++b) {
      if (have_previous_[b] != 0) stored_[b] = std::min(stored_[b] + 1, memory_);
    }
    next_ = (next_ + 1) % memory_;
  }
  prev_residual_.copy_from(residual_);
  prev_map_.copy_from(g);
  for (std::size_t b = 0; b < S; ++b) have_previous_[b] = have_previous_[b] | stepping[b];
  kernels::segment_copy(ctx, S, n, stepping.data(), g.data(), x.data());
}

void AndersonMixer::factor_differences(const std::vector<std::size_t>& ring, std::size_t reused) {
  const Context& ctx = *ctx_;
  const std::size_t S = segments_, n = n_, length = S * n, K = ring.size();
  const auto bytes = length * sizeof(double);
  std::vector<unsigned char> unused(S);
  std::vector<double> dots(K * S), norms(S), factor(S);
  for (std::size_t p = reused; p < K; ++p) {
    for (std::size_t i = 0; i <= p; ++i)
      for (std::size_t b = 0; b < S; ++b) R(i, p, b) = 0.0;
    for (std::size_t b = 0; b < S; ++b) kept_[p * S + b] = 0;
    double* q = q_.row(p, length);
    kernels::copy(ctx, q, d_residual_.row(ring[p], length), bytes,
                  kernels::CopyKind::device_to_device);
    for (std::size_t b = 0; b < S; ++b) unused[b] = K - 1 - p >= stored_[b];
    kernels::segment_copy(ctx, S, n, unused.data(), zeros_.data(), q);
    kernels::segment_dots(ctx, 1, S, n, q, q, norms.data());
    for (int pass = 0; pass < 2 && p > 0; ++pass) {  // CGS2
      kernels::segment_dots(ctx, p, S, n, q_.data(), q, dots.data());
      kernels::segment_combination(ctx, p, S, n, q_.data(), dots.data(), q);
      for (std::size_t i = 0; i < p; ++i)
        for (std::size_t b = 0; b < S; ++b) R(i, p, b) += dots[i * S + b];
    }
    kernels::segment_dots(ctx, 1, S, n, q, q, dots.data());
    std::vector<unsigned char> dependent(S, 0);
    for (std::size_t b = 0; b < S; ++b) {
      const double diagonal = std::sqrt(dots[b]);
      factor[b] = 1.0;
      if (unused[b] != 0) continue;
      if (!(diagonal > kDependentColumn * std::sqrt(norms[b]))) {
        dependent[b] = 1;
        for (std::size_t i = 0; i < p; ++i) R(i, p, b) = 0.0;
        continue;
      }
      factor[b] = 1.0 / diagonal;
      R(p, p, b) = diagonal;
      kept_[p * S + b] = 1;
    }
    kernels::segment_copy(ctx, S, n, dependent.data(), zeros_.data(), q);
    kernels::segment_scale(ctx, S, n, factor.data(), q);
  }
}

std::vector<double> AndersonMixer::coefficients(std::size_t K) {
  const std::size_t S = segments_, n = n_;
  const std::vector<unsigned char>& kept = kept_;
  // gamma = R^{-1} Q^T f by back substitution over each segment's kept columns.
  std::vector<double> dots(K * S);
  kernels::segment_dots(*ctx_, K, S, n, q_.data(), residual_.data(), dots.data());
  std::vector<double> gamma(K * S, 0.0);
  for (std::size_t b = 0; b < S; ++b) {
    bool finite = true;
    for (std::size_t i = K; i-- > 0;) {
      if (kept[i * S + b] == 0) continue;
      double value = dots[i * S + b];
      for (std::size_t j = i + 1; j < K; ++j) {
        if (kept[j * S + b] != 0) value -= R(i, j, b) * gamma[j * S + b];
      }
      gamma[i * S + b] = value / R(i, i, b);
      finite = finite && std::isfinite(gamma[i * S + b]);
    }
    if (!finite) {  // degenerate history: keep the Picard step just taken
      for (std::size_t i = 0; i < K; ++i) gamma[i * S + b] = 0.0;
      restart(b);
    }
  }
  return gamma;
}

}  // namespace dynhat
