// Input rules: each violation throws with the input, the entry and the rule in the message.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "dynhat/error.hpp"
#include "dynhat/household.hpp"
#include "dynhat/validate.hpp"
#include "support/fixtures.hpp"

namespace dynhat {
namespace {

using testing::message_of;

Matrix identity(std::size_t m) {
  Matrix x(m, m);
  for (std::size_t i = 0; i < m; ++i) x(i, i) = 1.0;
  return x;
}

TEST(Validation, MigrationMatrixRules) {
  Matrix mu = identity(3);
  mu(1, 0) = 0.07;  // row 1 sums to 1.07
  EXPECT_EQ(message_of([&] { require_migration_matrix(mu, "mu0.csv"); }),
            "mu0.csv row 1 sums to 1.0700000000000001, must be 1 +- 1e-09");
  mu = identity(3);
  mu(2, 2) = 1.0 + 5e-10;  // within 1e-9: accepted
  EXPECT_NO_THROW(require_migration_matrix(mu, "mu0.csv"));
  mu(2, 1) = -0.1;
  mu(2, 2) = 1.1;
  EXPECT_EQ(message_of([&] { require_migration_matrix(mu, "mu0.csv"); }),
            "mu0.csv row 2 column 1 is -0.1, must be >= 0");
  mu = identity(3);
  mu(0, 2) = NAN;
  EXPECT_NE(message_of([&] {
              require_migration_matrix(mu, "mu0.csv");
            }).find("row 0 column 2 is nan, must be finite"),
            std::string::npos);
  EXPECT_THROW(require_migration_matrix(Matrix(2, 3), "mu0.csv"), DimensionMismatch);
}

// A Matrix whose data does not hold rows x cols values (an overflowed shape gave an empty array
// the validators then read past): refused before any entry is read.
TEST(Validation, InconsistentMatricesAreRefused) {
  Matrix wrapped;
  wrapped.rows = std::size_t{1} << 32;
  wrapped.cols = std::size_t{1} << 32;  // rows * cols wraps to 0 = data.size()
  EXPECT_EQ(message_of([&] { require_migration_matrix(wrapped, "mu0.npy"); }),
            "mu0.npy is 4294967296 x 4294967296 but holds 0 values");
  Matrix short_data;
  short_data.rows = std::size_t{1} << 62;
  short_data.cols = 4;
  EXPECT_THROW(require_positive(short_data, "wage.npy"), DimensionMismatch);
  EXPECT_THROW(require_shape(short_data, 0, 4, "wage.npy"), DimensionMismatch);
  LevelsProblem levels;
  levels.tau = wrapped;
  levels.utility = Matrix(1, 1);
  levels.L0 = {1.0};
  EXPECT_THAT(message_of([&] { validate(levels, LevelsLabels{"tau.npy"}, 1); }),
              ::testing::HasSubstr("tau.npy is 4294967296 x 4294967296 but holds 0 values"));
}

TEST(Validation, LaborAndParameters) {
  EXPECT_EQ(message_of([] {
              require_labor({1.0, -2.0}, 2, "L0.csv");
            }),
            "L0.csv entry 1 is -2, must be finite and >= 0");
  EXPECT_EQ(message_of([] {
              require_labor({0.0, 0.0}, 2, "L0.csv");
            }),
            "L0.csv sums to 0, must have a positive total");
  EXPECT_THROW(require_labor({1.0}, 2, "L0.csv"), DimensionMismatch);
  EXPECT_EQ(message_of([] { require_beta(1.0, "--beta"); }), "--beta = 1 must be in [0, 1)");
  EXPECT_NO_THROW(require_beta(0.0));
  EXPECT_EQ(message_of([] { require_nu(0.0, "--nu"); }), "--nu = 0 must be finite and > 0");
  Matrix wage(2, 2, 1.0);
  wage(1, 0) = 0.0;
  EXPECT_EQ(message_of([&] { require_positive(wage, "wage.csv"); }),
            "wage.csv row 1 column 0 is 0, must be > 0");
}

TEST(Validation, SolversRejectInconsistentProblems) {
  const Context ctx(Backend::cpu);
  HatProblem hat;
  hat.mu0 = identity(3);
  hat.L0 = {1.0, 1.0, 1.0};
  hat.real_wage = Matrix(5, 4, 1.0);  // 4 columns for 3 markets
  EXPECT_THROW(solve_household_hat(ctx, hat), DimensionMismatch);
  hat.real_wage = Matrix(1, 3, 1.0);  // T = 1
  EXPECT_THROW(solve_household_hat(ctx, hat), DimensionMismatch);
  LevelsProblem levels;
  levels.tau = Matrix(3, 3);
  levels.utility = Matrix(4, 3);
  levels.L0 = {1.0, 1.0};
  EXPECT_THROW(solve_household_levels(ctx, levels), DimensionMismatch);
}

}  // namespace
}  // namespace dynhat
