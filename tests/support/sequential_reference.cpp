// The sequential reference of the dynamic model (see sequential_reference.hpp): MODEL.md 5.2-5.3
// literally. Cost per outer iteration: O(T M^2) for the migration and labor paths and T - 2
// temporary equilibria solved one after the other (each state depends on the previous one).
//
// Numerical notes: the replication's NaN -> 0 rule is applied where MODEL.md section 9 says so
// (mu ratios and trade-share ratios, 0/0 and Inf * 0); a 0/0 labor ratio is 1; a migration row
// that sums to 0 (or not to a finite number) before normalising throws instead of giving NaN.
#include "support/sequential_reference.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <utility>

#include "dynhat/error.hpp"
#include "dynhat/synthetic.hpp"
#include "runtime/stopwatch.hpp"
#include "support/cpu_context.hpp"

namespace dynhat::testing {

namespace {

/// Runs the temporary equilibria on one thread (and restores the caller's setting): on these
/// small economies an OpenMP team costs more than the work, and on a loaded machine a spinning
/// team's barriers can cost a scheduler time slice each (measured on 2 cores shared with other
/// jobs: 3 outer iterations took 71 s with 2 threads, 0.6 s with 1).
class SingleThreaded {
 public:
  SingleThreaded() : saved_(omp_get_max_threads()) { omp_set_num_threads(1); }
  ~SingleThreaded() { omp_set_num_threads(saved_); }
  SingleThreaded(const SingleThreaded&) = delete;
  SingleThreaded& operator=(const SingleThreaded&) = delete;

 private:
  int saved_;
};

double nan_to_zero(double x) {
  return std::isnan(x) ? 0.0 : x;
}

/// Row `t` of the [T][M] value path raised to beta, with the terminal convention Y_T = 1.
std::vector<double> y_power(const Matrix& Y, std::size_t t, double beta) {
  std::vector<double> out(Y.cols, 1.0);
  if (t >= Y.rows) return out;
  for (std::size_t m = 0; m < Y.cols; ++m) out[m] = std::pow(Y(t, m), beta);
  return out;
}

/// col(v): scales column m' of `a` by v[m'].
void scale_columns(Matrix& a, const std::vector<double>& v) {
  for (std::size_t r = 0; r < a.rows; ++r) {
    for (std::size_t c = 0; c < a.cols; ++c) a(r, c) *= v[c];
  }
}

/// rownorm: divides each row by its sum; a row without a positive finite sum throws.
void normalise_rows(Matrix& a, const char* what, std::size_t slot) {
  for (std::size_t r = 0; r < a.rows; ++r) {
    double sum = 0.0;
    for (std::size_t c = 0; c < a.cols; ++c) sum += a(r, c);
    if (!(sum > 0.0) || !std::isfinite(sum)) {
      std::ostringstream message;
      message << "sequential reference: " << what << " at slot " << slot << ", row " << r
              << " sums to " << sum << " before normalising, must be positive and finite";
      throw Error(message.str());
    }
    for (std::size_t c = 0; c < a.cols; ++c) a(r, c) /= sum;
  }
}

/// L_{t+1} = mu_t^T L_t (E13, E29): next[m'] = sum_m mu[m][m'] L[m].
void advance_labor(const Matrix& mu, const Matrix& L, std::size_t t, Matrix& out) {
  for (std::size_t c = 0; c < mu.cols; ++c) {
    double sum = 0.0;
    for (std::size_t r = 0; r < mu.rows; ++r) sum += mu(r, c) * L(t, r);
    out(t + 1, c) = sum;
  }
}

/// [J][N] Ldot for the temporary equilibrium at slot t: L_t / L_{t-1} of market
/// m = n (J+1) + 1 + j for mobile n (0/0 -> 1), 1 for countries.
std::vector<double> labor_change(const Economy& e, const Matrix& L, std::size_t t) {
  const std::size_t J = e.sectors, N = e.regions;
  std::vector<double> out(J * N, 1.0);
  for (std::size_t j = 0; j < J; ++j) {
    for (std::size_t n = 0; n < e.mobile_regions; ++n) {
      const std::size_t m = n * (J + 1) + 1 + j;
      if (L(t, m) == 0.0 && L(t - 1, m) == 0.0) continue;
      out[j * N + n] = L(t, m) / L(t - 1, m);
    }
  }
  return out;
}

/// Row t of a [T][M] real-wage path from a temporary equilibrium: real_wage of (j, n) for
/// m = n (J+1) + 1 + j, 1 for non-employment.
void store_real_wage(const Economy& e, const StaticSolution& s, std::size_t t, Matrix& out) {
  const std::size_t J = e.sectors, N = e.regions;
  for (std::size_t n = 0; n < e.mobile_regions; ++n) {
    out(t, n * (J + 1)) = 1.0;
    for (std::size_t j = 0; j < J; ++j) out(t, n * (J + 1) + 1 + j) = s.real_wage[j * N + n];
  }
}

/// Slot 0's temporary equilibrium: the base year itself, every change 1.
StaticSolution base_year_solution(const DynamicModel& model) {
  const std::size_t jn = model.economy.sectors * model.economy.regions;
  StaticSolution s;
  s.omega.assign(jn, 1.0);
  s.wage.assign(jn, 1.0);
  s.sector_prices.assign(jn, 1.0);
  s.price_index.assign(model.economy.regions, 1.0);
  s.real_wage.assign(jn, 1.0);
  s.trade_shares = model.base_year.trade_shares;
  s.VAL = model.base_year.VAL;
  s.VAR = model.base_year.VAR;
  s.report.converged = true;
  return s;
}

/// One temporary equilibrium of the chain; throws NotConverged when solve_static stops at its cap.
StaticSolution solve_te(const DynamicModel& model, const ReferenceState& state,
                        const StaticShock& shock, const StaticOptions& options, const char* path,
                        std::size_t slot, int iteration) {
  StaticSolution s = solve_static(testing::cpu_context(), model.economy, state, shock, options);
  if (!s.report.converged) {
    std::ostringstream message;
    message << "sequential reference " << path << ": temporary equilibrium of slot " << slot
            << " (outer iteration " << iteration << ") stopped at residual " << s.report.residual
            << " after " << s.report.iterations << " iterations (tol " << options.tol << ")";
    throw NotConverged(message.str());
  }
  return s;
}

ReferenceState state_of(const StaticSolution& s) {
  return {s.trade_shares, s.VAL, s.VAR};
}

/// err = max over slots t >= 1 and markets of |Y_new - Y|; then Y <- (Y_new + Y)/2.
double relax(const Matrix& Y_new, Matrix& Y) {
  double err = 0.0;
  for (std::size_t t = 1; t < Y.rows; ++t) {
    for (std::size_t m = 0; m < Y.cols; ++m) {
      err = std::max(err, std::abs(Y_new(t, m) - Y(t, m)));
      Y(t, m) = 0.5 * (Y_new(t, m) + Y(t, m));
    }
  }
  return err;
}

/// Row t of the value update (E12, E28): Y_new_t = C_t^{1/nu} sum_m' weight[m][m'] Y_{t+1}^beta.
void update_values(const Matrix& weight, const Matrix& C, const Matrix& Y, std::size_t t,
                   const DynamicModel& model, Matrix& Y_new) {
  const std::vector<double> ahead = y_power(Y, t + 1, model.beta);
  for (std::size_t m = 0; m < Y.cols; ++m) {
    double sum = 0.0;
    for (std::size_t k = 0; k < Y.cols; ++k) sum += weight(m, k) * ahead[k];
    Y_new(t, m) = std::pow(C(t, m), 1.0 / model.nu) * sum;
  }
}

/// Records outer iteration `iteration` with error `err`; true when it stops the loop.
bool record_iteration(IterationReport& report, int iteration, double err, double tol) {
  report.iterations = iteration;
  report.residual = err;
  report.residual_history.push_back(err);
  report.converged = err < tol;
  return report.converged;
}

/// The changes of fundamentals dated each slot (per transition, not cumulative): shocks[t] holds
/// Ahat and kappahat of transition t-1 -> t, empty where nothing changes.
std::vector<StaticShock> fundamentals_by_slot(const DynamicModel& model,
                                              const FundamentalChanges& changes) {
  const std::size_t J = model.economy.sectors, N = model.economy.regions;
  std::vector<StaticShock> shocks(model.periods);
  for (const ProductivityChange& c : changes.productivity) {
    std::vector<double>& a = shocks[c.slot].productivity;
    if (a.empty()) a.assign(J * N, 1.0);
    a[c.sector * N + c.region] *= c.factor;
  }
  for (const TradeCostChange& c : changes.trade_costs) {
    std::vector<double>& kappa = shocks[c.slot].trade_costs;
    if (kappa.empty()) kappa.assign(J * N * N, 1.0);
    kappa[(c.sector * N + c.destination) * N + c.source] *= c.factor;
  }
  return shocks;
}

/// Steps (1)-(3) of MODEL.md 5.2 for a given Y: mu, L, the TE chain (each step with the
/// baseline's changes of fundamentals dated its slot, `fundamentals`) and Cdot.
void baseline_paths(const DynamicModel& model, const std::vector<StaticShock>& fundamentals,
                    const SequentialOptions& options, int iteration, SequentialBaseline& b) {
  const std::size_t T = model.periods, M = model.markets();
  b.mu.assign(T, Matrix());
  for (std::size_t t = 0; t < T; ++t) {  // (1) E11 in the replication's form
    b.mu[t] = t == 0 ? model.mu0 : b.mu[t - 1];
    scale_columns(b.mu[t], y_power(b.Y, t + 1, model.beta));
    normalise_rows(b.mu[t], "baseline mu", t);
  }
  b.L = Matrix(T, M);  // (2) E13
  std::copy(model.L0.begin(), model.L0.end(), b.L.row(0));
  for (std::size_t t = 0; t + 1 < T; ++t) advance_labor(b.mu[t], b.L, t, b.L);
  b.te.assign(1, base_year_solution(model));  // (3) slot 0 is the base year
  b.Cdot = Matrix(T, M, 1.0);
  ReferenceState state = model.base_year;
  for (std::size_t t = 1; t + 1 < T; ++t) {
    StaticShock shock = fundamentals[t];
    shock.labor = labor_change(model.economy, b.L, t);
    b.te.push_back(solve_te(model, state, shock, options.te, "baseline", t, iteration));
    state = state_of(b.te.back());
    store_real_wage(model.economy, b.te.back(), t, b.Cdot);
  }
}

/// Steps (i)-(iii) of MODEL.md 5.3 for a given Yh: mu', L', the counterfactual TE chain and Chh.
void counterfactual_paths(const DynamicModel& model, const SequentialBaseline& base,
                          const std::vector<StaticShock>& fundamentals,
                          const SequentialOptions& options, int iteration,
                          SequentialCounterfactual& c) {
  const std::size_t T = model.periods, M = model.markets();
  const double beta = model.beta;
  // (i) E27. mu'_0 is the baseline's; theta = mu_1 col(Yh_1^beta), not normalised.
  c.mu.assign(T, Matrix());
  c.mu[0] = base.mu[0];
  c.mu[1] = base.mu[1];
  scale_columns(c.mu[1], y_power(c.Yh, 1, beta));
  scale_columns(c.mu[1], y_power(c.Yh, 2, beta));
  normalise_rows(c.mu[1], "counterfactual mu'", 1);
  for (std::size_t t = 1; t + 1 < T; ++t) {
    Matrix& next = c.mu[t + 1];
    next = Matrix(M, M);
    for (std::size_t r = 0; r < M; ++r) {
      for (std::size_t k = 0; k < M; ++k) {
        next(r, k) = nan_to_zero(base.mu[t + 1](r, k) / base.mu[t](r, k) * c.mu[t](r, k));
      }
    }
    scale_columns(next, y_power(c.Yh, t + 2, beta));
    normalise_rows(next, "counterfactual mu'", t + 1);
  }
  // (ii) E29 with L'_0 = L_0 and L'_1 = L_1 from the baseline.
  c.L = Matrix(T, M);
  std::copy(base.L.row(0), base.L.row(0) + M, c.L.row(0));
  std::copy(base.L.row(1), base.L.row(1) + M, c.L.row(1));
  for (std::size_t t = 1; t + 1 < T; ++t) advance_labor(c.mu[t], c.L, t, c.L);
  // (iii) The counterfactual chain from the base year, relative to the baseline's chain.
  c.te.assign(1, base_year_solution(model));
  c.Chh = Matrix(T, M, 1.0);
  ReferenceState state = model.base_year;
  for (std::size_t t = 1; t + 1 < T; ++t) {
    const StaticSolution& now = base.te[t];
    const StaticSolution& before = base.te[t - 1];
    StaticShock shock = fundamentals[t];
    shock.labor = labor_change(model.economy, c.L, t);
    shock.share_shifter.resize(now.trade_shares.size());
    for (std::size_t k = 0; k < now.trade_shares.size(); ++k) {
      shock.share_shifter[k] = nan_to_zero(now.trade_shares[k] / before.trade_shares[k]);
    }
    shock.omega_ref = now.omega;
    shock.omega_init = now.omega;
    shock.wage_ref = now.wage;
    c.te.push_back(solve_te(model, state, shock, options.te, "counterfactual", t, iteration));
    state = state_of(c.te.back());
    store_real_wage(model.economy, c.te.back(), t, c.Chh);
  }
}

/// [T][M] scale(t, m) times the product of change(1..t, m); row 0 = scale's row 0.
Matrix cumulate(const Matrix& change, const Matrix& scale) {
  Matrix out(change.rows, change.cols);
  std::vector<double> product(change.cols, 1.0);
  for (std::size_t t = 0; t < change.rows; ++t) {
    for (std::size_t m = 0; m < change.cols; ++m) {
      if (t > 0) product[m] *= change(t, m);
      out(t, m) = scale(t, m) * product[m];
    }
  }
  return out;
}

void require_baseline(const DynamicModel& model, const SequentialBaseline& base) {
  const std::size_t T = model.periods, M = model.markets();
  bool ok = base.Y.rows == T && base.Y.cols == M && base.L.rows == T && base.L.cols == M &&
            base.mu.size() == T && base.te.size() == T - 1 && base.real_wage.rows == T;
  for (const Matrix& mu : base.mu) ok = ok && mu.rows == M && mu.cols == M;
  if (!ok) {
    std::ostringstream message;
    message << "sequential counterfactual: the baseline does not match the model (T = " << T
            << ", M = " << M << "); pass sequential_baseline(model)";
    throw DimensionMismatch(message.str());
  }
}

}  // namespace

SequentialBaseline sequential_baseline(const DynamicModel& model,
                                       const SequentialOptions& options) {
  validate(model, "sequential baseline model");
  const SingleThreaded single_threaded;
  const std::size_t T = model.periods, M = model.markets();
  const Stopwatch stopwatch;
  const std::vector<StaticShock> fundamentals = fundamentals_by_slot(model, model.baseline_changes);
  SequentialBaseline b;
  b.Y = Matrix(T, M, 1.0);
  for (int iteration = 1; iteration <= options.max_iterations; ++iteration) {
    baseline_paths(model, fundamentals, options, iteration, b);
    // (4) E12 in the replication's form: Y_new_t = Cdot_t^{1/nu} sum_m' mu_{t-1} Y_{t+1}^beta.
    Matrix Y_new(T, M, 1.0);
    for (std::size_t t = 1; t + 1 < T; ++t)
      update_values(b.mu[t - 1], b.Cdot, b.Y, t, model, Y_new);
    const double err = relax(Y_new, b.Y);  // (5)
    if (record_iteration(b.report, iteration, err, options.tol)) break;
  }
  baseline_paths(model, fundamentals, options, b.report.iterations + 1,
                 b);  // consistent with the final Y
  b.report.seconds = stopwatch.seconds();
  b.real_wage = cumulate(b.Cdot, Matrix(T, M, 1.0));
  return b;
}

SequentialCounterfactual sequential_counterfactual(const DynamicModel& model,
                                                   const SequentialBaseline& baseline,
                                                   const FundamentalChanges& changes,
                                                   const SequentialOptions& options) {
  validate(model, "sequential counterfactual model");
  validate(changes, model, "sequential counterfactual changes");
  require_baseline(model, baseline);
  const SingleThreaded single_threaded;
  const std::size_t T = model.periods, M = model.markets();
  const std::vector<StaticShock> fundamentals = fundamentals_by_slot(model, changes);
  const std::vector<Matrix>& mu = baseline.mu;
  const Stopwatch stopwatch;
  SequentialCounterfactual c;
  c.Yh = Matrix(T, M, 1.0);
  for (int iteration = 1; iteration <= options.max_iterations; ++iteration) {
    counterfactual_paths(model, baseline, fundamentals, options, iteration, c);
    // (iv) E28. Slot 1 carries the level jump: weights mu_1 col(Yh_1^beta). Later slots:
    // (mu_t / mu_{t-1}) mu'_{t-1}, NaN -> 0.
    Matrix Yh_new(T, M, 1.0);
    for (std::size_t t = 1; t + 1 < T; ++t) {
      Matrix weight = mu[t];
      if (t == 1) {
        scale_columns(weight, y_power(c.Yh, 1, model.beta));
      } else {
        for (std::size_t k = 0; k < weight.size(); ++k) {
          weight.data[k] = nan_to_zero(mu[t].data[k] / mu[t - 1].data[k] * c.mu[t - 1].data[k]);
        }
      }
      update_values(weight, c.Chh, c.Yh, t, model, Yh_new);
    }
    const double err = relax(Yh_new, c.Yh);  // (v)
    if (record_iteration(c.report, iteration, err, options.tol)) break;
  }
  counterfactual_paths(model, baseline, fundamentals, options, c.report.iterations + 1, c);
  c.report.seconds = stopwatch.seconds();
  c.real_wage = cumulate(c.Chh, baseline.real_wage);
  return c;
}

DynamicModel small_dynamic_model(std::uint64_t seed, std::size_t periods, double beta) {
  const SingleThreaded single_threaded;
  DynamicModel model;
  model.economy = synthetic_economy(3, 6, 3, seed);
  model.base_year = base_year_equilibrium(testing::cpu_context(), model.economy,
                                          SequentialOptions::tight_te_options());
  SyntheticMobility mobility = synthetic_mobility(3, 4, seed);
  model.mu0 = std::move(mobility.mu0);
  model.L0 = std::move(mobility.L0);
  model.periods = periods;
  model.beta = beta;
  model.nu = 2.0;
  return model;
}

}  // namespace dynhat::testing
