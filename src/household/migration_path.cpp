#include "household/migration_path.hpp"

#include <algorithm>
#include <cmath>

#include "kernels/kernels.hpp"
#include "runtime/stopwatch.hpp"
#include "solvers/anderson.hpp"
#include "solvers/gmres.hpp"

namespace dynhat {

namespace {
/// An inner residual this many times its best so far: the iteration diverges.
constexpr double kDivergence = 10.0;
/// GMRES on the news slot's block: restart length, and the relative residual it solves to (the
/// dense LU's solutions are exact to rounding; this keeps the iterative one as close).
constexpr int kBlockRestart = 50;
constexpr double kBlockTolerance = 1e-12;
constexpr int kBlockMaxIterations = 1000;
}  // namespace

/// The news slot's block I - beta mu_s, frozen at the last refresh_preconditioner(): LU-factored
/// when dense (m <= the dense limit), else its c_s and r_s, applied by news_block_apply inside
/// GMRES (never an m x m array).
struct MigrationPath::Pinned {
  std::size_t news;      // slots 0..news-1 pinned
  DeviceArray c, shift;  // [news][m], [news] of the pinned path
  bool dense = true;
  DeviceArray block;  // dense: [m][m] I - beta mu_news, LU-factored (kernels::lu_factor)
  DeviceVector<int> pivots;
  DeviceArray c_news, r_news, rhs, x;  // iterative: [m] each
  std::unique_ptr<SegmentedGmres> gmres;
  bool factored = false;
};

MigrationPath::MigrationPath(MigrationPath&&) noexcept = default;
MigrationPath::~MigrationPath() = default;

MigrationPath::MigrationPath(const Context& ctx, const Matrix& mu0, std::size_t slots, double beta,
                             Mu0Storage storage)
    : ctx_(&ctx),
      m_(mu0.rows),
      slots_(slots),
      beta_(beta),
      mu0_(ctx, mu0, storage),
      c_(ctx, slots * m_),
      shift_(ctx, slots),
      r_(ctx, slots * m_) {}

MigrationPath::MigrationPath(const Context& ctx, const SparseMatrix& mu0, std::size_t slots,
                             double beta)
    : ctx_(&ctx),
      m_(mu0.rows),
      slots_(slots),
      beta_(beta),
      mu0_(ctx, mu0),
      c_(ctx, slots * m_),
      shift_(ctx, slots),
      r_(ctx, slots * m_) {}

void MigrationPath::pin_decisions(const DeviceArray& log_y_pinned, std::size_t news,
                                  std::size_t dense_block_max) {
  pinned_.reset();
  factorise(log_y_pinned);
  const bool dense = m_ <= dense_block_max;
  const std::size_t block = dense ? m_ : 0, vector = dense ? 0 : m_;
  auto pinned = std::make_unique<Pinned>(Pinned{
      news, DeviceArray(*ctx_, news * m_), DeviceArray(*ctx_, news), dense,
      DeviceArray(*ctx_, block * block), DeviceVector<int>(*ctx_, block),
      DeviceArray(*ctx_, vector), DeviceArray(*ctx_, vector), DeviceArray(*ctx_, vector),
      DeviceArray(*ctx_, vector),
      dense ? nullptr : std::make_unique<SegmentedGmres>(*ctx_, 1, m_, kBlockRestart), false});
  kernels::copy(*ctx_, pinned->c.data(), c_.data(), news * m_ * sizeof(double),
                kernels::CopyKind::device_to_device);
  kernels::copy(*ctx_, pinned->shift.data(), shift_.data(), news * sizeof(double),
                kernels::CopyKind::device_to_device);
  pinned_ = std::move(pinned);
}

void MigrationPath::refresh_preconditioner() {
  if (!pinned_ || pinned_->news + 2 > slots_) return;
  const std::size_t s = pinned_->news;
  Pinned& p = *pinned_;
  if (!p.dense) {
    kernels::copy(*ctx_, p.c_news.data(), c_.row(s, m_), m_ * sizeof(double),
                  kernels::CopyKind::device_to_device);
    kernels::copy(*ctx_, p.r_news.data(), r_.row(s, m_), m_ * sizeof(double),
                  kernels::CopyKind::device_to_device);
    p.factored = true;
    return;
  }
  kernels::news_block(*ctx_, m_, mu0_.view(), c_.row(s, m_), r_.row(s, m_), beta_, p.block.data());
  // I - beta mu_s is diagonally dominant (mu_s is row-stochastic, beta < 1): never singular.
  p.factored = kernels::lu_factor(*ctx_, m_, p.block.data(), p.pivots.data()) == 0;
}

void MigrationPath::solve_news_block(double* x) const {
  Pinned& p = *pinned_;
  if (p.dense) {
    kernels::lu_solve(*ctx_, m_, p.block.data(), p.pivots.data(), x);
    return;
  }
  const SegmentedOperator A = [&](const double* v, double* out, const double*) {
    kernels::news_block_apply(*ctx_, m_, mu0_.view(), p.c_news.data(), p.r_news.data(), beta_, v,
                              out);
  };
  kernels::copy(*ctx_, p.rhs.data(), x, m_ * sizeof(double), kernels::CopyKind::device_to_device);
  p.x.copy_from(p.rhs);  // A is close to (1 - beta stay) I: b itself is a fair first guess
  p.gmres->solve(A, p.rhs, p.x, {1}, {kBlockTolerance}, kBlockMaxIterations);
  kernels::copy(*ctx_, x, p.x.data(), m_ * sizeof(double), kernels::CopyKind::device_to_device);
}

void MigrationPath::factorise(const DeviceArray& log_y) {
  kernels::column_scalings(*ctx_, m_, slots_, log_y.data(), beta_, c_.data(), shift_.data());
  if (pinned_) {
    // The pinned slots' row sums depend on their own c_t alone: restored, the GEMM recomputes
    // them as they were.
    kernels::copy(*ctx_, c_.data(), pinned_->c.data(), pinned_->news * m_ * sizeof(double),
                  kernels::CopyKind::device_to_device);
    kernels::copy(*ctx_, shift_.data(), pinned_->shift.data(), pinned_->news * sizeof(double),
                  kernels::CopyKind::device_to_device);
  }
  kernels::scaled_row_sums(*ctx_, m_, slots_, mu0_.view(), c_.data(), r_.data());
}

void MigrationPath::value_update(const DeviceArray& real_wage, double inv_nu,
                                 DeviceArray& log_y_new) const {
  kernels::value_update(*ctx_, m_, slots_, real_wage.data(), r_.data(), shift_.data(), inv_nu,
                        log_y_new.data());
}

void MigrationPath::precondition(DeviceArray& d) const {
  kernels::backward_value_sweep(*ctx_, m_, slots_, mu0_.view(), c_.data(), r_.data(), beta_,
                                d.data());
  if (pinned_ && pinned_->factored) {
    // The news slot s: the sweep left f_s + beta mu_s d_{s+1}; the block solve adds the diagonal
    // term. (The sweep carried that row's error on to the slots before s, whose updates do not
    // depend on Y: harmless, they converge as d_s does.)
    solve_news_block(d.row(pinned_->news, m_));
  }
}

DeviceArray MigrationPath::labor(const std::vector<double>& L0) const {
  DeviceArray L(*ctx_, (slots_ + 1) * m_);
  L.upload(L0.data(), m_);
  kernels::labor_chain(*ctx_, m_, slots_, mu0_.view(), c_.data(), r_.data(), L.data());
  return L;
}

IterationReport solve_value_path(const Context& ctx, MigrationPath& path,
                                 const DeviceArray& real_wage, double inv_nu, DeviceArray& log_y,
                                 const HatOptions& options) {
  const Stopwatch stopwatch;
  const std::size_t n = log_y.size();
  DeviceArray log_y_new(ctx, n);  // G(x)
  AndersonMixer mixer(ctx, options.method == OuterMethod::anderson ? n : 0,
                      options.anderson_memory);
  IterationReport report;
  double best = INFINITY;
  for (int it = 1; it <= options.max_iterations; ++it) {
    path.factorise(log_y);
    if (it == 1 && options.method == OuterMethod::anderson) path.refresh_preconditioner();
    path.value_update(real_wage, inv_nu, log_y_new);
    const double residual = kernels::diff_range(ctx, n, log_y_new.data(), log_y.data()).max_abs();
    report.iterations = it;
    report.residual = residual;
    report.residual_history.push_back(residual);
    if (options.progress) {
      options.progress(it, residual, stopwatch.seconds());
    }
    // Diverging (far from the solution the preconditioner misses the shares' drift): stop, not
    // converged (solve_value_path_from then takes Newton steps).
    if (!(residual <= kDivergence * best)) break;
    best = std::min(best, residual);
    if (residual <= options.tol) {
      report.converged = true;
      log_y.copy_from(log_y_new);
      break;
    }
    if (options.method == OuterMethod::picard) {
      kernels::average_in_levels(ctx, n, log_y_new.data(), log_y.data());
    } else {
      // Newton-like preconditioning: G(x) - x -> (I - beta S)^{-1} (G(x) - x), so one step carries
      // news back through every slot instead of one slot per Jacobi iteration.
      kernels::axpby(ctx, n, -1.0, log_y.data(), 1.0, log_y_new.data());
      path.precondition(log_y_new);
      kernels::axpby(ctx, n, 1.0, log_y.data(), 1.0, log_y_new.data());
      mixer.step(log_y, log_y_new);
    }
  }
  path.factorise(log_y);
  report.seconds = stopwatch.seconds();
  return report;
}

}  // namespace dynhat
