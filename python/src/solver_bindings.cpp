// Bindings of the building blocks on NumPy inputs: the economy tables (load_economy), the
// temporary equilibrium (solve_static, as `dynhat equilibrium` runs it) and the household
// solvers (levels E1-E3, hat algebra E11-E13). Every solve runs with the GIL released.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <cmath>

#include "bindings.hpp"
#include "dynhat/economy.hpp"
#include "dynhat/error.hpp"
#include "dynhat/household.hpp"
#include "dynhat/static_equilibrium.hpp"
#include "dynhat/validate.hpp"

namespace dynhat::python {

namespace {

/// A shock array (empty when None): shape checked, every entry finite and > 0.
std::vector<double> shock(const std::optional<ArrayIn>& x, std::initializer_list<std::size_t> shape,
                          const char* label) {
  if (!x) return {};
  std::vector<double> values = flat(*x, shape, label);
  for (std::size_t k = 0; k < values.size(); ++k) {
    if (!(std::isfinite(values[k]) && values[k] > 0)) {
      throw InvalidInput(std::string(label) + " entry " + std::to_string(k) + " is " +
                         std::to_string(values[k]) + ", must be > 0 and finite");
    }
  }
  return values;
}

OuterMethod outer_method(const std::string& name) {
  if (name == "anderson") return OuterMethod::anderson;
  if (name == "picard") return OuterMethod::picard;
  throw InvalidInput("method " + name + ": must be anderson or picard");
}

/// The equilibrium `dynhat equilibrium` computes: the base year, and with a shock the shocked
/// equilibrium relative to it.
StaticSolution equilibrium(const Economy& e, const std::optional<ArrayIn>& productivity,
                           const std::optional<ArrayIn>& trade_costs,
                           const std::optional<ArrayIn>& labor, const std::string& method,
                           const std::string& backend, double tol) {
  if (method != "fast" && method != "replication") {
    throw InvalidInput("method " + method + ": must be fast or replication");
  }
  const std::size_t J = e.sectors, N = e.regions;
  StaticShock s;
  s.productivity = shock(productivity, {J, N}, "productivity");
  s.trade_costs = shock(trade_costs, {J, N, N}, "trade_costs");
  s.labor = shock(labor, {J, N}, "labor");
  const bool shocked = productivity || trade_costs || labor;
  const Backend chosen = parse_backend(backend);
  nb::gil_scoped_release release;
  const auto solve = [&](const ReferenceState& reference, const StaticShock& x) {
    if (method == "replication") return solve_static_replication(e, reference, x);
    StaticOptions options;
    options.tol = tol;
    return solve_static(Context(chosen), e, reference, x, options);
  };
  StaticSolution base = solve(ReferenceState::from_data(e), {});
  if (!shocked) return base;
  return solve(ReferenceState{base.trade_shares, base.VAL, base.VAR}, s);
}

}  // namespace

void bind_solvers(nb::module_& m) {
  nb::class_<IterationReport>(m, "IterationReport", "Convergence record of an iteration.")
      .def_ro("converged", &IterationReport::converged, "Stopped by the tolerance.")
      .def_ro("iterations", &IterationReport::iterations, "Iterations run.")
      .def_ro("residual", &IterationReport::residual, "Final residual (the solver's norm).")
      .def_ro("residual_history", &IterationReport::residual_history,
              "Residual after every iteration.")
      .def_ro("seconds", &IterationReport::seconds, "Wall time.");

  nb::class_<Economy> economy(m, "Economy",
                              "The structure and base-year data of the trade economy "
                              "(MODEL.md sections 1, 2, 6): J sectors, N regions, the first R "
                              "mobile. Arrays are read-only views, last index fastest.");
  economy.def_ro("sectors", &Economy::sectors, "J.")
      .def_ro("regions", &Economy::regions, "N.")
      .def_ro("mobile_regions", &Economy::mobile_regions, "R.")
      .def_ro("sector_names", &Economy::sector_names, "[J] sector names.")
      .def_ro("region_names", &Economy::region_names, "[N] region names.")
      .def_ro("chi", &Economy::chi, "Global rents from structures (E36).");
  struct Field {
    const char* name;
    std::vector<double> Economy::*member;
    int shape;  // 0 [J], 1 [N], 2 [J][N], 3 [J][N][N], 4 [N][J][J]
    const char* doc;
  };
  static const Field fields[] = {
      {"theta", &Economy::theta, 0, "[J] trade elasticities theta_j."},
      {"alpha", &Economy::alpha, 0, "[J] final-demand shares (E35)."},
      {"xi", &Economy::xi, 1, "[N] structures share of value added."},
      {"iota", &Economy::iota, 1, "[N] shares of the global portfolio (E36)."},
      {"balance", &Economy::balance, 1, "[N] trade surplus (E34)."},
      {"gamma", &Economy::gamma, 2, "[J][N] value-added shares."},
      {"absorption", &Economy::absorption, 2, "[J][N] X0 (E30)."},
      {"gross_output", &Economy::gross_output, 2, "[J][N] Y0 (E30)."},
      {"VAL", &Economy::VAL, 2, "[J][N] labor compensation (E33)."},
      {"VAR", &Economy::VAR, 2, "[J][N] payments to structures (E33)."},
      {"trade_flows", &Economy::trade_flows, 3, "[J][N][N] flows to destination n from source i."},
      {"trade_shares", &Economy::trade_shares, 3, "[J][N][N] pi^{ni,j} (E31)."},
      {"G", &Economy::G, 4, "[N][J][J] source-sector input shares of gross output (E32)."}};
  for (const Field& f : fields) {
    economy.def_prop_ro(
        f.name,
        [f](const Economy& e) {
          const std::size_t J = e.sectors, N = e.regions;
          const double* data = (e.*f.member).data();
          const nb::handle owner = nb::find(&e);
          switch (f.shape) {
            case 0:
              return view(data, {J}, owner);
            case 1:
              return view(data, {N}, owner);
            case 2:
              return view(data, {J, N}, owner);
            case 3:
              return view(data, {J, N, N}, owner);
            default:
              return view(data, {N, J, J}, owner);
          }
        },
        f.doc);
  }
  m.def(
      "load_economy",
      [](const std::string& dir, std::size_t mobile_regions) {
        nb::gil_scoped_release release;
        return load_economy(dir, mobile_regions);
      },
      nb::arg("dir"), nb::arg("mobile_regions"),
      "Reads and checks the six long-format tables of `dir` and derives E30-E36; raises "
      "InputError naming the file, the entry and the rule.");

  nb::class_<StaticSolution> solution(m, "StaticSolution",
                                      "One temporary equilibrium, relative to its reference. "
                                      "[J][N] arrays at [j][n]; trade shares [J][N][N].");
  solution
      .def_ro("market_clearing_residual", &StaticSolution::market_clearing_residual,
              "Largest relative market-clearing residual.")
      .def_ro("report", &StaticSolution::report, "The factor-price iteration.");
  struct SolutionField {
    const char* name;
    std::vector<double> StaticSolution::*member;
    int shape;  // 1 [N], 2 [J][N], 3 [J][N][N]
    const char* doc;
  };
  static const SolutionField solution_fields[] = {
      {"omega", &StaticSolution::omega, 2, "[J][N] factor-price change."},
      {"wage", &StaticSolution::wage, 2, "[J][N] wage change."},
      {"sector_prices", &StaticSolution::sector_prices, 2, "[J][N] sector price change."},
      {"price_index", &StaticSolution::price_index, 1, "[N] price index change."},
      {"trade_shares", &StaticSolution::trade_shares, 3, "[J][N][N] trade shares."},
      {"expenditure", &StaticSolution::expenditure, 2, "[J][N] expenditure."},
      {"VAL", &StaticSolution::VAL, 2, "[J][N] labor compensation."},
      {"VAR", &StaticSolution::VAR, 2, "[J][N] payments to structures."},
      {"real_wage", &StaticSolution::real_wage, 2, "[J][N] real wage change (shock only)."}};
  for (const SolutionField& f : solution_fields) {
    solution.def_prop_ro(
        f.name,
        [f](const StaticSolution& s) {
          const std::vector<double>& x = s.*f.member;
          const std::size_t N = s.price_index.size(), J = N ? s.omega.size() / N : 0;
          const nb::handle owner = nb::find(&s);
          if (f.shape == 1 || x.empty()) return view(x.data(), {x.size()}, owner);
          if (f.shape == 2) return view(x.data(), {J, N}, owner);
          return view(x.data(), {J, N, N}, owner);
        },
        f.doc);
  }
  m.def("equilibrium", &equilibrium, nb::arg("economy"),
        nb::arg("productivity").none() = nb::none(), nb::arg("trade_costs").none() = nb::none(),
        nb::arg("labor").none() = nb::none(), nb::arg("method") = "fast",
        nb::arg("backend") = "cpu", nb::arg("tol") = 1e-10,
        "The base-year equilibrium of `economy` or, with a shock (Ahat [J][N], kappahat "
        "[J][N][N], Ldot [J][N]; None = 1), the shocked equilibrium relative to it.");

  nb::class_<LevelsResult>(m, "LevelsResult", "The levels household path (E1-E3).")
      .def_prop_ro(
          "V", [](const LevelsResult& r) { return view(r.V, nb::find(&r)); },
          "[T+1][M] values; row T the stationary V.")
      .def_prop_ro(
          "L", [](const LevelsResult& r) { return view(r.L, nb::find(&r)); },
          "[T+1][M] labor, row 0 = L0.")
      .def_ro("report", &LevelsResult::stationary, "The stationary-V fixed point.");
  m.def(
      "household_levels",
      [](const ArrayIn& tau, const ArrayIn& utility, const ArrayIn& L0, double beta, double nu,
         double tol, int max_iterations, const std::string& backend) {
        LevelsProblem problem;
        problem.tau = as_matrix(tau, "tau");
        problem.utility = as_matrix(utility, "utility");
        problem.L0 = flat(L0, {0}, "L0");
        problem.beta = beta;
        problem.nu = nu;
        validate(problem);
        LevelsOptions options;
        options.tol = tol;
        options.max_iterations = max_iterations;
        const Backend chosen = parse_backend(backend);
        nb::gil_scoped_release release;
        return solve_household_levels(Context(chosen), problem, options);
      },
      nb::arg("tau"), nb::arg("utility"), nb::arg("L0"), nb::arg("beta") = 0.99,
      nb::arg("nu") = 5.3436, nb::arg("tol") = 1e-12, nb::arg("max_iterations") = 200000,
      nb::arg("backend") = "cpu",
      "Household values and labor in levels (E1-E3) for moving costs tau [M][M], utilities "
      "[T][M] and L0 [M].");

  nb::class_<HatResult>(m, "HatResult", "The hat-algebra household path (E11-E13).")
      .def_prop_ro(
          "Y", [](const HatResult& r) { return view(r.Y, nb::find(&r)); },
          "[T][M] value changes (rows 0 and T-1 equal 1).")
      .def_prop_ro(
          "L", [](const HatResult& r) { return view(r.L, nb::find(&r)); },
          "[T+1][M] labor, row 0 = L0.")
      .def_ro("report", &HatResult::report, "The value-path fixed point.");
  m.def(
      "household_hat",
      [](const ArrayIn& mu0, const ArrayIn& L0, const ArrayIn& real_wage, double beta, double nu,
         const std::string& method, double tol, int max_iterations, int anderson_memory,
         const std::string& backend, nb::object progress) {
        HatProblem problem;
        problem.mu0 = as_matrix(mu0, "mu0");
        problem.L0 = flat(L0, {0}, "L0");
        problem.real_wage = as_matrix(real_wage, "real_wage");
        problem.beta = beta;
        problem.nu = nu;
        validate(problem);
        HatOptions options;
        options.method = outer_method(method);
        options.tol = tol;
        options.max_iterations = max_iterations;
        options.anderson_memory = anderson_memory;
        const Backend chosen = parse_backend(backend);
        ProgressBridge bridge;
        options.progress = bridge.wrap(progress);
        return without_gil(bridge,
                           [&] { return solve_household_hat(Context(chosen), problem, options); });
      },
      nb::arg("mu0"), nb::arg("L0"), nb::arg("real_wage"), nb::arg("beta") = 0.99,
      nb::arg("nu") = 5.3436, nb::arg("method") = "anderson", nb::arg("tol") = 1e-10,
      nb::arg("max_iterations") = 5000, nb::arg("anderson_memory") = 8, nb::arg("backend") = "cpu",
      nb::arg("progress").none() = nb::none(),
      "The value-change path for a given real-wage path (E11-E13): mu0 [M][M], L0 [M], "
      "real_wage [T][M]; progress(iteration, residual, seconds) per iteration.");
}

}  // namespace dynhat::python
