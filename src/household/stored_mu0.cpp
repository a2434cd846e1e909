#include "household/stored_mu0.hpp"

#include <vector>

namespace dynhat {

namespace {

/// The transpose of a CSR matrix (its columns become rows, still ascending).
SparseMatrix transposed(const SparseMatrix& a) {
  SparseMatrix t;
  t.rows = a.cols;
  t.cols = a.rows;
  t.row_start.assign(a.cols + 1, 0);
  for (std::int32_t k : a.columns) ++t.row_start[static_cast<std::size_t>(k) + 1];
  for (std::size_t k = 0; k < a.cols; ++k) t.row_start[k + 1] += t.row_start[k];
  t.columns.resize(a.nonzeros());
  t.values.resize(a.nonzeros());
  std::vector<std::int64_t> next(t.row_start.begin(), t.row_start.end() - 1);
  for (std::size_t i = 0; i < a.rows; ++i) {
    for (auto e = static_cast<std::size_t>(a.row_start[i]);
         e < static_cast<std::size_t>(a.row_start[i + 1]); ++e) {
      const auto to = static_cast<std::size_t>(next[static_cast<std::size_t>(a.columns[e])]++);
      t.columns[to] = static_cast<std::int32_t>(i);
      t.values[to] = a.values[e];
    }
  }
  return t;
}

}  // namespace

StoredMu0::StoredMu0(const Context& ctx)
    : dense_(ctx, 0),
      dense_float_(ctx, 0),
      start_(ctx, 0),
      start_t_(ctx, 0),
      columns_(ctx, 0),
      columns_t_(ctx, 0),
      values_(ctx, 0),
      values_t_(ctx, 0) {}

StoredMu0::StoredMu0(const Context& ctx, const Matrix& mu0, Mu0Storage storage) : StoredMu0(ctx) {
  switch (storage) {
    case Mu0Storage::dense:
      dense_ = DeviceArray(ctx, mu0.data);
      view_ = kernels::Mu0(dense_.data());
      return;
    case Mu0Storage::float32:
      dense_float_ = DeviceVector<float>(ctx, std::vector<float>(mu0.data.begin(), mu0.data.end()));
      view_.storage = kernels::Mu0::Storage::dense_float;
      view_.dense_float = dense_float_.data();
      return;
    case Mu0Storage::sparse:
      store_sparse(ctx, to_sparse(mu0));
      return;
  }
}

StoredMu0::StoredMu0(const Context& ctx, const SparseMatrix& mu0) : StoredMu0(ctx) {
  store_sparse(ctx, mu0);
}

void StoredMu0::store_sparse(const Context& ctx, const SparseMatrix& mu0) {
  const SparseMatrix t = transposed(mu0);
  start_ = DeviceVector<std::int64_t>(ctx, mu0.row_start);
  columns_ = DeviceVector<std::int32_t>(ctx, mu0.columns);
  values_ = DeviceArray(ctx, mu0.values);
  start_t_ = DeviceVector<std::int64_t>(ctx, t.row_start);
  columns_t_ = DeviceVector<std::int32_t>(ctx, t.columns);
  values_t_ = DeviceArray(ctx, t.values);
  view_.storage = kernels::Mu0::Storage::sparse;
  view_.rows = {start_.data(), columns_.data(), values_.data()};
  view_.transposed = {start_t_.data(), columns_t_.data(), values_t_.data()};
}

}  // namespace dynhat
