// GPU parity tests skip loudly without a device, or fail when DYNHAT_REQUIRE_GPU=1.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "dynhat/backend.hpp"

namespace dynhat::testing {

inline bool gpu_required() {
  const char* flag = std::getenv("DYNHAT_REQUIRE_GPU");
  return flag != nullptr && std::string(flag) != "0" && std::string(flag) != "";
}

class BackendParity : public ::testing::Test {
 protected:
  void SetUp() override {
    if (cuda_device_count() > 0) return;
    if (gpu_required()) {
      FAIL() << "DYNHAT_REQUIRE_GPU=1 but no CUDA device is usable (CUDA backend compiled: "
             << (cuda_compiled() ? "yes" : "no") << ")";
    }
    std::fprintf(stderr,
                 "\n*** SKIPPED: no CUDA device, CUDA-vs-CPU parity NOT checked (set "
                 "DYNHAT_REQUIRE_GPU=1 to make this a failure) ***\n");
    GTEST_SKIP() << "no CUDA device: parity test skipped";
  }
};

}  // namespace dynhat::testing
