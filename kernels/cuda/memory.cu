// Memory of the CUDA backend: stream-ordered cudaMallocAsync/cudaFreeAsync from the device's
// default pool (runtime.cu keeps freed memory in it, so the solvers' per-iteration work arrays
// cost no cudaMalloc and no device synchronisation), copies queued on the context's stream, and
// fill (x[i] = value). Cost: fill writes 8n bytes, copies move `bytes`; all bandwidth bound.
// Numerical notes: none (no arithmetic).
#include "kernels/cuda/check.cuh"
#include "kernels/cuda/resources.cuh"
#include "kernels/kernels.hpp"

namespace dynhat::kernels::cuda {
namespace {

__global__ void fill_kernel(std::size_t n, double value, double* x) {
  for (std::size_t i = grid_stride_first(); i < n; i += grid_stride_step()) x[i] = value;
}

cudaMemcpyKind memcpy_kind(CopyKind kind) {
  switch (kind) {
    case CopyKind::host_to_device:
      return cudaMemcpyHostToDevice;
    case CopyKind::device_to_host:
      return cudaMemcpyDeviceToHost;
    case CopyKind::device_to_device:
      return cudaMemcpyDeviceToDevice;
  }
  return cudaMemcpyDefault;  // unreachable: every CopyKind is handled above
}

}  // namespace

void* allocate(const Context& ctx, std::size_t bytes) {
  if (bytes == 0) return nullptr;
  void* pointer = nullptr;
  DYNHAT_CUDA_CHECK(cudaMallocAsync(&pointer, bytes, ctx.cuda()->stream));
  return pointer;
}

void deallocate(const Context& ctx, void* pointer) {
  if (pointer == nullptr) return;
  // Called from destructors (DeviceArray), so errors are not thrown: a sticky error resurfaces
  // at the next checked call. Stream-ordered: kernels queued before it still see the memory.
  static_cast<void>(cudaFreeAsync(pointer, ctx.cuda()->stream));
  static_cast<void>(cudaGetLastError());
}

void copy(const Context& ctx, void* dst, const void* src, std::size_t bytes, CopyKind kind) {
  if (bytes == 0) return;
  const cudaStream_t stream = ctx.cuda()->stream;
  DYNHAT_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, memcpy_kind(kind), stream));
  // device_to_host: the caller reads dst on return. host_to_device: the caller may free or reuse
  // src on return, and for pageable memory the runtime only says the copy *might* be
  // synchronous. Device-to-device copies stay asynchronous.
  if (kind == CopyKind::device_to_device) return;
  DYNHAT_CUDA_CHECK(cudaStreamSynchronize(stream));
  count_host_transfer(kind == CopyKind::device_to_host ? bytes : 0);
}

void fill(const Context& ctx, std::size_t n, double value, double* x) {
  if (n == 0) return;
  fill_kernel<<<grid_stride_blocks(n), kBlockSize, 0, ctx.cuda()->stream>>>(n, value, x);
  DYNHAT_CUDA_CHECK_LAUNCH();
}

}  // namespace dynhat::kernels::cuda
