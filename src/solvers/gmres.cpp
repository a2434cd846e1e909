// Restarted GMRES with classical Gram-Schmidt applied twice (CGS2: one batched round of dot
// products per pass instead of k sequential ones) and Givens rotations, for a batch of systems
// in lockstep. Vectors stay on the backend; per segment and iteration k + 2 dot products travel to
// the host, where the small Hessenberg least-squares problems are solved. Cost per iteration: one
// operator application and 2(k + 1) + 1 dot products of length n per segment at Krylov step k.
#include "solvers/gmres.hpp"

#include <algorithm>
#include <cmath>

#include "kernels/kernels.hpp"

namespace dynhat {

namespace {

bool any(const std::vector<unsigned char>& flags) {
  return std::any_of(flags.begin(), flags.end(), [](unsigned char f) { return f != 0; });
}

void upload_mask(const std::vector<unsigned char>& flags, DeviceArray& mask) {
  std::vector<double> values(flags.begin(), flags.end());
  mask.upload(values.data(), values.size());
}

/// Per segment s of a restart cycle: the Hessenberg matrix h[(j * m + k) * S + s], reduced to
/// upper triangular by the Givens rotations cs, sn as its columns come, the rotated right-hand
/// side g and the Krylov size.
struct LeastSquares {
  LeastSquares(std::size_t restart, std::size_t segments)
      : m(restart),
        S(segments),
        h((m + 1) * m * S),
        cs(m * S),
        sn(m * S),
        g((m + 1) * S),
        size(S) {}
  double& H(std::size_t j, std::size_t k, std::size_t s) { return h[(j * m + k) * S + s]; }
  double H(std::size_t j, std::size_t k, std::size_t s) const { return h[(j * m + k) * S + s]; }

  std::size_t m, S;
  std::vector<double> h, cs, sn, g;
  std::vector<std::size_t> size;
};

/// Column k of segment s, whose new basis vector had norm `norm` before normalisation: the earlier
/// rotations on it, then the rotation that zeroes its subdiagonal, applied to g as well.
void rotate_column(LeastSquares& ls, std::size_t k, std::size_t s, double norm) {
  const std::size_t S = ls.S;
  ls.H(k + 1, k, s) = norm;
  for (std::size_t j = 0; j < k; ++j) {  // earlier rotations on the new column
    const double a = ls.H(j, k, s), c = ls.H(j + 1, k, s);
    ls.H(j, k, s) = ls.cs[j * S + s] * a + ls.sn[j * S + s] * c;
    ls.H(j + 1, k, s) = -ls.sn[j * S + s] * a + ls.cs[j * S + s] * c;
  }
  const double a = ls.H(k, k, s), c = ls.H(k + 1, k, s);
  const double r = std::hypot(a, c);
  ls.cs[k * S + s] = r > 0.0 ? a / r : 1.0;
  ls.sn[k * S + s] = r > 0.0 ? c / r : 0.0;
  ls.H(k, k, s) = r;
  ls.H(k + 1, k, s) = 0.0;
  ls.g[(k + 1) * S + s] = -ls.sn[k * S + s] * ls.g[k * S + s];
  ls.g[k * S + s] = ls.cs[k * S + s] * ls.g[k * S + s];
  ls.size[s] = k + 1;
}

/// coef[i][s] = -y_i with H y = g (upper triangular, size[s] per segment), so that x -= V coef
/// is x += V y. Returns the largest size.
std::size_t negated_solution(const LeastSquares& ls, std::vector<double>& coef) {
  const std::size_t S = ls.S;
  std::fill(coef.begin(), coef.end(), 0.0);
  std::size_t widest = 0;
  for (std::size_t s = 0; s < S; ++s) {
    const std::size_t k = ls.size[s];
    widest = std::max(widest, k);
    for (std::size_t i = k; i-- > 0;) {
      double value = ls.g[i * S + s];
      for (std::size_t j = i + 1; j < k; ++j) value += ls.H(i, j, s) * coef[j * S + s];
      coef[i * S + s] = -value / ls.H(i, i, s);
    }
  }
  return widest;
}

/// Orthogonalises vnext against v_0 .. v_k of `basis` by CGS2, adding the coefficients to column k
/// of H for the segments in the cycle (the others get zeros).
void orthogonalise(const Context& ctx, std::size_t k, std::size_t n,
                   const std::vector<unsigned char>& cycle, const DeviceArray& basis, double* vnext,
                   std::vector<double>& dots, LeastSquares& ls) {
  const std::size_t S = ls.S;
  for (int pass = 0; pass < 2; ++pass) {  // CGS2 against v_0 .. v_k
    kernels::segment_dots(ctx, k + 1, S, n, basis.data(), vnext, dots.data());
    for (std::size_t s = 0; s < S; ++s) {
      for (std::size_t j = 0; j <= k; ++j) {
        if (cycle[s] == 0) dots[j * S + s] = 0.0;
        ls.H(j, k, s) = (pass == 0 ? 0.0 : ls.H(j, k, s)) + dots[j * S + s];
      }
    }
    kernels::segment_combination(ctx, k + 1, S, n, basis.data(), dots.data(), vnext);
  }
}

}  // namespace

SegmentedGmres::SegmentedGmres(const Context& ctx, std::size_t segments, std::size_t n, int restart)
    : ctx_(ctx),
      segments_(segments),
      n_(n),
      restart_(static_cast<std::size_t>(restart)),
      zeros_(ctx, segments * n),
      w_(ctx, segments * n),
      mask_(ctx, segments),
      basis_(ctx, (restart_ + 1) * segments * n) {
  zeros_.fill(0.0);
}

std::vector<GmresReport> SegmentedGmres::solve(const SegmentedOperator& A, const DeviceArray& b,
                                               DeviceArray& x,
                                               const std::vector<unsigned char>& solve,
                                               const std::vector<double>& tol, int max_iterations) {
  const Context& ctx = ctx_;
  const std::size_t S = segments_, n = n_, length = S * n, m = restart_;
  DeviceArray &mask = mask_, &basis = basis_;
  std::vector<GmresReport> reports(S);
  std::vector<double> b_norm(S), factor(S), dots((m + 1) * S), next(S);
  kernels::segment_dots(ctx, 1, S, n, b.data(), b.data(), b_norm.data());
  std::vector<unsigned char> running(S), zero(S, 0);
  for (std::size_t s = 0; s < S; ++s) {
    b_norm[s] = std::sqrt(b_norm[s]);
    running[s] = solve[s] != 0 && b_norm[s] > 0.0;
    if (solve[s] != 0 && b_norm[s] == 0.0) {
      reports[s].converged = true;
      zero[s] = 1;
    }
  }
  kernels::segment_copy(ctx, S, n, zero.data(), zeros_.data(), x.data());  // b = 0: x = 0

  LeastSquares ls(m, S);
  std::vector<double> coef(m * S);
  while (any(running)) {
    std::vector<unsigned char> cycle =
        start_cycle(A, b, x, b_norm, tol, max_iterations, running, reports, ls.g);
    std::fill(ls.size.begin(), ls.size.end(), 0);
    for (std::size_t k = 0; k < m && any(cycle); ++k) {
      double* vk = basis.row(k, length);
      double* vnext = basis.row(k + 1, length);
      upload_mask(cycle, mask);
      A(vk, vnext, mask.data());
      orthogonalise(ctx, k, n, cycle, basis, vnext, dots, ls);
      kernels::segment_dots(ctx, 1, S, n, vnext, vnext, next.data());
      for (std::size_t s = 0; s < S; ++s) {
        factor[s] = 1.0;
        if (cycle[s] == 0) continue;
        ++reports[s].iterations;
        const double norm = std::sqrt(next[s]);
        if (!std::isfinite(norm)) {  // breakdown: keep the columns before this one, stop
          cycle[s] = 0;
          running[s] = 0;
          continue;
        }
        if (norm > 0.0) factor[s] = 1.0 / norm;
        rotate_column(ls, k, s, norm);
        if (std::abs(ls.g[(k + 1) * S + s]) <= tol[s] * b_norm[s] || norm == 0.0 ||
            reports[s].iterations >= max_iterations) {
          cycle[s] = 0;
        }
      }
      kernels::segment_scale(ctx, S, n, factor.data(), vnext);
    }
    // x += V y with H y = g: x -= V (-y).
    const std::size_t widest = negated_solution(ls, coef);
    kernels::segment_combination(ctx, widest, S, n, basis.data(), coef.data(), x.data());
  }
  return reports;
}

std::vector<unsigned char> SegmentedGmres::start_cycle(
    const SegmentedOperator& A, const DeviceArray& b, const DeviceArray& x,
    const std::vector<double>& b_norm, const std::vector<double>& tol, int max_iterations,
    std::vector<unsigned char>& running, std::vector<GmresReport>& reports,
    std::vector<double>& g) {
  const Context& ctx = ctx_;
  const std::size_t S = segments_, n = n_, length = S * n, m = restart_;
  // r = b - A x
  upload_mask(running, mask_);
  A(x.data(), w_.data(), mask_.data());
  double* v0 = basis_.data();
  kernels::copy(ctx, v0, b.data(), length * sizeof(double), kernels::CopyKind::device_to_device);
  kernels::axpby(ctx, length, -1.0, w_.data(), 1.0, v0);
  std::vector<double> beta(S), factor(S);
  kernels::segment_dots(ctx, 1, S, n, v0, v0, beta.data());
  std::vector<unsigned char> cycle(S, 0);
  for (std::size_t s = 0; s < S; ++s) {
    factor[s] = 1.0;
    if (running[s] == 0) continue;
    beta[s] = std::sqrt(beta[s]);
    reports[s].relative_residual = beta[s] / b_norm[s];
    if (reports[s].relative_residual <= tol[s]) reports[s].converged = true;
    // A non-finite residual (an operator out of range) is a breakdown: stop, not converged.
    if (reports[s].converged || reports[s].iterations >= max_iterations ||
        !std::isfinite(beta[s])) {
      running[s] = 0;
      continue;
    }
    cycle[s] = 1;
    factor[s] = 1.0 / beta[s];
  }
  for (std::size_t s = 0; s < S; ++s)
    for (std::size_t j = 0; j <= m; ++j) g[j * S + s] = (j == 0 && cycle[s] != 0) ? beta[s] : 0;
  kernels::segment_scale(ctx, S, n, factor.data(), v0);
  return cycle;
}

}  // namespace dynhat
