// Backend names and the execution context.
#include "dynhat/backend.hpp"

#include <string>

#include "dynhat/error.hpp"
#include "kernels/cuda_runtime.hpp"

namespace dynhat {

Backend parse_backend(std::string_view name, std::string_view what) {
  if (name == "cpu") return Backend::cpu;
  if (name == "cuda") return Backend::cuda;
  throw InvalidInput(std::string(what) + " '" + std::string(name) +
                     "' is unknown: use cpu or cuda");
}

std::string_view to_string(Backend backend) noexcept {
  return backend == Backend::cuda ? "cuda" : "cpu";
}

int cuda_device_count() noexcept {
  return kernels::cuda::device_count();
}
bool cuda_compiled() noexcept {
  return kernels::cuda::compiled();
}
std::string cuda_device_name(int device) {
  return kernels::cuda::device_name(device);
}

void detail::CudaResourcesDeleter::operator()(CudaResources* resources) const noexcept {
  kernels::cuda::destroy_resources(resources);
}

Context::Context(Backend backend, int device)
    : backend_(backend), device_(backend == Backend::cuda ? device : 0) {
  if (backend_ == Backend::cuda) cuda_.reset(kernels::cuda::create_resources(device_));
}

Context::~Context() = default;
Context::Context(Context&&) noexcept = default;
Context& Context::operator=(Context&&) noexcept = default;

void Context::synchronize() const {
  if (backend_ == Backend::cuda) kernels::cuda::synchronize(*this);
}

}  // namespace dynhat
