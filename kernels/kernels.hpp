// The kernel list: declared once, stamped into every backend namespace (cpu, cuda), so the
// compiler enforces identical signatures. src/dispatch.cpp is the one place that chooses.
//
// Conventions for every entry:
//  * pointers refer to memory of ctx's backend (host memory on cpu, device memory on cuda),
//    except parameters whose name ends in `_host`;
//  * matrices are row-major; shapes are given beside each entry;
//  * kernels are asynchronous on cuda (queued on ctx's stream) unless they return a value or
//    write a `_host` output, which synchronise;
//  * every synchronising kernel and device-to-host copy reports the bytes it brings to the host
//    through count_host_transfer, on both backends (runtime/host_transfers.hpp): a CPU run counts
//    the synchronisations the same calls make on a GPU.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "dynhat/backend.hpp"

namespace dynhat::kernels {

/// Extremes of a - b over n entries; both NaN when any difference is NaN.
struct DiffRange {
  double min = 0.0;
  double max = 0.0;
  /// max |a - b|; NaN when any difference is NaN (a NaN residual is never convergence).
  double max_abs() const {
    return std::isnan(min) || std::isnan(max) ? NAN : std::fmax(std::fabs(min), std::fabs(max));
  }
};

enum class CopyKind { host_to_device, device_to_host, device_to_device };

/// A CSR matrix on the backend: row i's entries at [start[i], start[i + 1]), columns ascending.
struct Csr {
  const std::int64_t* start = nullptr;  ///< [m + 1]
  const std::int32_t* columns = nullptr;
  const double* values = nullptr;
};

/// mu0 ([m][m]) on the backend, stored as MigrationPath keeps it (household/migration_path.hpp):
/// dense doubles; dense floats (half the bytes per pass, each entry rounded to 24 bits); or CSR,
/// with its transpose for the products with mu0^T. A dense double pointer converts implicitly.
struct Mu0 {
  enum class Storage { dense, dense_float, sparse };
  Storage storage = Storage::dense;
  const double* dense = nullptr;
  const float* dense_float = nullptr;
  Csr rows;        ///< sparse: mu0
  Csr transposed;  ///< sparse: mu0^T
  Mu0() = default;
  Mu0(const double* values) : dense(values) {}  // NOLINT(google-explicit-constructor)
};

// X(return type, name, (parameters), (arguments))
#define DYNHAT_KERNEL_LIST(X)                                                                      \
  /* Memory of the backend. */                                                                     \
  X(void*, allocate, (const Context& ctx, std::size_t bytes), (ctx, bytes))                        \
  X(void, deallocate, (const Context& ctx, void* pointer), (ctx, pointer))                         \
  X(void, copy,                                                                                    \
    (const Context& ctx, void* dst, const void* src, std::size_t bytes, CopyKind kind),            \
    (ctx, dst, src, bytes, kind))                                                                  \
  /* x[i] = value, i < n. */                                                                       \
  X(void, fill, (const Context& ctx, std::size_t n, double value, double* x), (ctx, n, value, x))  \
                                                                                                   \
  /* E1/E2 row log-sum-exp of the logits z[r][c] = a_scale * a[r][c] + v_scale * v[c]              \
     (v may be nullptr: z = a_scale * a). a: [rows][cols]; v: [cols]; lse: [rows];                 \
     shares: [rows][cols] softmax rows exp(z - lse), or nullptr to skip. A row whose logits are    \
     all -inf gets lse = -inf and zero shares. */                                                  \
  X(void, row_logsumexp,                                                                           \
    (const Context& ctx, std::size_t rows, std::size_t cols, const double* a, double a_scale,      \
     const double* v, double v_scale, double* lse, double* shares),                                \
    (ctx, rows, cols, a, a_scale, v, v_scale, lse, shares))                                        \
  /* E3 fused: out[c] = sum_r exp(z[r][c] - lse[r]) * w[r], the softmax shares never stored.       \
     Same logits as row_logsumexp; lse, w: [rows]; out: [cols]. Rows with lse = -inf add 0. */     \
  X(void, softmax_transpose_apply,                                                                 \
    (const Context& ctx, std::size_t rows, std::size_t cols, const double* a, double a_scale,      \
     const double* v, double v_scale, const double* lse, const double* w, double* out),            \
    (ctx, rows, cols, a, a_scale, v, v_scale, lse, w, out))                                        \
                                                                                                   \
  /* Factorised migration path (ARCHITECTURE.md 4.1, MODEL.md 5.5).                                \
     Column scalings from log Y: log c_t[k] = beta * sum_{q=1}^{t+1} log_y[q][k] with              \
     log_y[slots] = 0 (steady state past the horizon); shift[t] = max_k log c_t[k] and             \
     c[t][k] = exp(log c_t[k] - shift[t]) in (0, 1]. log_y, c: [slots][m]; shift: [slots]. */      \
  X(void, column_scalings,                                                                         \
    (const Context& ctx, std::size_t m, std::size_t slots, const double* log_y, double beta,       \
     double* c, double* shift),                                                                    \
    (ctx, m, slots, log_y, beta, c, shift))                                                        \
  /* Row sums of every slot at once: r[t][i] = sum_k mu0[i][k] c[t][k], i.e. r = c mu0^T.          \
     mu0: [m][m]; c, r: [slots][m]. A GEMM (cuBLAS on cuda, blocked OpenMP on cpu). */             \
  X(void, scaled_row_sums,                                                                         \
    (const Context& ctx, std::size_t m, std::size_t slots, const Mu0& mu0, const double* c,        \
     double* r),                                                                                   \
    (ctx, m, slots, mu0, c, r))                                                                    \
  /* Labor chain L[t+1] = c[t] * mu0^T (L[t] / r[t]), t = 0..slots-1 (E13 factorised; the          \
     per-slot shift of c cancels against r). A market with r = 0 must have L = 0 and sends 0.      \
     L: [slots+1][m], row 0 given on entry. */                                                     \
  X(void, labor_chain,                                                                             \
    (const Context& ctx, std::size_t m, std::size_t slots, const Mu0& mu0, const double* c,        \
     const double* r, double* L),                                                                  \
    (ctx, m, slots, mu0, c, r, L))                                                                 \
  /* Preconditioner of the outer iteration: solves (I - beta S) d = f in place, S the block        \
     superdiagonal of the Jacobian of E12 with blocks mu_t = diag(1/r_t) mu0 diag(c_t):            \
     d[t] = f[t] + beta (mu0 (c[t] * d[t+1]))[i] / r[t][i] for t = slots-2 down to 1; rows 0       \
     and slots-1 unchanged. d: [slots][m], holding f on entry. T sequential products with mu0.     \
   */                                                                                              \
  X(void, backward_value_sweep,                                                                    \
    (const Context& ctx, std::size_t m, std::size_t slots, const Mu0& mu0, const double* c,        \
     const double* r, double beta, double* d),                                                     \
    (ctx, m, slots, mu0, c, r, beta, d))                                                           \
  /* The news slot's block of a counterfactual's value path (household/migration_path.hpp):        \
     A = I - beta diag(1/r) mu0 diag(c), a row with r = 0 that of I. mu0, A: [m][m]; c, r: [m]. */ \
  X(void, news_block,                                                                              \
    (const Context& ctx, std::size_t m, const Mu0& mu0, const double* c, const double* r,          \
     double beta, double* A),                                                                      \
    (ctx, m, mu0, c, r, beta, A))                                                                  \
  /* out = A v with the same A = I - beta diag(1/r) mu0 diag(c), never formed: one product with    \
     mu0 (the iterative solve of that block for large m). v, out: [m], distinct. */                \
  X(void, news_block_apply,                                                                        \
    (const Context& ctx, std::size_t m, const Mu0& mu0, const double* c, const double* r,          \
     double beta, const double* v, double* out),                                                   \
    (ctx, m, mu0, c, r, beta, v, out))                                                             \
  /* Dense LU with partial pivoting in place: A ([n][n], row-major) is overwritten by its          \
     factors, pivots ([n] on the backend) by the row interchanges in the backend's own format      \
     (read only by lu_solve). cuSOLVER getrf of the column-major A^T on cuda, Eigen's PartialPivLU \
     on cpu. Returns 0, or k > 0 when U's k-th diagonal entry is exactly 0; synchronises. */       \
  X(int, lu_factor, (const Context& ctx, std::size_t n, double* A, int* pivots),                   \
    (ctx, n, A, pivots))                                                                           \
  /* x = A^{-1} x in place from lu_factor's factors and pivots. x: [n]. */                         \
  X(void, lu_solve,                                                                                \
    (const Context& ctx, std::size_t n, const double* A, const int* pivots, double* x),            \
    (ctx, n, A, pivots, x))                                                                        \
  /* Value update from r (E12/E28 factorised): for t = 1..slots-2                                  \
     log_y[t][i] = inv_nu * log(real_wage[t][i]) + log r[t][i] - log r[t-1][i]                     \
                   + shift[t] - shift[t-1];                                                        \
     rows 0 and slots-1 are set to 0. real_wage, r, log_y: [slots][m]; shift: [slots]. */          \
  X(void, value_update,                                                                            \
    (const Context& ctx, std::size_t m, std::size_t slots, const double* real_wage,                \
     const double* r, const double* shift, double inv_nu, double* log_y),                          \
    (ctx, m, slots, real_wage, r, shift, inv_nu, log_y))                                           \
  /* Real-wage changes (the value update's input): cdot[t][k] = W[t][k] / W[t-1][k] for            \
     t = 1..slots-2; rows 0 and slots-1 are 1. W, cdot: [slots][m]. */                             \
  X(void, real_wage_changes,                                                                       \
    (const Context& ctx, std::size_t m, std::size_t slots, const double* W, double* cdot),         \
    (ctx, m, slots, W, cdot))                                                                      \
                                                                                                   \
  /* Vector helpers for the outer iterations. */                                                   \
  /* min and max of a[i] - b[i], i < n (both NaN if any difference is); synchronises. */           \
  X(DiffRange, diff_range, (const Context& ctx, std::size_t n, const double* a, const double* b),  \
    (ctx, n, a, b))                                                                                \
  /* y[i] = alpha * x[i] + beta * y[i]. */                                                         \
  X(void, axpby,                                                                                   \
    (const Context& ctx, std::size_t n, double alpha, const double* x, double beta, double* y),    \
    (ctx, n, alpha, x, beta, y))                                                                   \
  /* Reference relaxation in levels on log values: x[i] = log((exp(x_new[i]) + exp(x[i])) / 2).    \
   */                                                                                              \
  X(void, average_in_levels, (const Context& ctx, std::size_t n, const double* x_new, double* x),  \
    (ctx, n, x_new, x))                                                                            \
  /* Segmented vectors: a batch of `segments` problems with n unknowns each, stacked as            \
     [segments][n]; a family of k such vectors is [k][segments][n]. Problem b is segment b.        \
     out_host[j * segments + b] = sum_i X[j][b][i] * y[b][i], j < k; synchronises. Summation       \
     order is fixed by n alone (not the thread count, not the number of segments). */              \
  X(void, segment_dots,                                                                            \
    (const Context& ctx, std::size_t k, std::size_t segments, std::size_t n, const double* X,      \
     const double* y, double* out_host),                                                           \
    (ctx, k, segments, n, X, y, out_host))                                                         \
  /* y[b][i] -= sum_j coef_host[j * segments + b] * X[j][b][i], subtracted in order j, terms       \
     with a zero coefficient skipped (so a segment with all-zero coefficients is left as it is).   \
   */                                                                                              \
  X(void, segment_combination,                                                                     \
    (const Context& ctx, std::size_t k, std::size_t segments, std::size_t n, const double* X,      \
     const double* coef_host, double* y),                                                          \
    (ctx, k, segments, n, X, coef_host, y))                                                        \
  /* x[b][i] *= factor_host[b]; segments with factor 1 are left as they are. */                    \
  X(void, segment_scale,                                                                           \
    (const Context& ctx, std::size_t segments, std::size_t n, const double* factor_host,           \
     double* x),                                                                                   \
    (ctx, segments, n, factor_host, x))                                                            \
  /* dst[b] = src[b] for the segments with mask_host[b] != 0; the others are left as they are. */  \
  X(void, segment_copy,                                                                            \
    (const Context& ctx, std::size_t segments, std::size_t n, const unsigned char* mask_host,      \
     const double* src, double* dst),                                                              \
    (ctx, segments, n, mask_host, src, dst))                                                       \
  /* x[b][i] *= a[b][i] for the segments with mask_host[b] != 0. */                                \
  X(void, segment_multiply,                                                                        \
    (const Context& ctx, std::size_t segments, std::size_t n, const unsigned char* mask_host,      \
     const double* a, double* x),                                                                  \
    (ctx, segments, n, mask_host, a, x))                                                           \
  /* out_host[b] = max_i |a[b][i] - b[b][i]| (b may be nullptr: max |a|); NaN if any entry is      \
     NaN; synchronises. */                                                                         \
  X(void, segment_max_abs_diff,                                                                    \
    (const Context& ctx, std::size_t segments, std::size_t n, const double* a, const double* b,    \
     double* out_host),                                                                            \
    (ctx, segments, n, a, b, out_host))                                                            \
                                                                                                   \
  /* How to split `batch` temporary-equilibrium problems: groups of te_group_size problems in      \
     lockstep, te_concurrent_groups groups at a time. CPU: one problem per group, one group per    \
     OpenMP thread (no barrier inside a problem's many small terms; memory of a few problems);     \
     GPU: as many problems of `bytes_per_problem` work arrays each as half the free device memory  \
     holds (the whole batch when it fits; at N = 2000, J = 22 a problem needs 1.4 GB). */          \
  X(std::size_t, te_group_size, (const Context& ctx, std::size_t batch, double bytes_per_problem), \
    (ctx, batch, bytes_per_problem))                                                               \
  X(std::size_t, te_concurrent_groups, (const Context& ctx), (ctx))                                \
  /* Batched temporary-equilibrium terms (MODEL.md 5.1; ARCHITECTURE.md 4.2). `batch` problems     \
     share the structure G: [N][J][J] (G[n][s][j], input s in sector j), gamma: [J][N],            \
     theta: [J]; per-problem arrays are [batch][J][N] or [batch][J][N][N]. active: [batch] on the  \
     backend, problems with active[b] == 0 are skipped (outputs left as they are); nullptr = all.  \
     E14: log_xhat[j][n] = gamma[j][n] log_omega_rel[j][n] + sum_s G[n][s][j] log_phat[s][n]. */   \
  X(void, te_log_unit_costs,                                                                       \
    (const Context& ctx, std::size_t batch, std::size_t J, std::size_t N, const double* G,         \
     const double* gamma, const double* active, const double* log_omega_rel,                       \
     const double* log_phat, double* log_xhat),                                                    \
    (ctx, batch, J, N, G, gamma, active, log_omega_rel, log_phat, log_xhat))                       \
  /* The effective shares of E15-E16 come in levels, each (j, n) row scaled by its largest entry:  \
     q[j][n][i] = exp(log q[j][n][i] - log_q_scale[j][n]) in [0, 1] (log_q_scale = -inf for a      \
     row of zeros), so that a price sweep is per sector a matrix-vector product with the cost      \
     factors exp(-theta_j log_xhat[j][i]) (J N exponentials, not J N^2).                           \
     E15: log_phat[j][n] = -(1/theta_j) log sum_i exp(log q[j][n][i] - theta_j log_xhat[j][i]);    \
     a row of zeros gets 0. */                                                                     \
  X(void, te_log_price_indices,                                                                    \
    (const Context& ctx, std::size_t batch, std::size_t J, std::size_t N, const double* theta,     \
     const double* active, const double* q, const double* log_q_scale, const double* log_xhat,     \
     double* log_phat),                                                                            \
    (ctx, batch, J, N, theta, active, q, log_q_scale, log_xhat, log_phat))                         \
  /* E16: pi[j][n][i] = exp(log q[j][n][i] - theta_j (log_xhat[j][i] - log_phat[j][n])). */        \
  X(void, te_trade_shares,                                                                         \
    (const Context& ctx, std::size_t batch, std::size_t J, std::size_t N, const double* theta,     \
     const double* active, const double* q, const double* log_q_scale, const double* log_xhat,     \
     const double* log_phat, double* pi),                                                          \
    (ctx, batch, J, N, theta, active, q, log_q_scale, log_xhat, log_phat, pi))                     \
  /* Sales Y[j][i] = sum_n pi[j][n][i] X[j][n], summed in order n. */                              \
  X(void, te_sales,                                                                                \
    (const Context& ctx, std::size_t batch, std::size_t J, std::size_t N, const double* active,    \
     const double* pi, const double* X, double* Y),                                                \
    (ctx, batch, J, N, active, pi, X, Y))                                                          \
  /* The expenditure operator of E18 in scaled form: out = v - Z(scale * v) / scale with           \
     Z[s][i] = sum_j G[i][s][j] Y[j][i] and Y the sales of X = scale * v. work: [2][batch][J][N].  \
   */                                                                                              \
  X(void, te_expenditure_apply,                                                                    \
    (const Context& ctx, std::size_t batch, std::size_t J, std::size_t N, const double* G,         \
     const double* active, const double* pi, const double* scale, const double* v, double* work,   \
     double* out),                                                                                 \
    (ctx, batch, J, N, G, active, pi, scale, v, work, out))                                        \
  /* The expenditure system of E18 in the scaled form of te_expenditure_apply, its scale from the  \
     previous expenditure X: E17 VA'/VA = exp(log_omega) labor_factor; income                      \
     I[n] = sum_j VAL[j][n] VA'/VA + iota[n] sum_{j,n} VAR VA'/VA (sums in order j, then n);       \
     mean = the mean of |X| over the J N markets; scale = max(|X|, 1e-12 mean), or 1 where         \
     mean = 0; y = X / scale; rhs[j][n] = alpha[j] I[n] / scale[j][n]. VAL, VAR, labor_factor,     \
     log_omega, X, scale, y, rhs: [batch][J][N]; alpha: [J]; iota: [N]. */                         \
  X(void, te_expenditure_system,                                                                   \
    (const Context& ctx, std::size_t batch, std::size_t J, std::size_t N, const double* active,    \
     const double* alpha, const double* iota, const double* VAL, const double* VAR,                \
     const double* labor_factor, const double* log_omega, const double* X, double* scale,          \
     double* y, double* rhs),                                                                      \
    (ctx, batch, J, N, active, alpha, iota, VAL, VAR, labor_factor, log_omega, X, scale, y, rhs))  \
  /* E19 and the excess demand F = log omegatilde - log_omega: mobile markets (n < R)              \
     omegatilde = gamma Y / ((VAL + VAR) labor_factor), 1 where that value added is 0; countries   \
     sum_j gamma Y / sum_j (VAL + VAR) (in order j), the same for every sector. gamma: [J][N];     \
     VAL, VAR, labor_factor, Y (sales), log_omega, excess: [batch][J][N]. */                       \
  X(void, te_factor_price_excess,                                                                  \
    (const Context& ctx, std::size_t batch, std::size_t J, std::size_t N, std::size_t R,           \
     const double* active, const double* gamma, const double* VAL, const double* VAR,              \
     const double* labor_factor, const double* Y, const double* log_omega, double* excess),        \
    (ctx, batch, J, N, R, active, gamma, VAL, VAR, labor_factor, Y, log_omega, excess))            \
  /* The chord step of the factor-price iteration (static_equilibrium/chord_matrix.hpp):           \
     g[b] += K F[b] for `count` problems, on the nz = R J + N - R reduced unknowns                 \
     z(j, n) = j R + n (n < R) and R J + n - R (a country, read at sector 0 and added to every     \
     sector). K: [nz][nz] column-major, single precision; F, g: [count][J][N]. F is rounded to     \
     single precision and the product accumulated in it (K only preconditions). */                 \
  X(void, te_chord_step,                                                                           \
    (const Context& ctx, std::size_t count, std::size_t J, std::size_t N, std::size_t R,           \
     const float* K, const double* F, double* g),                                                  \
    (ctx, count, J, N, R, K, F, g))                                                                \
  /* The labor changes of a path's temporary equilibria from its labor path on the backend:        \
     problem b is row b of L ([batch][M], M = R (J + 1) markets, region n's sector j at            \
     n (J + 1) + 1 + j), relative to L0 ([M], slot 0). Mobile markets (n < R) occupied at slot 0   \
     get labor[b][j][n] = L / L0 and labor_factor = labor^(1 - xi[n]) (E17); empty ones (L0 = 0)   \
     and countries get 1 and 1. Returns the number of occupied markets whose L is not positive     \
     and finite (their entries are then meaningless); synchronises. xi: [N]; labor,                \
     labor_factor: [batch][J][N]. */                                                               \
  X(std::size_t, te_labor_inputs,                                                                  \
    (const Context& ctx, std::size_t batch, std::size_t J, std::size_t N, std::size_t R,           \
     const double* L, const double* L0, const double* xi, double* labor, double* labor_factor),    \
    (ctx, batch, J, N, R, L, L0, xi, labor, labor_factor))                                         \
  /* The outputs of solved temporary equilibria, on the backend (te::finish and                    \
     te::market_clearing_residual with the numeraire of a path): with va[k] = (VAL + VAR)          \
     labor_factor exp(log_omega) (E17) and s = world_va / sum_k va[k] (in order k),                \
     omega[b][k] = s exp(log_omega[k]); price_index[b][n] = exp(sum_j alpha[j] (log s +            \
     log_phat[j][n])) (in order j); for n < R real_wage[b * stride + n (J + 1) + 1 + j] =          \
     omega[j][n] labor[j][n]^(-xi[n]) / wage_ref[j][n] / price_index[n] (the markets of a path's   \
     labor layout; other entries untouched); residual_host[b] = the largest of                     \
     |gamma Y - va| / va over mobile markets with va > 0 and |sum_j gamma Y - sum_j va| /          \
     sum_j va over countries with sum_j va > 0 (Y: sales at the solution; scale-free).             \
     Synchronises. alpha: [J]; gamma: [J][N]; xi: [N]; per problem [batch][J][N] except            \
     price_index [batch][N]. */                                                                    \
  X(void, te_path_outputs,                                                                         \
    (const Context& ctx, std::size_t batch, std::size_t J, std::size_t N, std::size_t R,           \
     const double* alpha, const double* gamma, const double* xi, const double* VAL,                \
     const double* VAR, const double* labor, const double* labor_factor, const double* wage_ref,   \
     const double* log_omega, const double* log_phat, const double* Y, double world_va,            \
     double* omega, double* price_index, double* real_wage, std::size_t stride,                    \
     double* residual_host),                                                                       \
    (ctx, batch, J, N, R, alpha, gamma, xi, VAL, VAR, labor, labor_factor, wage_ref, log_omega,    \
     log_phat, Y, world_va, omega, price_index, real_wage, stride, residual_host))

#define DYNHAT_DECLARE_KERNEL(ret, name, params, args) ret name params;

namespace cpu {
DYNHAT_KERNEL_LIST(DYNHAT_DECLARE_KERNEL)
}  // namespace cpu
namespace cuda {
DYNHAT_KERNEL_LIST(DYNHAT_DECLARE_KERNEL)
}  // namespace cuda
/// Records a synchronising transfer of `bytes` to the host on the calling thread
/// (runtime/host_transfers.cpp).
void count_host_transfer(std::size_t bytes) noexcept;

/// Dispatching entry points (src/dispatch.cpp): run on ctx's backend.
DYNHAT_KERNEL_LIST(DYNHAT_DECLARE_KERNEL)

}  // namespace dynhat::kernels
