// What the MPI files share (built with DYNHAT_ENABLE_MPI only): MPI initialised for a scope when
// the caller has not (and then finalised at its end), and bytes broadcast in int-sized pieces.
#pragma once

#include <mpi.h>

#include <algorithm>
#include <string>

#include "dynhat/error.hpp"

namespace dynhat {

class MpiScope {
 public:
  /// `need`: the thread level the caller needs (MPI_THREAD_SERIALIZED: one thread calls MPI at a
  /// time, possibly not the main one).
  explicit MpiScope(int need = MPI_THREAD_SERIALIZED) {
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (initialised) return;
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, need, &provided);
    owned_ = true;
    if (provided < need) {
      MPI_Finalize();
      throw Error("this MPI provides a lower thread level than dynhat needs (" +
                  std::to_string(provided) + " < " + std::to_string(need) + ")");
    }
  }
  ~MpiScope() {
    if (owned_) MPI_Finalize();
  }
  MpiScope(const MpiScope&) = delete;
  MpiScope& operator=(const MpiScope&) = delete;

 private:
  bool owned_ = false;
};

/// `bytes` of rank `root` on every rank of `comm` (resized to them). MPI counts are ints: large
/// messages (mu0 at M = 20,000 is 3.2 GB) go in pieces of 1 GiB.
inline void broadcast_bytes(std::string& bytes, int root, MPI_Comm comm) {
  unsigned long long size = bytes.size();
  MPI_Bcast(&size, 1, MPI_UNSIGNED_LONG_LONG, root, comm);
  bytes.resize(size);
  constexpr std::size_t kPiece = std::size_t{1} << 30;
  for (std::size_t at = 0; at < bytes.size(); at += kPiece) {
    const int count = static_cast<int>(std::min(kPiece, bytes.size() - at));
    MPI_Bcast(bytes.data() + at, count, MPI_CHAR, root, comm);
  }
}

}  // namespace dynhat
