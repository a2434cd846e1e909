// CPU backend memory: host allocations aligned for vector loads; copies are memcpy.
#include <cstdlib>
#include <cstring>
#include <new>

#include "kernels/kernels.hpp"

namespace dynhat::kernels::cpu {

namespace {
constexpr std::size_t kAlignment = 64;  // one cache line, a full AVX-512 vector
}

void* allocate(const Context& /*ctx*/, std::size_t bytes) {
  if (bytes == 0) return nullptr;
  const std::size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  void* p = std::aligned_alloc(kAlignment, rounded);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void deallocate(const Context& /*ctx*/, void* pointer) {
  std::free(pointer);
}

void copy(const Context& /*ctx*/, void* dst, const void* src, std::size_t bytes, CopyKind kind) {
  if (bytes == 0) return;
  std::memcpy(dst, src, bytes);
  // As on cuda: a copy from or to the host waits for the backend.
  if (kind != CopyKind::device_to_device)
    count_host_transfer(kind == CopyKind::device_to_host ? bytes : 0);
}

void fill(const Context& /*ctx*/, std::size_t n, double value, double* x) {
#pragma omp parallel for schedule(static)
  for (std::size_t i = 0; i < n; ++i) x[i] = value;
}

}  // namespace dynhat::kernels::cpu
