// The fields in a fixed order, each number in its native bytes and each array length-prefixed:
// the writer and the reader are the same build, so no byte order or versioning is needed.
#include "sweep/path_bytes.hpp"

#include <cstring>
#include <type_traits>

#include "dynhat/error.hpp"

namespace dynhat::sweep {

namespace {

class Writer {
 public:
  template <class T>
  void put(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    bytes_.append(reinterpret_cast<const char*>(&value), sizeof value);
  }
  void put(const std::vector<double>& values) {
    put(values.size());
    bytes_.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(double));
  }
  void put(const Matrix& x) {
    put(x.rows);
    put(x.cols);
    put(x.data);
  }
  void put(const HostTransfers& t) {
    put(t.synchronisations);
    put(t.bytes);
    put(t.largest);
  }
  std::string take() { return std::move(bytes_); }

 private:
  std::string bytes_;
};

class Reader {
 public:
  explicit Reader(const std::string& bytes) : bytes_(bytes) {}
  template <class T>
  void get(T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    std::memcpy(&value, take(sizeof value), sizeof value);
  }
  void get(std::vector<double>& values) {
    std::size_t n = 0;
    get(n);
    if (n > (bytes_.size() - at_) / sizeof(double)) fail();
    values.resize(n);
    if (n > 0) std::memcpy(values.data(), take(n * sizeof(double)), n * sizeof(double));
  }
  void get(Matrix& x) {
    get(x.rows);
    get(x.cols);
    get(x.data);
    if (x.data.size() != x.rows * x.cols) fail();
  }
  void get(HostTransfers& t) {
    get(t.synchronisations);
    get(t.bytes);
    get(t.largest);
  }
  bool done() const { return at_ == bytes_.size(); }

 private:
  const char* take(std::size_t n) {
    if (n > bytes_.size() - at_) fail();
    const char* p = bytes_.data() + at_;
    at_ += n;
    return p;
  }
  [[noreturn]] static void fail() {
    throw Error("a solved path's bytes are truncated or malformed");
  }
  const std::string& bytes_;
  std::size_t at_ = 0;
};

/// Every field of `p` (a PathSolution, const or not) passed to `f`, in one order for both ways.
template <class Path, class F>
void each_field(Path& p, F&& f) {
  f(p.Y);
  f(p.Y_relative);
  f(p.L);
  f(p.real_wage);
  f(p.stay);
  f(p.omega);
  f(p.price_index);
  f(p.report.converged);
  f(p.report.iterations);
  f(p.report.residual);
  f(p.report.residual_history);
  f(p.report.seconds);
  f(p.te_residual);
  f(p.te_converged);
  f(p.te_iterations);
  f(p.te_passes_first);
  f(p.te_passes_warm);
  f(p.te_seconds);
  f(p.te_host_transfers);
  f(p.host_transfers);
}

}  // namespace

std::string path_to_bytes(const PathSolution& p) {
  Writer w;
  each_field(p, [&](const auto& x) { w.put(x); });
  return w.take();
}

PathSolution path_from_bytes(const std::string& bytes) {
  PathSolution p;
  Reader r(bytes);
  each_field(p, [&](auto& x) { r.get(x); });
  if (!r.done()) throw Error("a solved path's bytes hold more than one path");
  return p;
}

}  // namespace dynhat::sweep
