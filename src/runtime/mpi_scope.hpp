// MPI initialised for a scope when the caller has not, and then finalised at its end (files built
// with DYNHAT_ENABLE_MPI only).
#pragma once

#include <mpi.h>

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

}  // namespace dynhat
