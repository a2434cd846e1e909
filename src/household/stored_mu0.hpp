// mu0 on the backend in the storage a household path reads it from (Mu0Storage: dense doubles,
// floats, or CSR with its transpose), and the kernels' view of it (kernels::Mu0).
#pragma once

#include <cstdint>

#include "dynhat/household.hpp"
#include "kernels/kernels.hpp"
#include "runtime/device_array.hpp"

namespace dynhat {

class StoredMu0 {
 public:
  /// `mu0` as `storage` says (sparse: its non-zero entries).
  StoredMu0(const Context& ctx, const Matrix& mu0, Mu0Storage storage);
  /// `mu0` as given, sparse.
  StoredMu0(const Context& ctx, const SparseMatrix& mu0);

  /// Valid while this object lives (moves keep it valid: the arrays keep their memory).
  const kernels::Mu0& view() const { return view_; }

 private:
  explicit StoredMu0(const Context& ctx);
  void store_sparse(const Context& ctx, const SparseMatrix& mu0);

  DeviceArray dense_;                           // [m][m] doubles
  DeviceVector<float> dense_float_;             // [m][m] floats
  DeviceVector<std::int64_t> start_, start_t_;  // CSR of mu0 and of mu0^T: [m + 1]
  DeviceVector<std::int32_t> columns_, columns_t_;
  DeviceArray values_, values_t_;
  kernels::Mu0 view_;
};

}  // namespace dynhat
