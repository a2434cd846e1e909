// The one place that chooses a backend: every kernel of the list forwards to cpu:: or cuda::
// according to the context. Drivers and solvers call dynhat::kernels::<name> only.
#include "kernels/kernels.hpp"

namespace dynhat::kernels {

#define DYNHAT_DISPATCH_KERNEL(ret, name, params, args)                       \
  ret name params {                                                           \
    return ctx.backend() == Backend::cuda ? cuda::name args : cpu::name args; \
  }

DYNHAT_KERNEL_LIST(DYNHAT_DISPATCH_KERNEL)

#undef DYNHAT_DISPATCH_KERNEL

}  // namespace dynhat::kernels
