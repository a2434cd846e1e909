// Error checking for every CUDA runtime, cuBLAS and cuSOLVER call of the CUDA backend: a failure
// throws
// dynhat::CudaError naming the file, the line, the call and the error name (cuSOLVER: its
// status number, cusolver_common.h).
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cusolverDn.h>

#include <string>

#include "dynhat/error.hpp"

namespace dynhat::kernels::cuda {

[[noreturn]] inline void throw_cuda_error(const char* call, const char* file, int line,
                                          const char* name, const char* description) {
  throw CudaError(std::string(file) + ":" + std::to_string(line) + ": " + call +
                  " failed: " + name + " (" + description + ")");
}

inline void check_cuda(cudaError_t status, const char* call, const char* file, int line) {
  if (status != cudaSuccess) {
    throw_cuda_error(call, file, line, cudaGetErrorName(status), cudaGetErrorString(status));
  }
}

inline void check_cublas(cublasStatus_t status, const char* call, const char* file, int line) {
  if (status != CUBLAS_STATUS_SUCCESS) {
    throw_cuda_error(call, file, line, cublasGetStatusName(status), cublasGetStatusString(status));
  }
}

inline void check_cusolver(cusolverStatus_t status, const char* call, const char* file, int line) {
  if (status != CUSOLVER_STATUS_SUCCESS) {
    const std::string number = "cusolverStatus_t " + std::to_string(static_cast<int>(status));
    throw_cuda_error(call, file, line, number.c_str(), "see cusolver_common.h");
  }
}

}  // namespace dynhat::kernels::cuda

#define DYNHAT_CUDA_CHECK(call) \
  ::dynhat::kernels::cuda::check_cuda((call), #call, __FILE__, __LINE__)
#define DYNHAT_CUBLAS_CHECK(call) \
  ::dynhat::kernels::cuda::check_cublas((call), #call, __FILE__, __LINE__)
#define DYNHAT_CUSOLVER_CHECK(call) \
  ::dynhat::kernels::cuda::check_cusolver((call), #call, __FILE__, __LINE__)
/// After each kernel launch: a bad launch configuration is reported here, not at the next call.
#define DYNHAT_CUDA_CHECK_LAUNCH() DYNHAT_CUDA_CHECK(cudaGetLastError())
