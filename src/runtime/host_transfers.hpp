// Measuring the host transfers (dynhat/backend.hpp) of a stretch of code on the calling thread.
#pragma once

#include "dynhat/backend.hpp"

namespace dynhat {

/// Counts what the calling thread brings to the host from construction on. Meters nest. The
/// count is thread-local: the CPU backend solves independent groups of problems on several
/// threads at once, each measuring its own; a CUDA context is driven by one host thread.
class HostTransferMeter {
 public:
  HostTransferMeter() noexcept;
  ~HostTransferMeter();
  HostTransferMeter(const HostTransferMeter&) = delete;
  HostTransferMeter& operator=(const HostTransferMeter&) = delete;

  /// The transfers since construction.
  HostTransfers read() const noexcept;

 private:
  HostTransfers start_;
};

}  // namespace dynhat
