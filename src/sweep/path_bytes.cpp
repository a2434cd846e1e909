// Every field of a path, in one order both ways (runtime/byte_stream.hpp).
#include "sweep/path_bytes.hpp"

#include "runtime/byte_stream.hpp"

namespace dynhat::sweep {

namespace {

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
  f(p.te_host_transfers.synchronisations);
  f(p.te_host_transfers.bytes);
  f(p.te_host_transfers.largest);
  f(p.host_transfers.synchronisations);
  f(p.host_transfers.bytes);
  f(p.host_transfers.largest);
}

}  // namespace

std::string path_to_bytes(const PathSolution& p) {
  ByteWriter w;
  each_field(p, [&](const auto& x) { w.put(x); });
  return w.take();
}

PathSolution path_from_bytes(const std::string& bytes) {
  PathSolution p;
  ByteReader r(bytes, "a solved path's bytes");
  each_field(p, [&](auto& x) { r.get(x); });
  r.finish();
  return p;
}

}  // namespace dynhat::sweep
