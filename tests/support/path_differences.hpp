// Differences between two solved dynamic paths, for the tests that compare solvers.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "dynhat/dynamic.hpp"

namespace dynhat::testing {

/// Largest |a - b| over the entries (a size mismatch is a test failure).
inline double max_abs_diff(const Matrix& a, const Matrix& b) {
  EXPECT_EQ(a.size(), b.size());
  double worst = 0.0;
  for (std::size_t k = 0; k < a.size() && k < b.size(); ++k)
    worst = std::max(worst, std::abs(a.data[k] - b.data[k]));
  return worst;
}

/// Largest |a - b| over every path of a solution (labor relative to `total`, the sum of L0).
inline double largest_path_difference(const PathSolution& a, const PathSolution& b, double total) {
  return std::max({max_abs_diff(a.Y, b.Y), max_abs_diff(a.L, b.L) / total,
                   max_abs_diff(a.real_wage, b.real_wage), max_abs_diff(a.omega, b.omega),
                   max_abs_diff(a.price_index, b.price_index), max_abs_diff(a.stay, b.stay)});
}

}  // namespace dynhat::testing
