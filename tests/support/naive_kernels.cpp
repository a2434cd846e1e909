#include "support/naive_kernels.hpp"

#include <algorithm>
#include <cmath>

namespace dynhat::naive {

Matrix logits(const Matrix& a, double a_scale, const std::vector<double>& v, double v_scale) {
  Matrix z(a.rows, a.cols);
  for (std::size_t r = 0; r < a.rows; ++r)
    for (std::size_t c = 0; c < a.cols; ++c)
      z(r, c) = a_scale * a(r, c) + (v.empty() ? 0.0 : v_scale * v[c]);
  return z;
}

std::vector<double> row_logsumexp(const Matrix& z) {
  std::vector<double> lse(z.rows);
  for (std::size_t r = 0; r < z.rows; ++r) {
    double m = -INFINITY;
    for (std::size_t c = 0; c < z.cols; ++c) m = std::max(m, z(r, c));
    if (m == -INFINITY) {
      lse[r] = -INFINITY;
      continue;
    }
    long double s = 0.0L;
    for (std::size_t c = 0; c < z.cols; ++c) s += std::exp(static_cast<long double>(z(r, c) - m));
    lse[r] = m + static_cast<double>(std::log(s));
  }
  return lse;
}

Matrix softmax(const Matrix& z) {
  const std::vector<double> lse = row_logsumexp(z);
  Matrix s(z.rows, z.cols);
  for (std::size_t r = 0; r < z.rows; ++r)
    for (std::size_t c = 0; c < z.cols; ++c)
      s(r, c) = lse[r] == -INFINITY ? 0.0 : std::exp(z(r, c) - lse[r]);
  return s;
}

std::vector<double> transpose_apply(const Matrix& x, const std::vector<double>& w) {
  std::vector<double> out(x.cols, 0.0);
  for (std::size_t c = 0; c < x.cols; ++c) {
    long double s = 0.0L;
    for (std::size_t r = 0; r < x.rows; ++r) s += static_cast<long double>(x(r, c)) * w[r];
    out[c] = static_cast<double>(s);
  }
  return out;
}

void column_scalings(const Matrix& log_y, double beta, Matrix& c, std::vector<double>& shift) {
  const std::size_t slots = log_y.rows;
  const std::size_t m = log_y.cols;
  c = Matrix(slots, m);
  shift.assign(slots, 0.0);
  for (std::size_t t = 0; t < slots; ++t) {
    for (std::size_t k = 0; k < m; ++k) {
      double s = 0.0;
      for (std::size_t q = 1; q <= t + 1 && q < slots; ++q) s += beta * log_y(q, k);
      c(t, k) = s;
    }
    shift[t] = *std::max_element(c.row(t), c.row(t) + m);
    for (std::size_t k = 0; k < m; ++k) c(t, k) = std::exp(c(t, k) - shift[t]);
  }
}

Matrix scaled_row_sums(const Matrix& mu0, const Matrix& c) {
  Matrix r(c.rows, mu0.rows);
  for (std::size_t t = 0; t < c.rows; ++t)
    for (std::size_t i = 0; i < mu0.rows; ++i) {
      long double s = 0.0L;
      for (std::size_t k = 0; k < mu0.cols; ++k) s += static_cast<long double>(mu0(i, k)) * c(t, k);
      r(t, i) = static_cast<double>(s);
    }
  return r;
}

Matrix labor_chain(const Matrix& mu0, const Matrix& c, const Matrix& r,
                   const std::vector<double>& L0) {
  const std::size_t m = mu0.rows;
  Matrix L(c.rows + 1, m);
  std::copy(L0.begin(), L0.end(), L.row(0));
  for (std::size_t t = 0; t < c.rows; ++t) {
    std::vector<double> sent(m);
    for (std::size_t i = 0; i < m; ++i) sent[i] = r(t, i) > 0.0 ? L(t, i) / r(t, i) : 0.0;
    const std::vector<double> y = transpose_apply(mu0, sent);
    for (std::size_t k = 0; k < m; ++k) L(t + 1, k) = c(t, k) * y[k];
  }
  return L;
}

Matrix backward_value_sweep(const Matrix& mu0, const Matrix& c, double beta, const Matrix& f) {
  const std::size_t m = mu0.rows;
  Matrix d = f;
  for (std::size_t t = f.rows - 2; t >= 1 && t < f.rows; --t) {
    for (std::size_t i = 0; i < m; ++i) {
      long double row_sum = 0.0L, pushed = 0.0L;
      for (std::size_t k = 0; k < m; ++k) {
        row_sum += static_cast<long double>(mu0(i, k)) * c(t, k);
        pushed += static_cast<long double>(mu0(i, k)) * c(t, k) * d(t + 1, k);
      }
      if (row_sum > 0.0L) d(t, i) = f(t, i) + beta * static_cast<double>(pushed / row_sum);
    }
  }
  return d;
}

}  // namespace dynhat::naive
