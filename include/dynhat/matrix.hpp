// Host matrices of doubles, the exchange types of the public API: dense row-major (Matrix) and
// compressed sparse row (SparseMatrix, for migration matrices whose flows are mostly zero).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "dynhat/error.hpp"

namespace dynhat {

/// [rows][cols] row-major; element (r, c) at data[r * cols + c].
struct Matrix {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<double> data;

  Matrix() = default;
  Matrix(std::size_t r, std::size_t c, double value = 0.0)
      : rows(r), cols(c), data(checked_size(r, c), value) {}

  double& operator()(std::size_t r, std::size_t c) { return data[r * cols + c]; }
  double operator()(std::size_t r, std::size_t c) const { return data[r * cols + c]; }
  const double* row(std::size_t r) const { return data.data() + r * cols; }
  double* row(std::size_t r) { return data.data() + r * cols; }
  std::size_t size() const { return data.size(); }
  /// data holds exactly rows * cols entries (a Matrix built field by field may not).
  bool consistent() const {
    return (cols == 0 || rows <= std::numeric_limits<std::size_t>::max() / cols) &&
           data.size() == rows * cols;
  }

 private:
  /// r * c, refusing a product that wraps around 2^64 (it would give a small, wrong array).
  static std::size_t checked_size(std::size_t r, std::size_t c) {
    if (c != 0 && r > std::numeric_limits<std::size_t>::max() / sizeof(double) / c) {
      throw DimensionMismatch("a " + std::to_string(r) + " x " + std::to_string(c) +
                              " matrix has more entries than memory can address");
    }
    return r * c;
  }
};

/// Compressed sparse row: row i holds values[row_start[i] .. row_start[i + 1]) in the columns
/// columns[...] of the same positions, ascending and each at most once within a row. Explicit
/// zeros may be stored (they are entries like any other).
struct SparseMatrix {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<std::int64_t> row_start;  ///< [rows + 1], row_start[0] = 0, non-decreasing
  std::vector<std::int32_t> columns;    ///< [nonzeros] in [0, cols)
  std::vector<double> values;           ///< [nonzeros]

  std::size_t nonzeros() const { return values.size(); }
  /// The shape rules above hold (sizes, bounds, ascending columns); a SparseMatrix built field by
  /// field may break them.
  bool consistent() const;
};

/// The entries of `x` that are not 0 (an exact zero is dropped), in CSR form.
SparseMatrix to_sparse(const Matrix& x);
/// `x` with its missing entries 0.
Matrix to_dense(const SparseMatrix& x);

}  // namespace dynhat
