#include "dynhat/ranks.hpp"

#include <algorithm>
#include <exception>
#include <string>

#include "dynhat/backend.hpp"
#include "dynhat/error.hpp"

namespace dynhat {

Block block_of(std::size_t count, int rank, int size) {
  const auto r = static_cast<std::size_t>(rank), n = static_cast<std::size_t>(size);
  // The first count % n blocks take one item more.
  const std::size_t base = count / n, extra = count % n;
  const std::size_t first = r * base + std::min(r, extra);
  return {first, first + base + (r < extra ? 1 : 0)};
}

int device_for_rank(const Ranks& ranks) {
  const int devices = cuda_device_count();
  return devices > 0 ? ranks.node_rank() % devices : 0;
}

void together(const Ranks* ranks, const std::function<void()>& step) {
  if (!ranks) return step();
  std::exception_ptr error;
  try {
    step();
  } catch (...) {
    error = std::current_exception();
  }
  const double failed = ranks->all_max(error ? ranks->rank() : -1.0);
  if (error) std::rethrow_exception(error);
  if (failed >= 0.0) {
    throw Error("rank " + std::to_string(static_cast<int>(failed)) +
                " failed (its own error says why)");
  }
}

}  // namespace dynhat
