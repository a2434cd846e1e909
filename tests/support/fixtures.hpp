// Seeded test data with planted edge cases, and comparison helpers with stated tolerances.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "dynhat/error.hpp"
#include "dynhat/matrix.hpp"

namespace dynhat::testing {

/// Uniform [lo, hi) matrix from a fixed seed.
inline Matrix random_matrix(std::size_t rows, std::size_t cols, double lo, double hi,
                            std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  Matrix x(rows, cols);
  for (double& v : x.data) v = u(engine);
  return x;
}

inline std::vector<double> random_vector(std::size_t n, double lo, double hi, std::uint64_t seed) {
  return random_matrix(1, n, lo, hi, seed).data;
}

/// A migration matrix with planted zeros: ~30% zero entries, an all-zero column `m/2` (a market
/// nobody enters) and a row that only stays; rows sum to 1.
inline Matrix random_migration(std::size_t m, std::uint64_t seed) {
  Matrix mu = random_matrix(m, m, 0.0, 1.0, seed);
  std::mt19937_64 engine(seed + 1);
  std::bernoulli_distribution zero(0.3);
  for (std::size_t i = 0; i < m; ++i) {
    mu(i, i) += 0.5 * static_cast<double>(m);  // mostly staying, as quarterly flows do
    for (std::size_t k = 0; k < m; ++k) {
      if (k != i && zero(engine)) mu(i, k) = 0.0;
    }
  }
  if (m > 2) {
    for (std::size_t i = 0; i < m; ++i) {
      if (i != m / 2) mu(i, m / 2) = 0.0;
    }
    for (std::size_t k = 0; k < m; ++k) mu(1, k) = k == 1 ? 1.0 : 0.0;
  }
  for (std::size_t i = 0; i < m; ++i) {
    double s = 0.0;
    for (std::size_t k = 0; k < m; ++k) s += mu(i, k);
    for (std::size_t k = 0; k < m; ++k) mu(i, k) /= s;
  }
  return mu;
}

/// max_i |a_i - b_i| / max(max_i |b_i|, tiny): the normwise relative error of the parity tests.
inline double normwise_error(const std::vector<double>& a, const std::vector<double>& b) {
  EXPECT_EQ(a.size(), b.size());
  double diff = 0.0;
  double scale = 0.0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (std::isinf(a[i]) || std::isinf(b[i])) {
      EXPECT_EQ(a[i], b[i]) << "entry " << i;
      continue;
    }
    diff = std::max(diff, std::abs(a[i] - b[i]));
    scale = std::max(scale, std::abs(b[i]));
  }
  return diff / std::max(scale, 1e-300);
}

/// Largest relative entrywise error |a - b| / max(|b|, floor).
inline double max_relative_error(const std::vector<double>& a, const std::vector<double>& b,
                                 double floor = 1e-300) {
  EXPECT_EQ(a.size(), b.size());
  double worst = 0.0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    worst = std::max(worst, std::abs(a[i] - b[i]) / std::max(std::abs(b[i]), floor));
  }
  return worst;
}

/// The message of the InvalidInput (or subclass) that `f` throws; a test failure if it throws none.
template <class F>
std::string message_of(F f) {
  try {
    f();
  } catch (const InvalidInput& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InvalidInput thrown";
  return {};
}

/// A fresh scratch directory per test (under the system temp directory, named after the suite
/// and the test), removed afterwards; write() puts a text file there byte for byte.
class ScratchDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("dynhat-" + std::string(info->test_suite_name()) + "-" + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
    return dir_ / name;
  }
  std::filesystem::path dir_;
};

}  // namespace dynhat::testing
