#include "dynhat/validate.hpp"

#include <fmt/format.h>

#include <cmath>

#include "dynhat/error.hpp"

namespace dynhat {

namespace {
constexpr double kRowSumTolerance = 1e-9;

/// The validators index x(r, c) for r < rows, c < cols: data must hold all of them.
void require_consistent(const Matrix& x, std::string_view label) {
  if (!x.consistent()) {
    throw DimensionMismatch(
        fmt::format("{} is {} x {} but holds {} values", label, x.rows, x.cols, x.data.size()));
  }
}
}  // namespace

void require_finite(const Matrix& x, std::string_view label) {
  require_consistent(x, label);
  for (std::size_t r = 0; r < x.rows; ++r) {
    for (std::size_t c = 0; c < x.cols; ++c) {
      if (!std::isfinite(x(r, c))) {
        throw InvalidInput(
            fmt::format("{} row {} column {} is {}, must be finite", label, r, c, x(r, c)));
      }
    }
  }
}

void require_shape(const Matrix& x, std::size_t rows, std::size_t cols, std::string_view label) {
  require_consistent(x, label);
  if ((rows != 0 && x.rows != rows) || (cols != 0 && x.cols != cols)) {
    throw DimensionMismatch(fmt::format("{} is {} x {}, must be {} x {}", label, x.rows, x.cols,
                                        rows != 0 ? fmt::format("{}", rows) : "any",
                                        cols != 0 ? fmt::format("{}", cols) : "any"));
  }
}

void require_migration_matrix(const Matrix& mu, std::string_view label) {
  require_consistent(mu, label);
  if (mu.rows == 0 || mu.rows != mu.cols) {
    throw DimensionMismatch(
        fmt::format("{} is {} x {}, must be a non-empty square matrix", label, mu.rows, mu.cols));
  }
  require_finite(mu, label);
  for (std::size_t r = 0; r < mu.rows; ++r) {
    double sum = 0.0;
    for (std::size_t c = 0; c < mu.cols; ++c) {
      if (mu(r, c) < 0.0) {
        throw InvalidInput(
            fmt::format("{} row {} column {} is {}, must be >= 0", label, r, c, mu(r, c)));
      }
      sum += mu(r, c);
    }
    if (std::abs(sum - 1.0) > kRowSumTolerance) {
      throw InvalidInput(fmt::format("{} row {} sums to {:.17g}, must be 1 +- {:g}", label, r, sum,
                                     kRowSumTolerance));
    }
  }
}

void require_labor(const std::vector<double>& L, std::size_t size, std::string_view label) {
  if (L.size() != size) {
    throw DimensionMismatch(fmt::format("{} has {} entries, must have {}", label, L.size(), size));
  }
  double total = 0.0;
  for (std::size_t i = 0; i < L.size(); ++i) {
    if (!std::isfinite(L[i]) || L[i] < 0.0) {
      throw InvalidInput(fmt::format("{} entry {} is {}, must be finite and >= 0", label, i, L[i]));
    }
    total += L[i];
  }
  if (!(total > 0.0))
    throw InvalidInput(fmt::format("{} sums to 0, must have a positive total", label));
}

void require_beta(double beta, std::string_view label) {
  if (!(beta >= 0.0 && beta < 1.0)) {
    throw InvalidInput(fmt::format("{} = {} must be in [0, 1)", label, beta));
  }
}

void require_nu(double nu, std::string_view label) {
  if (!(nu > 0.0 && std::isfinite(nu))) {
    throw InvalidInput(fmt::format("{} = {} must be finite and > 0", label, nu));
  }
}

void require_positive(const Matrix& x, std::string_view label) {
  require_finite(x, label);
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!(x.data[i] > 0.0)) {
      throw InvalidInput(fmt::format("{} row {} column {} is {}, must be > 0", label, i / x.cols,
                                     i % x.cols, x.data[i]));
    }
  }
}

void validate(const LevelsProblem& problem, const LevelsLabels& labels, std::size_t periods) {
  require_consistent(problem.tau, labels.tau);
  require_consistent(problem.utility, labels.utility);
  const std::size_t m = problem.tau.rows;
  if (m == 0 || problem.tau.cols != m) {
    throw DimensionMismatch(fmt::format("{} is {} x {}, must be a non-empty square matrix",
                                        labels.tau, m, problem.tau.cols));
  }
  require_finite(problem.tau, labels.tau);
  if (problem.utility.rows == 0) {
    throw DimensionMismatch(fmt::format("{} has no rows, needs T >= 1", labels.utility));
  }
  require_shape(problem.utility, periods, m, labels.utility);
  require_finite(problem.utility, labels.utility);
  require_labor(problem.L0, m, labels.L0);
  require_beta(problem.beta, labels.beta);
  require_nu(problem.nu, labels.nu);
}

void require_migration_matrix(const SparseMatrix& mu, std::string_view label) {
  if (!mu.consistent()) {
    throw DimensionMismatch(fmt::format(
        "{} breaks the CSR rules (row starts, column bounds, ascending columns)", label));
  }
  if (mu.rows == 0 || mu.rows != mu.cols) {
    throw DimensionMismatch(
        fmt::format("{} is {} x {}, must be a non-empty square matrix", label, mu.rows, mu.cols));
  }
  for (std::size_t r = 0; r < mu.rows; ++r) {
    double sum = 0.0;
    for (auto e = static_cast<std::size_t>(mu.row_start[r]);
         e < static_cast<std::size_t>(mu.row_start[r + 1]); ++e) {
      const double v = mu.values[e];
      if (!std::isfinite(v) || v < 0.0) {
        throw InvalidInput(fmt::format("{} row {} column {} is {}, must be finite and >= 0", label,
                                       r, mu.columns[e], v));
      }
      sum += v;
    }
    if (std::abs(sum - 1.0) > kRowSumTolerance) {
      throw InvalidInput(fmt::format("{} row {} sums to {:.17g}, must be 1 +- {:g}", label, r, sum,
                                     kRowSumTolerance));
    }
  }
}

void validate(const HatProblem& problem, const HatLabels& labels) {
  const bool sparse = problem.sparse();
  if (sparse) {
    require_migration_matrix(problem.mu0_sparse, labels.mu0);
  } else {
    require_migration_matrix(problem.mu0, labels.mu0);
  }
  const std::size_t m = sparse ? problem.mu0_sparse.rows : problem.mu0.rows;
  require_labor(problem.L0, m, labels.L0);
  if (problem.real_wage.rows < 2) {
    throw DimensionMismatch(fmt::format("{} has {} rows, needs T >= 2 slots", labels.real_wage,
                                        problem.real_wage.rows));
  }
  require_shape(problem.real_wage, 0, m, labels.real_wage);
  require_positive(problem.real_wage, labels.real_wage);
  require_beta(problem.beta, labels.beta);
  require_nu(problem.nu, labels.nu);
}

}  // namespace dynhat
