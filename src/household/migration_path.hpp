// The factorised migration path (ARCHITECTURE.md 4.1, MODEL.md 5.5) and the value-path fixed
// point on it, shared by the partial-equilibrium household solver (household/hat.cpp) and the
// dynamic general-equilibrium solver (dynamic/path_solver.cpp).
//
// With c_t = prod_{q=1}^{t+1} Y_q^beta (column scalings) and r_t = mu0 c_t (row sums),
// mu_t = diag(1/r_t) mu0 diag(c_t), so
//   Y_t = Cdot_t^{1/nu} r_t / r_{t-1}                 (E12; r_{-1} = mu0 1 = 1)
//   L_{t+1} = c_t * mu0^T (L_t / r_t)                 (E13)
// One GEMM gives every r_t; no [T][M][M] array is formed.
#pragma once

#include <cstddef>
#include <memory>

#include "dynhat/fixed_point.hpp"
#include "dynhat/household.hpp"
#include "dynhat/matrix.hpp"
#include "household/stored_mu0.hpp"
#include "runtime/device_array.hpp"

namespace dynhat {

/// Device-resident state of one hat-algebra path.
class MigrationPath {
 public:
  /// mu0 kept on the backend as `storage` says (dense doubles, floats, or CSR of its non-zero
  /// entries and its transpose).
  MigrationPath(const Context& ctx, const Matrix& mu0, std::size_t slots, double beta,
                Mu0Storage storage = Mu0Storage::dense);
  /// mu0 given sparse, kept sparse.
  MigrationPath(const Context& ctx, const SparseMatrix& mu0, std::size_t slots, double beta);

  MigrationPath(MigrationPath&&) noexcept;
  ~MigrationPath();

  /// Freezes the decisions of slots 0..news-1 at those of the value path `log_y_pinned`
  /// ([slots][m]): mu_t for t < news is then formed with that path's Y whatever the iterate (a
  /// counterfactual whose news arrives at slot `news` >= 1, MODEL.md section 4: mu'_t = mu_t of
  /// the baseline before it). Y_news, the level jump, then appears on both sides of its own update
  /// (E28, MODEL.md's slot 2 for news = 1), with Jacobian beta mu_news: contraction rate beta, so
  /// the preconditioner solves that block (refresh_preconditioner()): by a dense LU when
  /// m <= dense_block_max, by GMRES on the block applied matrix-free above (for large grids:
  /// no second m x m array, no O(m^3) factorisation).
  void pin_decisions(const DeviceArray& log_y_pinned, std::size_t news,
                     std::size_t dense_block_max);
  /// With pinned decisions: freezes I - beta mu_news at the current factorisation, LU-factored
  /// (an m x m LU on the backend, O(m^3): kernels::lu_factor) or kept as its c and r for GMRES
  /// (to 1e-12 relative; each iteration one product with mu0: kernels::news_block_apply);
  /// precondition() solves with it until the next refresh.
  void refresh_preconditioner();

  /// c, shift and r for the value path log Y ([slots][m]).
  void factorise(const DeviceArray& log_y);
  /// E12/E28 from the current factorisation: log_y_new = the value update with real-wage
  /// changes `real_wage` ([slots][m], rows 0 and slots-1 unused).
  void value_update(const DeviceArray& real_wage, double inv_nu, DeviceArray& log_y_new) const;
  /// The Newton-like preconditioner (I - beta S)^{-1} applied to d in place (kernels.hpp), S
  /// including the slot-1 diagonal block when the first slot is pinned.
  void precondition(DeviceArray& d) const;
  /// Labor path [slots+1][m] from L0 (E13).
  DeviceArray labor(const std::vector<double>& L0) const;

  std::size_t markets() const { return m_; }
  std::size_t slots() const { return slots_; }
  const DeviceArray& scalings() const { return c_; }  ///< [slots][m] c_t (shifted)
  const DeviceArray& row_sums() const { return r_; }  ///< [slots][m] r_t

 private:
  const Context* ctx_;
  std::size_t m_;
  std::size_t slots_;
  double beta_;
  StoredMu0 mu0_;
  DeviceArray c_;      // [slots][m] column scalings, shifted per slot
  DeviceArray shift_;  // [slots]
  DeviceArray r_;      // [slots][m] row sums
  struct Pinned;       // the pinned slots' factorisation and the news slot's block
  std::unique_ptr<Pinned> pinned_;

  /// x = (I - beta mu_news)^{-1} x in place, x: [m] on the backend.
  void solve_news_block(double* x) const;
};

/// Solves log Y = value update of the path at log Y, starting from `log_y` (warm start) and
/// leaving the solution in it; on return the path is factorised at the returned log Y.
/// Picard: the reference Y <- (Y_new + Y)/2. Anderson: on x + (I - beta S)^{-1}(G(x) - x), where
/// beta S (blocks beta mu_t on the superdiagonal) is the Jacobian of G with respect to Y_{t+1};
/// the remaining part, beta (mu_t - mu_{t-1}) below the diagonal, is small when shares drift
/// slowly and is left to Anderson.
/// Stops, not converged, as soon as the residual exceeds 10 times its best (diverging).
IterationReport solve_value_path(const Context& ctx, MigrationPath& path,
                                 const DeviceArray& real_wage, double inv_nu, DeviceArray& log_y,
                                 const HatOptions& options);

/// solve_value_path, and where it diverges Newton's method from the same start: far from the
/// solution (a counterfactual whose wages move far from its baseline's, with a large jump at the
/// news) the preconditioned map stops contracting, as the preconditioner leaves out the shares'
/// drift between slots. Newton steps solve (I - J) d = G(x) - x by GMRES, right-preconditioned
/// by (I - beta S)^{-1}, with J v by a forward difference of the value update, and a
/// backtracking line search on max |G(x) - x| (src/household/value_path_newton.cpp), until the
/// residual has fallen 1000-fold; then Anderson again from there, and so on. The report sums
/// every iteration.
IterationReport solve_value_path_from(const Context& ctx, MigrationPath& path,
                                      const DeviceArray& real_wage, double inv_nu,
                                      DeviceArray& log_y, const HatOptions& options);

}  // namespace dynhat
