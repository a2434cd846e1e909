// Wall-clock seconds since construction on the steady clock: the one timer of the library and
// its tools (report.seconds, progress lines, the timings of the run manifest).
#pragma once

#include <chrono>

namespace dynhat {

class Stopwatch {
 public:
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace dynhat
