// A dense row-major host matrix of doubles: the exchange type of the public API.
#pragma once

#include <cstddef>
#include <vector>

namespace dynhat {

/// [rows][cols] row-major; element (r, c) at data[r * cols + c].
struct Matrix {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<double> data;

  Matrix() = default;
  Matrix(std::size_t r, std::size_t c, double value = 0.0) : rows(r), cols(c), data(r * c, value) {}

  double& operator()(std::size_t r, std::size_t c) { return data[r * cols + c]; }
  double operator()(std::size_t r, std::size_t c) const { return data[r * cols + c]; }
  const double* row(std::size_t r) const { return data.data() + r * cols; }
  double* row(std::size_t r) { return data.data() + r * cols; }
  std::size_t size() const { return data.size(); }
};

}  // namespace dynhat
