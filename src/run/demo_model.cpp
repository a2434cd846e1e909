// demo_model: the embedded default example (`dynhat demo`), a seeded synthetic economy with the
// CDP's dimensions and a China-like productivity shock.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "dynhat/error.hpp"
#include "dynhat/run.hpp"
#include "dynhat/synthetic.hpp"

namespace dynhat {

namespace {

/// The CDP counts 12 of its 22 sectors as manufacturing; a smaller economy keeps the proportion,
/// at least one sector and at least one outside manufacturing (a strict subset, so that the
/// manufacturing share can move).
std::size_t manufacturing_sectors(std::size_t sectors) {
  if (sectors < 2) return sectors;
  const auto scaled =
      static_cast<std::size_t>(std::lround(12.0 * static_cast<double>(sectors) / 22.0));
  return std::clamp<std::size_t>(scaled, 1, sectors - 1);
}

}  // namespace

ModelInputs demo_model(const DemoSpec& spec) {
  if (spec.periods < 3) {
    throw InvalidInput(fmt::format("--periods {}: must be at least 3", spec.periods));
  }
  if (!(spec.factor > 0.0 && std::isfinite(spec.factor))) {
    throw InvalidInput(fmt::format("--factor {}: must be positive and finite", spec.factor));
  }
  ModelInputs in;
  in.backend = spec.backend;
  DynamicModel& model = in.model;
  model.economy = synthetic_economy(spec.sectors, spec.regions, spec.mobile_regions, spec.seed);
  SyntheticMobility mobility = synthetic_mobility(spec.mobile_regions, spec.sectors + 1, spec.seed);
  model.mu0 = std::move(mobility.mu0);
  model.L0 = std::move(mobility.L0);
  model.periods = spec.periods;
  require_periods(model, "--periods");

  // The CDP's China is region 56 = R + 6; a smaller economy shocks its last region.
  const std::size_t shocked = std::min(spec.mobile_regions + 6, spec.regions - 1);
  const std::size_t manufacturing = manufacturing_sectors(spec.sectors);
  const std::size_t quarters = std::min(spec.quarters, spec.periods - 1);
  const double per_quarter = std::pow(spec.factor, 1.0 / static_cast<double>(quarters));
  for (std::size_t j = 0; j < manufacturing; ++j) {
    in.effects.manufacturing.push_back(j);
    for (std::size_t q = 1; q <= quarters; ++q) {
      in.changes.productivity.push_back({q, j, shocked, per_quarter});
    }
  }
  const std::string& country = model.economy.region_names[shocked];
  in.description = fmt::format(
      "dynhat demo (synthetic, seed {}; shock: productivity of {}'s sectors 0-{} x{} over {} "
      "quarters)",
      spec.seed, country, manufacturing - 1, spec.factor, quarters);
  in.source_json = nlohmann::json{{"demo",
                                   {{"seed", spec.seed},
                                    {"regions", spec.regions},
                                    {"mobile_regions", spec.mobile_regions},
                                    {"sectors", spec.sectors},
                                    {"periods", spec.periods},
                                    {"shocked_region", country},
                                    {"cumulative_productivity_factor", spec.factor},
                                    {"quarters", quarters}}}}
                       .dump();
  model.base_year = base_year_equilibrium(Context(Backend::cpu), model.economy, in.options.te);
  return in;
}

}  // namespace dynhat
