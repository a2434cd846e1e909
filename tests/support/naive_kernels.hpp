// Deliberately naive loop versions of the kernel list (no OpenMP, no blocking, textbook
// formulas in long double where it costs nothing): the oracle for the optimised kernels.
#pragma once

#include <cstddef>
#include <vector>

#include "dynhat/matrix.hpp"

namespace dynhat::naive {

/// z[r][c] = a_scale * a[r][c] + v_scale * v[c] (v empty: no vector term).
Matrix logits(const Matrix& a, double a_scale, const std::vector<double>& v, double v_scale);
/// lse[r] = log sum_c exp(z[r][c]), computed with the row max subtracted.
std::vector<double> row_logsumexp(const Matrix& z);
/// shares[r][c] = exp(z[r][c] - lse[r]).
Matrix softmax(const Matrix& z);
/// out[c] = sum_r x[r][c] w[r].
std::vector<double> transpose_apply(const Matrix& x, const std::vector<double>& w);
/// log c_t = beta sum_{q=1}^{t+1} log_y[q] (log_y[slots] = 0), shifted by its max per slot.
void column_scalings(const Matrix& log_y, double beta, Matrix& c, std::vector<double>& shift);
/// r[t][i] = sum_k mu0[i][k] c[t][k].
Matrix scaled_row_sums(const Matrix& mu0, const Matrix& c);
/// L[t+1][k] = c[t][k] sum_i mu0[i][k] L[t][i] / r[t][i].
Matrix labor_chain(const Matrix& mu0, const Matrix& c, const Matrix& r,
                   const std::vector<double>& L0);

/// (I - beta S) d = f by back substitution with explicit mu_t = rownorm(mu0 * col(c_t)):
/// d[t] = f[t] + beta mu_t d[t+1], t = slots-2 .. 1.
Matrix backward_value_sweep(const Matrix& mu0, const Matrix& c, double beta, const Matrix& f);

}  // namespace dynhat::naive
