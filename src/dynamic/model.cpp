// The dynamic model's inputs: the base-year reference equilibrium and the input rules.
#include <fmt/format.h>
#include <unistd.h>

#include <cmath>

#include "dynhat/dynamic.hpp"
#include "dynhat/error.hpp"
#include "dynhat/validate.hpp"

namespace dynhat {

ReferenceState base_year_equilibrium(const Context& ctx, const Economy& economy,
                                     const StaticOptions& options, StaticSolution* solution) {
  StaticSolution base = solve_static(ctx, economy, ReferenceState::from_data(economy), {}, options);
  if (!base.report.converged) {
    throw NotConverged(fmt::format(
        "base-year equilibrium: market-clearing residual {:.3g} after {} iterations (tol {:g})",
        base.report.residual, base.report.iterations, options.tol));
  }
  ReferenceState reference{base.trade_shares, base.VAL, base.VAR};
  if (solution) *solution = std::move(base);
  return reference;
}

void validate(const DynamicModel& model, const std::string& label) {
  const Economy& e = model.economy;
  const std::size_t cells = e.sectors * e.regions;
  if (e.sectors == 0 || e.mobile_regions == 0 || e.mobile_regions > e.regions) {
    throw InvalidInput(
        fmt::format("{}: needs J >= 1 sectors and 1 <= R <= N mobile regions "
                    "(J = {}, R = {}, N = {})",
                    label, e.sectors, e.mobile_regions, e.regions));
  }
  if (model.base_year.VAL.size() != cells || model.base_year.VAR.size() != cells ||
      model.base_year.trade_shares.size() != cells * e.regions) {
    throw DimensionMismatch(fmt::format("{}: base-year state does not match J = {}, N = {}", label,
                                        e.sectors, e.regions));
  }
  const std::size_t m = model.markets();
  require_shape(model.mu0, m, m, label + " mu0");
  require_migration_matrix(model.mu0, label + " mu0");
  require_labor(model.L0, m, label + " L0");
  require_beta(model.beta, label + " beta");
  require_nu(model.nu, label + " nu");
  require_periods(model, label + " periods");
  validate(model.baseline_changes, model, label + " baseline changes");
  if (model.baseline_changes.news_slot != 1) {
    throw InvalidInput(fmt::format(
        "{} baseline changes: news_slot {}, must be 1 (a baseline's changes are known from slot 0 "
        "on; a later news slot is a counterfactual's)",
        label, model.baseline_changes.news_slot));
  }
}

void require_periods(const DynamicModel& model, const std::string& label) {
  if (model.periods < 3) {
    throw InvalidInput(fmt::format("{} = {}, must be >= 3", label, model.periods));
  }
  // The value, labor and real-wage paths and the factor prices. The dates' trade shares are not
  // per date: dates with the same trade costs share one [J][N][N] array, and the equilibria keep
  // their outputs on the backend (a path of trade-cost changes adds J N^2 per distinct date).
  const Economy& e = model.economy;
  const double doubles_per_period =
      3.0 * static_cast<double>(model.markets()) +
      static_cast<double>(e.sectors) * static_cast<double>(e.regions);
  const double bytes = static_cast<double>(model.periods) * doubles_per_period * sizeof(double);
  const double memory =
      static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
  if (memory > 0.0 && bytes > memory) {
    throw InvalidInput(fmt::format(
        "{} = {} needs at least {:.3g} GB for the path (T x (3 M + J N) doubles, J = {}, N = "
        "{}, M = {}), more than this machine's {:.3g} GB; at most {} periods fit",
        label, model.periods, bytes / 1e9, e.sectors, e.regions, model.markets(), memory / 1e9,
        static_cast<std::size_t>(memory / (doubles_per_period * sizeof(double)))));
  }
}

void validate(const FundamentalChanges& changes, const DynamicModel& model,
              const std::string& label) {
  const Economy& e = model.economy;
  const auto check = [&](const char* kind, std::size_t k, std::size_t slot, double factor,
                         std::size_t sector, std::initializer_list<std::size_t> regions) {
    if (slot < 1 || slot >= model.periods) {
      throw InvalidInput(fmt::format("{} {} change {}: slot {}, must be in [1, {})", label, kind, k,
                                     slot, model.periods));
    }
    if (!(factor > 0.0) || !std::isfinite(factor)) {
      throw InvalidInput(fmt::format("{} {} change {}: factor {}, must be > 0 and finite", label,
                                     kind, k, factor));
    }
    if (sector >= e.sectors) {
      throw InvalidInput(fmt::format("{} {} change {}: sector {}, must be < J = {}", label, kind, k,
                                     sector, e.sectors));
    }
    for (std::size_t n : regions) {
      if (n >= e.regions) {
        throw InvalidInput(fmt::format("{} {} change {}: region {}, must be < N = {}", label, kind,
                                       k, n, e.regions));
      }
    }
  };
  const std::size_t news = changes.news_slot;
  if (news < 1 || news + 2 > model.periods) {
    throw InvalidInput(fmt::format("{}: news slot {}, must be in [1, {}] (T = {})", label, news,
                                   model.periods - 2, model.periods));
  }
  const auto check_news = [&](const char* kind, std::size_t k, std::size_t slot) {
    if (slot < news) {
      throw InvalidInput(fmt::format(
          "{} {} change {}: slot {} comes before the news at slot {} (agents would not know of "
          "it); a change must start at the news slot or later",
          label, kind, k, slot, news));
    }
  };
  for (std::size_t k = 0; k < changes.productivity.size(); ++k) {
    const ProductivityChange& c = changes.productivity[k];
    check("productivity", k, c.slot, c.factor, c.sector, {c.region});
    check_news("productivity", k, c.slot);
  }
  for (std::size_t k = 0; k < changes.trade_costs.size(); ++k) {
    const TradeCostChange& c = changes.trade_costs[k];
    check("trade-cost", k, c.slot, c.factor, c.sector, {c.destination, c.source});
    check_news("trade-cost", k, c.slot);
  }
}

}  // namespace dynhat
