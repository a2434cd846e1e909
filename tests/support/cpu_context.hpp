// The CPU context of tests and benchmarks that solve on the host.
#pragma once

#include "dynhat/backend.hpp"

namespace dynhat::testing {

inline const Context& cpu_context() {
  static const Context context(Backend::cpu);
  return context;
}

}  // namespace dynhat::testing
