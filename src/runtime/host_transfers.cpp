// The per-thread count of host transfers (host_transfers.hpp), fed by the synchronising kernels
// of both backends through kernels::count_host_transfer.
#include "runtime/host_transfers.hpp"

#include <algorithm>

#include "kernels/kernels.hpp"

namespace dynhat {

namespace {
/// Totals since the thread started; `largest` since the innermost meter started.
thread_local HostTransfers this_thread;
}  // namespace

HostTransfers& HostTransfers::operator+=(const HostTransfers& other) noexcept {
  synchronisations += other.synchronisations;
  bytes += other.bytes;
  largest = std::max(largest, other.largest);
  return *this;
}

HostTransferMeter::HostTransferMeter() noexcept : start_(this_thread) {
  this_thread.largest = 0;
}

HostTransferMeter::~HostTransferMeter() {
  this_thread.largest = std::max(this_thread.largest, start_.largest);
}

HostTransfers HostTransferMeter::read() const noexcept {
  return {this_thread.synchronisations - start_.synchronisations, this_thread.bytes - start_.bytes,
          this_thread.largest};
}

void kernels::count_host_transfer(std::size_t bytes) noexcept {
  ++this_thread.synchronisations;
  this_thread.bytes += static_cast<long>(bytes);
  this_thread.largest = std::max(this_thread.largest, static_cast<long>(bytes));
}

}  // namespace dynhat
