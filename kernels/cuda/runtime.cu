// Lifetime of the CUDA backend's per-context resources on one device: one non-blocking stream,
// cuBLAS and cuSOLVER handles bound to it, a pinned host buffer for returned scalars and a device
// scratch buffer grown on demand; the default memory pool set to keep freed memory. No kernels
// here; the cost is the driver's (stream, handles and allocations, milliseconds once per
// Context). Numerical notes: none.
#include <cstdint>
#include <string>
#include <utility>

#include "dynhat/error.hpp"
#include "kernels/cuda/check.cuh"
#include "kernels/cuda/resources.cuh"
#include "kernels/cuda_runtime.hpp"

namespace dynhat::kernels::cuda {

detail::CudaResources* create_resources(int device) {
  const std::string reason = unavailable_reason(device);
  if (!reason.empty()) {
    throw Error("CUDA backend requested but no CUDA device is usable: " + reason);
  }
  auto* resources = new detail::CudaResources;
  try {
    DYNHAT_CUDA_CHECK(cudaSetDevice(device));
    DYNHAT_CUDA_CHECK(cudaStreamCreateWithFlags(&resources->stream, cudaStreamNonBlocking));
    DYNHAT_CUBLAS_CHECK(cublasCreate(&resources->cublas));
    DYNHAT_CUBLAS_CHECK(cublasSetStream(resources->cublas, resources->stream));
    DYNHAT_CUBLAS_CHECK(cublasSetPointerMode(resources->cublas, CUBLAS_POINTER_MODE_HOST));
    DYNHAT_CUSOLVER_CHECK(cusolverDnCreate(&resources->cusolver));
    DYNHAT_CUSOLVER_CHECK(cusolverDnSetStream(resources->cusolver, resources->stream));
    DYNHAT_CUDA_CHECK(cudaMallocHost(&resources->host_scalars, kHostScalars * sizeof(double)));
    // DeviceArrays come from the default pool (memory.cu); keep what they free there instead of
    // returning it to the driver at every synchronisation.
    cudaMemPool_t pool = nullptr;
    DYNHAT_CUDA_CHECK(cudaDeviceGetDefaultMemPool(&pool, device));
    std::uint64_t keep_everything = UINT64_MAX;
    DYNHAT_CUDA_CHECK(
        cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep_everything));
  } catch (...) {
    destroy_resources(resources);
    throw;
  }
  return resources;
}

void destroy_resources(detail::CudaResources* resources) noexcept {
  if (resources == nullptr) return;
  // Errors are ignored: this runs in Context's destructor, which has nobody to report them to.
  if (resources->stream != nullptr) static_cast<void>(cudaStreamSynchronize(resources->stream));
  if (resources->scratch != nullptr) static_cast<void>(cudaFree(resources->scratch));
  if (resources->host_scalars != nullptr) static_cast<void>(cudaFreeHost(resources->host_scalars));
  if (resources->cublas != nullptr) static_cast<void>(cublasDestroy(resources->cublas));
  if (resources->cusolver != nullptr) static_cast<void>(cusolverDnDestroy(resources->cusolver));
  if (resources->stream != nullptr) static_cast<void>(cudaStreamDestroy(resources->stream));
  static_cast<void>(cudaGetLastError());
  delete resources;
}

void synchronize(const Context& ctx) {
  DYNHAT_CUDA_CHECK(cudaStreamSynchronize(ctx.cuda()->stream));
}

int device_count() noexcept {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    static_cast<void>(cudaGetLastError());
    return 0;
  }
  return count;
}

std::string unavailable_reason(int device) {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    static_cast<void>(cudaGetLastError());  // a missing driver must not fail later checks
    // The name tells "no driver" (cudaErrorNoDevice) from a driver older than this runtime
    // (cudaErrorInsufficientDriver), which would otherwise both read as "no device".
    return std::string("cudaGetDeviceCount failed with ") + cudaGetErrorName(status) + ": " +
           cudaGetErrorString(status);
  }
  if (count == 0) return "cudaGetDeviceCount found 0 devices";
  if (device < 0 || device >= count) {
    return "device " + std::to_string(device) + " requested, " + std::to_string(count) +
           " found (0.." + std::to_string(count - 1) + ")";
  }
  return "";
}

std::string device_name(int device) {
  if (device < 0 || device >= device_count()) return "";
  cudaDeviceProp properties{};
  DYNHAT_CUDA_CHECK(cudaGetDeviceProperties(&properties, device));
  return properties.name;
}

bool compiled() noexcept {
  return true;
}

double* scratch(const Context& ctx, std::size_t n) {
  detail::CudaResources& resources = *ctx.cuda();
  if (n > resources.scratch_size) {
    DYNHAT_CUDA_CHECK(cudaStreamSynchronize(resources.stream));
    double* old = std::exchange(resources.scratch, nullptr);
    resources.scratch_size = 0;
    DYNHAT_CUDA_CHECK(cudaFree(old));
    DYNHAT_CUDA_CHECK(cudaMalloc(&resources.scratch, n * sizeof(double)));
    resources.scratch_size = n;
  }
  return resources.scratch;
}

}  // namespace dynhat::kernels::cuda
