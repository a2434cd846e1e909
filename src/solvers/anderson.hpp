// Anderson acceleration (type II, Walker & Ni 2011) of a fixed-point map x = G(x), with the
// iterates and their history on the context's backend; only k dot products travel to the host.
// A mixer may carry a batch of independent problems ("segments", stacked [segments][n]): each has
// its own history and coefficients, and its iterates do not depend on the other segments.
#pragma once

#include <cstddef>
#include <vector>

#include "runtime/device_array.hpp"

namespace dynhat {

class AndersonMixer {
 public:
  /// `segments` problems of `n` unknowns each, history of `memory` >= 1 differences.
  AndersonMixer(const Context& ctx, std::size_t n, int memory, std::size_t segments = 1);

  /// Given the iterates x and g = G(x), overwrites x with the next iterate
  /// x+ = g - dG gamma, gamma = argmin |f - dF gamma|_2, f = g - x (dF, dG: differences of the
  /// last `memory` residuals and map values), by a QR factorisation of dF. The first call is a
  /// plain Picard step. With `active` ([segments], nonzero = step), the other segments' x is left
  /// as it is and their history forgotten.
  void step(DeviceArray& x, const DeviceArray& g, const std::vector<unsigned char>& active = {});

  /// Forgets the history of every segment, or of segment `b` (its next step is a Picard step).
  void restart() noexcept;
  void restart(std::size_t b) noexcept;

 private:
  /// f = g - x into residual_; pushes the newest differences (df, dg) when a stepping segment has
  /// a previous step; x = g for the stepping segments (the others forget their history).
  void take_picard_step(DeviceArray& x, const DeviceArray& g,
                        const std::vector<unsigned char>& stepping);
  /// dF = Q R over the ring positions `ring` (oldest first): Q into q_, R into r_, kept_[p][b]
  /// != 0 where segment b keeps column p; columns before `reused` are kept from the last call.
  void factor_differences(const std::vector<std::size_t>& ring, std::size_t reused);
  /// gamma ([K][segments]) = R^{-1} Q^T f over the K columns; zero, and the segment restarted,
  /// where not finite.
  std::vector<double> coefficients(std::size_t K);
  /// R's entry (i, j) for segment b.
  double& R(std::size_t i, std::size_t j, std::size_t b) {
    return r_[(i * memory_ + j) * segments_ + b];
  }

  const Context* ctx_;
  std::size_t n_;
  std::size_t segments_;
  std::size_t memory_;
  std::size_t next_ = 0;                      // ring position written next (shared by the segments)
  std::vector<std::size_t> stored_;           // [segments] valid differences, the newest ones
  std::vector<unsigned char> have_previous_;  // [segments]
  DeviceArray residual_;                      // [segments][n] f = g - x
  DeviceArray prev_residual_;                 // [segments][n]
  DeviceArray prev_map_;                      // [segments][n]
  DeviceArray d_residual_;                    // [memory][segments][n] ring of residual differences
  DeviceArray d_map_;                         // [memory][segments][n] ring of map-value differences
  DeviceArray q_;                    // [memory][segments][n] orthonormal basis of kept differences
  DeviceArray zeros_;                // [segments][n] zeros, copied over unused columns of q_
  std::vector<double> r_;            // [memory][memory][segments] R of dF = Q R
  std::vector<unsigned char> kept_;  // [memory][segments]
  std::size_t factored_ = 0;         // leading columns of q_, r_, kept_ valid for the history
  bool pushed_ = false;              // the last Picard step appended a difference
};

}  // namespace dynhat
