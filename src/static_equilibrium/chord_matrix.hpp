// The chord (frozen-Jacobian Newton) step of the factor-price iteration: the inverse Jacobian
// of the excess demand F(u) = log omegatilde(u) - u (u = log omega, MODEL.md 5.1 step 2d) at an
// equilibrium state, linearised through the price fixed point (E14-E15), the trade shares (E16)
// and the expenditure system (E18) with the state's shares and expenditure held as the point of
// linearisation. Computed once (O((J N)^3), dense LU) and shared by every problem near that state:
// a dynamic path's dates are all near the base year, so one matrix preconditions all of them.
#pragma once

#include <cstddef>
#include <vector>

#include "dynhat/backend.hpp"
#include "dynhat/economy.hpp"
#include "runtime/device_array.hpp"

namespace dynhat::te {

/// The step du = K F of Newton's method at the state with trade shares `pi` ([J][N][N]) and
/// value added `VAL`, `VAR` ([J][N]). The unknowns are one factor price per mobile market and
/// one per country (n >= R): R J + N - R of them, K is stored for those (residuals of a country
/// are read at sector 0 and its step is the same for every sector). The equilibrium is
/// homogeneous of degree 1 in omega, so the Jacobian is singular along u + c; K inverts it with
/// the numeraire held fixed to first order (value-added weighted mean of du = 0, which Walras'
/// law makes consistent).
///
/// K is stored and applied in single precision. It only preconditions the iteration, whose fixed
/// point F = 0 is evaluated in double: K is the inverse Jacobian at the point of linearisation,
/// a few percent away from the states it serves, so its own error is ~1e-2, and rounding adds
/// ~1e-7 relative. Half the bytes per product: at T = 200 on the CDP China shock the 40,321
/// products took 3.8 s instead of 7.9 s, with the same passes per date.
///
/// K is computed on the host and kept on ctx's backend.
class ChordMatrix {
 public:
  ChordMatrix(const Context& ctx, const Economy& e, const std::vector<double>& pi,
              const std::vector<double>& VAL, const std::vector<double>& VAR);

  /// g[b] += K F[b] for `count` problems, F and g [count][J][N] on ctx's backend
  /// (kernels::te_chord_step).
  void step(std::size_t count, const double* F, double* g) const;

 private:
  const Context& ctx_;
  std::size_t J_, N_, R_;
  DeviceVector<float> K_;  // [R J + N - R]^2 column-major
};

}  // namespace dynhat::te
