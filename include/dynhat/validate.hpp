// Input rules of the household problems. Each check throws InvalidInput (or DimensionMismatch)
// whose message names the input (`label`: a file name or an argument), the entry and the rule.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dynhat/household.hpp"
#include "dynhat/matrix.hpp"

namespace dynhat {

/// Every entry finite (no NaN, no Inf).
void require_finite(const Matrix& x, std::string_view label);
/// A square migration matrix: entries >= 0, every row summing to 1 within 1e-9.
void require_migration_matrix(const Matrix& mu, std::string_view label);
/// The same rules for a sparse mu (its stored entries; the CSR shape rules first).
void require_migration_matrix(const SparseMatrix& mu, std::string_view label);
/// Labor: finite, >= 0, with a positive total; `size` entries.
void require_labor(const std::vector<double>& L, std::size_t size, std::string_view label);
/// Discount factor in [0, 1).
void require_beta(double beta, std::string_view label = "beta");
/// Dispersion nu > 0 and finite.
void require_nu(double nu, std::string_view label = "nu");
/// Strictly positive entries (real-wage changes).
void require_positive(const Matrix& x, std::string_view label);
/// `x` has `rows` x `cols` (0 = any).
void require_shape(const Matrix& x, std::size_t rows, std::size_t cols, std::string_view label);

/// Names used in the messages: the library's argument names by default, file names in the CLI.
struct LevelsLabels {
  std::string tau = "tau", utility = "utility", L0 = "L0", beta = "beta", nu = "nu";
};
struct HatLabels {
  std::string mu0 = "mu0", L0 = "L0", real_wage = "real_wage", beta = "beta", nu = "nu";
};

/// All rules of a levels problem; `periods` > 0 also requires that many utility rows.
void validate(const LevelsProblem& problem, const LevelsLabels& labels = {},
              std::size_t periods = 0);
/// All rules of a hat-algebra problem.
void validate(const HatProblem& problem, const HatLabels& labels = {});

}  // namespace dynhat
