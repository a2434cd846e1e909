// SparseMatrix: its shape rules and the conversions to and from dense matrices.
#include <limits>

#include "dynhat/error.hpp"
#include "dynhat/matrix.hpp"

namespace dynhat {

bool SparseMatrix::consistent() const {
  if (row_start.size() != rows + 1 || row_start[0] != 0 || columns.size() != values.size() ||
      cols > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    return false;
  }
  if (static_cast<std::size_t>(row_start[rows]) != values.size()) return false;
  for (std::size_t i = 0; i < rows; ++i) {
    const std::int64_t first = row_start[i], last = row_start[i + 1];
    if (last < first) return false;
    for (std::int64_t e = first; e < last; ++e) {
      const std::int32_t k = columns[static_cast<std::size_t>(e)];
      if (k < 0 || static_cast<std::size_t>(k) >= cols) return false;
      if (e > first && columns[static_cast<std::size_t>(e - 1)] >= k) return false;
    }
  }
  return true;
}

SparseMatrix to_sparse(const Matrix& x) {
  if (x.cols > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    throw DimensionMismatch("a sparse matrix has at most 2^31 - 1 columns, this one " +
                            std::to_string(x.cols));
  }
  SparseMatrix s;
  s.rows = x.rows;
  s.cols = x.cols;
  s.row_start.assign(x.rows + 1, 0);
  for (std::size_t i = 0; i < x.rows; ++i) {
    for (std::size_t k = 0; k < x.cols; ++k) {
      if (x(i, k) == 0.0) continue;
      s.columns.push_back(static_cast<std::int32_t>(k));
      s.values.push_back(x(i, k));
    }
    s.row_start[i + 1] = static_cast<std::int64_t>(s.values.size());
  }
  return s;
}

Matrix to_dense(const SparseMatrix& x) {
  if (!x.consistent()) throw DimensionMismatch("to_dense: the sparse matrix breaks its rules");
  Matrix out(x.rows, x.cols);
  for (std::size_t i = 0; i < x.rows; ++i) {
    for (auto e = static_cast<std::size_t>(x.row_start[i]);
         e < static_cast<std::size_t>(x.row_start[i + 1]); ++e) {
      out(i, static_cast<std::size_t>(x.columns[e])) = x.values[e];
    }
  }
  return out;
}

}  // namespace dynhat
