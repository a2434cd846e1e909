#include "runtime/device_array.hpp"

#include <type_traits>
#include <utility>

#include "dynhat/error.hpp"
#include "kernels/kernels.hpp"

namespace dynhat {

template <typename T>
DeviceVector<T>::DeviceVector(const Context& ctx, std::size_t size)
    : ctx_(&ctx), size_(size), data_(static_cast<T*>(kernels::allocate(ctx, size * sizeof(T)))) {}

template <typename T>
DeviceVector<T>::DeviceVector(const Context& ctx, const std::vector<T>& host)
    : DeviceVector(ctx, host.size()) {
  upload(host.data(), host.size());
}

template <typename T>
DeviceVector<T>::~DeviceVector() {
  if (data_ != nullptr) kernels::deallocate(*ctx_, data_);
}

template <typename T>
DeviceVector<T>::DeviceVector(DeviceVector&& other) noexcept
    : ctx_(other.ctx_),
      size_(std::exchange(other.size_, 0)),
      data_(std::exchange(other.data_, nullptr)) {}

template <typename T>
DeviceVector<T>& DeviceVector<T>::operator=(DeviceVector&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) kernels::deallocate(*ctx_, data_);
    ctx_ = other.ctx_;
    size_ = std::exchange(other.size_, 0);
    data_ = std::exchange(other.data_, nullptr);
  }
  return *this;
}

template <typename T>
void DeviceVector<T>::upload(const T* host, std::size_t count, std::size_t offset) {
  if (offset + count > size_) throw DimensionMismatch("DeviceArray::upload past the end");
  kernels::copy(*ctx_, data_ + offset, host, count * sizeof(T), kernels::CopyKind::host_to_device);
}

template <typename T>
void DeviceVector<T>::download(T* host, std::size_t count, std::size_t offset) const {
  if (offset + count > size_) throw DimensionMismatch("DeviceArray::download past the end");
  kernels::copy(*ctx_, host, data_ + offset, count * sizeof(T), kernels::CopyKind::device_to_host);
}

template <typename T>
std::vector<T> DeviceVector<T>::to_host() const {
  std::vector<T> host(size_);
  download(host.data(), size_);
  return host;
}

template <typename T>
void DeviceVector<T>::copy_from(const DeviceVector& other) {
  if (other.size_ != size_) throw DimensionMismatch("DeviceArray::copy_from: sizes differ");
  kernels::copy(*ctx_, data_, other.data_, size_ * sizeof(T), kernels::CopyKind::device_to_device);
}

template <typename T>
void DeviceVector<T>::fill(T value) {
  if constexpr (std::is_same_v<T, double>) {
    kernels::fill(*ctx_, size_, value, data_);
  } else {
    const std::vector<T> host(size_, value);
    upload(host.data(), size_);
  }
}

template class DeviceVector<double>;
template class DeviceVector<float>;
template class DeviceVector<int>;
template class DeviceVector<long>;

}  // namespace dynhat
