// A dense row-major host matrix of doubles: the exchange type of the public API.
#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "dynhat/error.hpp"

namespace dynhat {

/// [rows][cols] row-major; element (r, c) at data[r * cols + c].
struct Matrix {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<double> data;

  Matrix() = default;
  Matrix(std::size_t r, std::size_t c, double value = 0.0)
      : rows(r), cols(c), data(checked_size(r, c), value) {}

  double& operator()(std::size_t r, std::size_t c) { return data[r * cols + c]; }
  double operator()(std::size_t r, std::size_t c) const { return data[r * cols + c]; }
  const double* row(std::size_t r) const { return data.data() + r * cols; }
  double* row(std::size_t r) { return data.data() + r * cols; }
  std::size_t size() const { return data.size(); }
  /// data holds exactly rows * cols entries (a Matrix built field by field may not).
  bool consistent() const {
    return (cols == 0 || rows <= std::numeric_limits<std::size_t>::max() / cols) &&
           data.size() == rows * cols;
  }

 private:
  /// r * c, refusing a product that wraps around 2^64 (it would give a small, wrong array).
  static std::size_t checked_size(std::size_t r, std::size_t c) {
    if (c != 0 && r > std::numeric_limits<std::size_t>::max() / sizeof(double) / c) {
      throw DimensionMismatch("a " + std::to_string(r) + " x " + std::to_string(c) +
                              " matrix has more entries than memory can address");
    }
    return r * c;
  }
};

}  // namespace dynhat
