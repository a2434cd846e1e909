// The on/off environment switches of the tests and benchmarks (DYNHAT_REQUIRE_GPU,
// DYNHAT_REQUIRE_DATA), all read one way: set to anything but "" or "0" means on.
#pragma once

#include <cstdlib>
#include <string>

namespace dynhat::testing {

inline bool env_flag(const char* name) {
  const char* flag = std::getenv(name);
  return flag != nullptr && std::string(flag) != "0" && std::string(flag) != "";
}

}  // namespace dynhat::testing
