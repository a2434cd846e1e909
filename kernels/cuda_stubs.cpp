// Build without CUDA: every CUDA entry exists and throws NotCompiled, so code written against
// the kernel list links unchanged and asking for the CUDA backend fails with a clear message.
#include "dynhat/error.hpp"
#include "kernels/cuda_runtime.hpp"
#include "kernels/kernels.hpp"

// The stubs are stamped from the kernel list with named parameters they never read.
#pragma GCC diagnostic ignored "-Wunused-parameter"

namespace dynhat::kernels::cuda {

namespace {
[[noreturn]] void not_compiled() {
  throw NotCompiled(
      "dynhat was built without the CUDA backend (configure with -DDYNHAT_ENABLE_CUDA=ON)");
}
}  // namespace

#define DYNHAT_STUB_KERNEL(ret, name, params, args) \
  ret name params {                                 \
    not_compiled();                                 \
  }

DYNHAT_KERNEL_LIST(DYNHAT_STUB_KERNEL)

#undef DYNHAT_STUB_KERNEL

detail::CudaResources* create_resources(int /*device*/) {
  not_compiled();
}
void destroy_resources(detail::CudaResources* /*resources*/) noexcept {}
void synchronize(const Context& /*ctx*/) {
  not_compiled();
}
int device_count() noexcept {
  return 0;
}
std::string unavailable_reason(int /*device*/) {
  return "dynhat was built without the CUDA backend";
}
std::string device_name(int /*device*/) {
  return {};
}
bool compiled() noexcept {
  return false;
}

}  // namespace dynhat::kernels::cuda
