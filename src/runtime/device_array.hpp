// Owning arrays in the memory of a context's backend.
#pragma once

#include <cstddef>
#include <vector>

#include "dynhat/backend.hpp"

namespace dynhat {

/// [size] values of T (double, float, int or long) on ctx's backend; moves, never copies
/// implicitly. The context must outlive it.
template <typename T>
class DeviceVector {
 public:
  DeviceVector(const Context& ctx, std::size_t size);
  DeviceVector(const Context& ctx, const std::vector<T>& host);
  ~DeviceVector();
  DeviceVector(DeviceVector&& other) noexcept;
  DeviceVector& operator=(DeviceVector&& other) noexcept;
  DeviceVector(const DeviceVector&) = delete;
  DeviceVector& operator=(const DeviceVector&) = delete;

  std::size_t size() const noexcept { return size_; }
  T* data() noexcept { return data_; }
  const T* data() const noexcept { return data_; }
  /// Row `r` of a row-major array with `cols` columns.
  T* row(std::size_t r, std::size_t cols) noexcept { return data_ + r * cols; }
  const T* row(std::size_t r, std::size_t cols) const noexcept { return data_ + r * cols; }

  void upload(const T* host, std::size_t count, std::size_t offset = 0);
  void download(T* host, std::size_t count, std::size_t offset = 0) const;
  std::vector<T> to_host() const;
  void copy_from(const DeviceVector& other);
  void fill(T value);

 private:
  const Context* ctx_;
  std::size_t size_;
  T* data_;
};

extern template class DeviceVector<double>;
extern template class DeviceVector<float>;
extern template class DeviceVector<int>;
extern template class DeviceVector<long>;  // std::int64_t: CSR row starts

/// The solvers' arrays.
using DeviceArray = DeviceVector<double>;

}  // namespace dynhat
