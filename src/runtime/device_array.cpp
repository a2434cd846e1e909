#include "runtime/device_array.hpp"

#include <utility>

#include "dynhat/error.hpp"
#include "kernels/kernels.hpp"

namespace dynhat {

DeviceArray::DeviceArray(const Context& ctx, std::size_t size)
    : ctx_(&ctx),
      size_(size),
      data_(static_cast<double*>(kernels::allocate(ctx, size * sizeof(double)))) {}

DeviceArray::DeviceArray(const Context& ctx, const std::vector<double>& host)
    : DeviceArray(ctx, host.size()) {
  upload(host.data(), host.size());
}

DeviceArray::~DeviceArray() {
  if (data_ != nullptr) kernels::deallocate(*ctx_, data_);
}

DeviceArray::DeviceArray(DeviceArray&& other) noexcept
    : ctx_(other.ctx_),
      size_(std::exchange(other.size_, 0)),
      data_(std::exchange(other.data_, nullptr)) {}

DeviceArray& DeviceArray::operator=(DeviceArray&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) kernels::deallocate(*ctx_, data_);
    ctx_ = other.ctx_;
    size_ = std::exchange(other.size_, 0);
    data_ = std::exchange(other.data_, nullptr);
  }
  return *this;
}

void DeviceArray::upload(const double* host, std::size_t count, std::size_t offset) {
  if (offset + count > size_) throw DimensionMismatch("DeviceArray::upload past the end");
  kernels::copy(*ctx_, data_ + offset, host, count * sizeof(double),
                kernels::CopyKind::host_to_device);
}

void DeviceArray::download(double* host, std::size_t count, std::size_t offset) const {
  if (offset + count > size_) throw DimensionMismatch("DeviceArray::download past the end");
  kernels::copy(*ctx_, host, data_ + offset, count * sizeof(double),
                kernels::CopyKind::device_to_host);
}

std::vector<double> DeviceArray::to_host() const {
  std::vector<double> host(size_);
  download(host.data(), size_);
  return host;
}

void DeviceArray::copy_from(const DeviceArray& other) {
  if (other.size_ != size_) throw DimensionMismatch("DeviceArray::copy_from: sizes differ");
  kernels::copy(*ctx_, data_, other.data_, size_ * sizeof(double),
                kernels::CopyKind::device_to_device);
}

void DeviceArray::fill(double value) {
  kernels::fill(*ctx_, size_, value, data_);
}

}  // namespace dynhat
