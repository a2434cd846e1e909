// GPU parity tests skip loudly without a device, or fail when DYNHAT_REQUIRE_GPU=1.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "support/gpu_requirement.hpp"

namespace dynhat::testing {

class BackendParity : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string reason = gpu_unavailable_reason();
    if (reason.empty()) return;
    if (gpu_required())
      FAIL() << "DYNHAT_REQUIRE_GPU is set but no CUDA device is usable: " << reason;
    std::fprintf(stderr,
                 "\n*** SKIPPED: no CUDA device (%s), CUDA-vs-CPU parity NOT checked (set "
                 "DYNHAT_REQUIRE_GPU=1 to make this a failure) ***\n",
                 reason.c_str());
    GTEST_SKIP() << "no CUDA device (" << reason << "): parity test skipped";
  }
};

}  // namespace dynhat::testing
