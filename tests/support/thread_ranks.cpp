#include "support/thread_ranks.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace dynhat::testing {

namespace {

/// What the ranks of one run share: a barrier and each rank's contribution to a collective.
struct Hub {
  explicit Hub(int ranks)
      : size(ranks), buffers(static_cast<std::size_t>(ranks)), values(buffers.size()) {}
  const int size;
  std::mutex mutex;
  std::condition_variable arrived_all;
  int arrived = 0;
  long generation = 0;
  std::vector<const double*> buffers;  // [size] each rank's `mine` in an all_gather
  std::vector<double> values;          // [size] each rank's scalar in a reduction
  const std::string* text = nullptr;   // rank 0's bytes in a broadcast
};

class ThreadRank final : public Ranks {
 public:
  ThreadRank(Hub& hub, int rank) : hub_(hub), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return hub_.size; }
  int node_rank() const override { return rank_; }  // one process: one node

  void all_gather(const double* mine, const std::vector<std::size_t>& counts,
                  double* all) const override {
    hub_.buffers[static_cast<std::size_t>(rank_)] = mine;
    wait();  // every rank's buffer is posted
    for (std::size_t r = 0; r < counts.size(); ++r) {
      std::copy(hub_.buffers[r], hub_.buffers[r] + counts[r], all);
      all += counts[r];
    }
    wait();  // every rank has copied: the buffers may go
  }

  double all_max(double x) const override {
    return reduce(x, [](double a, double b) { return std::isnan(a) || a > b ? a : b; });
  }
  double all_sum(double x) const override {
    return reduce(x, [](double a, double b) { return a + b; });
  }
  void broadcast(std::string& bytes) const override {
    if (rank_ == 0) hub_.text = &bytes;
    wait();  // rank 0's text is posted
    if (rank_ != 0) bytes = *hub_.text;
    wait();  // every rank has copied it
  }

 private:
  template <class Op>
  double reduce(double x, Op op) const {
    hub_.values[static_cast<std::size_t>(rank_)] = x;
    wait();
    double out = hub_.values[0];
    for (std::size_t r = 1; r < hub_.values.size(); ++r) out = op(out, hub_.values[r]);
    wait();
    return out;
  }

  void wait() const {
    std::unique_lock<std::mutex> lock(hub_.mutex);
    const long generation = hub_.generation;
    if (++hub_.arrived == hub_.size) {
      hub_.arrived = 0;
      ++hub_.generation;
      hub_.arrived_all.notify_all();
    } else {
      hub_.arrived_all.wait(lock, [&] { return hub_.generation != generation; });
    }
  }

  Hub& hub_;
  const int rank_;
};

}  // namespace

void run_on_thread_ranks(int size, const std::function<void(const Ranks&)>& body) {
  Hub hub(size);
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(size));
  std::vector<std::thread> threads;
  for (int r = 0; r < size; ++r) {
    threads.emplace_back([&, r] {
      omp_set_num_threads(1);
      const ThreadRank rank(hub, r);
      try {
        body(rank);
      } catch (...) {
        errors[static_cast<std::size_t>(r)] = std::current_exception();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace dynhat::testing
