// Anderson acceleration (type II, Walker & Ni 2011) of a fixed-point map x = G(x), with the
// iterates and their history on the context's backend; only k dot products travel to the host.
#pragma once

#include <cstddef>
#include <vector>

#include "device_array.hpp"

namespace dynhat {

class AndersonMixer {
 public:
  /// `n` unknowns, history of `memory` >= 1 differences.
  AndersonMixer(const Context& ctx, std::size_t n, int memory);

  /// Given the iterate x and g = G(x), overwrites x with the next iterate
  /// x+ = g - dG gamma, gamma = argmin |f - dF gamma|_2, f = g - x (dF, dG: differences of the
  /// last `memory` residuals and map values), by a QR factorisation of dF. The first call is a
  /// plain Picard step.
  void step(DeviceArray& x, const DeviceArray& g);

  /// Forgets the history (next step is a Picard step).
  void restart() noexcept {
    stored_ = 0;
    have_previous_ = false;
  }

 private:
  const Context* ctx_;
  std::size_t n_;
  std::size_t memory_;
  std::size_t stored_ = 0;  // valid rows of dF, dG
  std::size_t next_ = 0;    // ring position written next
  bool have_previous_ = false;
  DeviceArray residual_;       // [n] f = g - x
  DeviceArray prev_residual_;  // [n]
  DeviceArray prev_map_;       // [n]
  DeviceArray d_residual_;     // [memory][n] ring of residual differences
  DeviceArray d_map_;          // [memory][n] ring of map-value differences
  DeviceArray q_;              // [memory][n] orthonormal basis of the kept residual differences
};

}  // namespace dynhat
