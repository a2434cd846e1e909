// An owning array of doubles in the memory of a context's backend.
#pragma once

#include <cstddef>
#include <vector>

#include "dynhat/backend.hpp"

namespace dynhat {

/// [size] doubles on ctx's backend; moves, never copies implicitly. The context must outlive it.
class DeviceArray {
 public:
  DeviceArray(const Context& ctx, std::size_t size);
  DeviceArray(const Context& ctx, const std::vector<double>& host);
  ~DeviceArray();
  DeviceArray(DeviceArray&& other) noexcept;
  DeviceArray& operator=(DeviceArray&& other) noexcept;
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;

  std::size_t size() const noexcept { return size_; }
  double* data() noexcept { return data_; }
  const double* data() const noexcept { return data_; }
  /// Row `r` of a row-major array with `cols` columns.
  double* row(std::size_t r, std::size_t cols) noexcept { return data_ + r * cols; }
  const double* row(std::size_t r, std::size_t cols) const noexcept { return data_ + r * cols; }

  void upload(const double* host, std::size_t count, std::size_t offset = 0);
  void download(double* host, std::size_t count, std::size_t offset = 0) const;
  std::vector<double> to_host() const;
  void copy_from(const DeviceArray& other);
  void fill(double value);

 private:
  const Context* ctx_;
  std::size_t size_;
  double* data_;
};

}  // namespace dynhat
