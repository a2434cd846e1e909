// The kernel list: declared once, stamped into every backend namespace (cpu, cuda), so the
// compiler enforces identical signatures. src/dispatch.cpp is the one place that chooses.
//
// Conventions for every entry:
//  * pointers refer to memory of ctx's backend (host memory on cpu, device memory on cuda),
//    except parameters whose name ends in `_host`;
//  * matrices are row-major; shapes are given beside each entry;
//  * kernels are asynchronous on cuda (queued on ctx's stream) unless they return a value or
//    write a `_host` output, which synchronise.
#pragma once

#include <cmath>
#include <cstddef>

#include "dynhat/backend.hpp"

namespace dynhat::kernels {

/// Extremes of a - b over n entries (inputs finite).
struct DiffRange {
  double min = 0.0;
  double max = 0.0;
  double max_abs() const { return std::fmax(std::fabs(min), std::fabs(max)); }
};

enum class CopyKind { host_to_device, device_to_host, device_to_device };

// X(return type, name, (parameters), (arguments))
#define DYNHAT_KERNEL_LIST(X)                                                                     \
  /* Memory of the backend. */                                                                    \
  X(void*, allocate, (const Context& ctx, std::size_t bytes), (ctx, bytes))                       \
  X(void, deallocate, (const Context& ctx, void* pointer), (ctx, pointer))                        \
  X(void, copy,                                                                                   \
    (const Context& ctx, void* dst, const void* src, std::size_t bytes, CopyKind kind),           \
    (ctx, dst, src, bytes, kind))                                                                 \
  /* x[i] = value, i < n. */                                                                      \
  X(void, fill, (const Context& ctx, std::size_t n, double value, double* x), (ctx, n, value, x)) \
                                                                                                  \
  /* E1/E2 row log-sum-exp of the logits z[r][c] = a_scale * a[r][c] + v_scale * v[c]             \
     (v may be nullptr: z = a_scale * a). a: [rows][cols]; v: [cols]; lse: [rows];                \
     shares: [rows][cols] softmax rows exp(z - lse), or nullptr to skip. A row whose logits are   \
     all -inf gets lse = -inf and zero shares. */                                                 \
  X(void, row_logsumexp,                                                                          \
    (const Context& ctx, std::size_t rows, std::size_t cols, const double* a, double a_scale,     \
     const double* v, double v_scale, double* lse, double* shares),                               \
    (ctx, rows, cols, a, a_scale, v, v_scale, lse, shares))                                       \
  /* E3 fused: out[c] = sum_r exp(z[r][c] - lse[r]) * w[r], the softmax shares never stored.      \
     Same logits as row_logsumexp; lse, w: [rows]; out: [cols]. Rows with lse = -inf add 0. */    \
  X(void, softmax_transpose_apply,                                                                \
    (const Context& ctx, std::size_t rows, std::size_t cols, const double* a, double a_scale,     \
     const double* v, double v_scale, const double* lse, const double* w, double* out),           \
    (ctx, rows, cols, a, a_scale, v, v_scale, lse, w, out))                                       \
                                                                                                  \
  /* Factorised migration path (ARCHITECTURE.md 4.1, MODEL.md 5.5).                               \
     Column scalings from log Y: log c_t[k] = beta * sum_{q=1}^{t+1} log_y[q][k] with             \
     log_y[slots] = 0 (steady state past the horizon); shift[t] = max_k log c_t[k] and            \
     c[t][k] = exp(log c_t[k] - shift[t]) in (0, 1]. log_y, c: [slots][m]; shift: [slots]. */     \
  X(void, column_scalings,                                                                        \
    (const Context& ctx, std::size_t m, std::size_t slots, const double* log_y, double beta,      \
     double* c, double* shift),                                                                   \
    (ctx, m, slots, log_y, beta, c, shift))                                                       \
  /* Row sums of every slot at once: r[t][i] = sum_k mu0[i][k] c[t][k], i.e. r = c mu0^T.         \
     mu0: [m][m]; c, r: [slots][m]. A GEMM (cuBLAS on cuda, blocked OpenMP on cpu). */            \
  X(void, scaled_row_sums,                                                                        \
    (const Context& ctx, std::size_t m, std::size_t slots, const double* mu0, const double* c,    \
     double* r),                                                                                  \
    (ctx, m, slots, mu0, c, r))                                                                   \
  /* Labor chain L[t+1] = c[t] * mu0^T (L[t] / r[t]), t = 0..slots-1 (E13 factorised; the         \
     per-slot shift of c cancels against r). A market with r = 0 must have L = 0 and sends 0.     \
     L: [slots+1][m], row 0 given on entry. */                                                    \
  X(void, labor_chain,                                                                            \
    (const Context& ctx, std::size_t m, std::size_t slots, const double* mu0, const double* c,    \
     const double* r, double* L),                                                                 \
    (ctx, m, slots, mu0, c, r, L))                                                                \
  /* Preconditioner of the outer iteration: solves (I - beta S) d = f in place, S the block       \
     superdiagonal of the Jacobian of E12 with blocks mu_t = diag(1/r_t) mu0 diag(c_t):           \
     d[t] = f[t] + beta (mu0 (c[t] * d[t+1]))[i] / r[t][i] for t = slots-2 down to 1; rows 0      \
     and slots-1 unchanged. d: [slots][m], holding f on entry. T sequential products with mu0.    \
   */                                                                                             \
  X(void, backward_value_sweep,                                                                   \
    (const Context& ctx, std::size_t m, std::size_t slots, const double* mu0, const double* c,    \
     const double* r, double beta, double* d),                                                    \
    (ctx, m, slots, mu0, c, r, beta, d))                                                          \
  /* Value update from r (E12/E28 factorised): for t = 1..slots-2                                 \
     log_y[t][i] = inv_nu * log(real_wage[t][i]) + log r[t][i] - log r[t-1][i]                    \
                   + shift[t] - shift[t-1];                                                       \
     rows 0 and slots-1 are set to 0. real_wage, r, log_y: [slots][m]; shift: [slots]. */         \
  X(void, value_update,                                                                           \
    (const Context& ctx, std::size_t m, std::size_t slots, const double* real_wage,               \
     const double* r, const double* shift, double inv_nu, double* log_y),                         \
    (ctx, m, slots, real_wage, r, shift, inv_nu, log_y))                                          \
                                                                                                  \
  /* Vector helpers for the outer iterations. */                                                  \
  /* min and max of a[i] - b[i], i < n; synchronises. */                                          \
  X(DiffRange, diff_range, (const Context& ctx, std::size_t n, const double* a, const double* b), \
    (ctx, n, a, b))                                                                               \
  /* y[i] = alpha * x[i] + beta * y[i]. */                                                        \
  X(void, axpby,                                                                                  \
    (const Context& ctx, std::size_t n, double alpha, const double* x, double beta, double* y),   \
    (ctx, n, alpha, x, beta, y))                                                                  \
  /* Reference relaxation in levels on log values: x[i] = log((exp(x_new[i]) + exp(x[i])) / 2).   \
   */                                                                                             \
  X(void, average_in_levels, (const Context& ctx, std::size_t n, const double* x_new, double* x), \
    (ctx, n, x_new, x))                                                                           \
  /* out_host[j] = sum_i X[j][i] * y[i], j < k (X: [k][n]); synchronises. Summation order is      \
     fixed by n alone, so results do not depend on the thread count. */                           \
  X(void, dot_rows,                                                                               \
    (const Context& ctx, std::size_t k, std::size_t n, const double* X, const double* y,          \
     double* out_host),                                                                           \
    (ctx, k, n, X, y, out_host))                                                                  \
  /* y[i] -= sum_j coef_host[j] * X[j][i], j < k (X: [k][n]). */                                  \
  X(void, subtract_combination,                                                                   \
    (const Context& ctx, std::size_t k, std::size_t n, const double* X, const double* coef_host,  \
     double* y),                                                                                  \
    (ctx, k, n, X, coef_host, y))

#define DYNHAT_DECLARE_KERNEL(ret, name, params, args) ret name params;

namespace cpu {
DYNHAT_KERNEL_LIST(DYNHAT_DECLARE_KERNEL)
}  // namespace cpu
namespace cuda {
DYNHAT_KERNEL_LIST(DYNHAT_DECLARE_KERNEL)
}  // namespace cuda
/// Dispatching entry points (src/dispatch.cpp): run on ctx's backend.
DYNHAT_KERNEL_LIST(DYNHAT_DECLARE_KERNEL)

}  // namespace dynhat::kernels
