// SweepModels: the base scenario loaded once, one model per distinct (beta, nu, theta scale), and
// every point's counterfactual changes derived from the base scenario's and checked.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "dynhat/error.hpp"
#include "dynhat/sweep.hpp"
#include "run/labels_json.hpp"
#include "sweep/sweep_point.hpp"

namespace dynhat {

namespace sweep {

nlohmann::json variations_json(const SweepPoint& point) {
  nlohmann::json out = nlohmann::json::object();
  if (!point.variant.empty()) out["variant"] = point.variant;
  if (point.shock_scale) out["shock_scale"] = *point.shock_scale;
  if (point.sectors) out["sectors"] = pipeline::labels_json(*point.sectors);
  if (point.regions) out["regions"] = pipeline::labels_json(*point.regions);
  if (point.beta) out["beta"] = *point.beta;
  if (point.nu) out["nu"] = *point.nu;
  if (point.theta_scale) out["theta_scale"] = *point.theta_scale;
  return out;
}

}  // namespace sweep

namespace {

struct ModelKey {
  double beta;
  double nu;
  double theta_scale;
  bool operator==(const ModelKey& o) const {
    return beta == o.beta && nu == o.nu && theta_scale == o.theta_scale;
  }
};

/// The base scenario's model with the point's beta, nu and theta scale; the base year is solved
/// again when theta changes (it enters every trade share).
ModelInputs model_for(const ModelInputs& base, const ModelKey& key) {
  ModelInputs in = base;
  in.model.beta = key.beta;
  in.model.nu = key.nu;
  if (key.theta_scale != 1.0) {
    for (double& theta : in.model.economy.theta) theta *= key.theta_scale;
    in.model.base_year =
        base_year_equilibrium(Context(Backend::cpu), in.model.economy, in.options.te);
  }
  return in;
}

/// The base counterfactual's changes kept in the point's sectors and regions, raised to its
/// shock scale.
FundamentalChanges changes_for(const FundamentalChanges& base, const SweepPoint& point,
                               const Economy& e, const std::string& where) {
  std::vector<char> sector_kept(e.sectors, 1), region_kept(e.regions, 1);
  const auto restrict_to = [&](const std::optional<std::vector<LabelOrIndex>>& list,
                               const std::vector<std::string>& names, const char* kind,
                               const char* key, std::vector<char>& kept) {
    if (!list) return;
    std::fill(kept.begin(), kept.end(), 0);
    for (std::size_t i : resolve_labels(names, kind, *list, where, key)) kept[i] = 1;
  };
  restrict_to(point.sectors, e.sector_names, "sector", "sectors", sector_kept);
  restrict_to(point.regions, e.region_names, "region", "regions", region_kept);
  const double scale = point.shock_scale.value_or(1.0);
  FundamentalChanges out;
  out.news_slot = base.news_slot;
  for (ProductivityChange c : base.productivity) {
    if (!sector_kept[c.sector] || !region_kept[c.region]) continue;
    c.factor = std::pow(c.factor, scale);
    out.productivity.push_back(c);
  }
  for (TradeCostChange c : base.trade_costs) {
    if (!sector_kept[c.sector] || !region_kept[c.source]) continue;
    c.factor = std::pow(c.factor, scale);
    out.trade_costs.push_back(c);
  }
  const auto changes = [](const auto& list) {
    return std::any_of(list.begin(), list.end(), [](const auto& c) { return c.factor != 1.0; });
  };
  if (!changes(out.productivity) && !changes(out.trade_costs)) {
    throw InvalidInput(fmt::format(
        "{}: scenario {} {} leaves no change of the counterfactual: its sectors and regions miss "
        "every change of the base scenario",
        where, point.name, sweep::variations_json(point).dump()));
  }
  return out;
}

}  // namespace

SweepModels::SweepModels(const Sweep& sweep, std::optional<Backend> backend)
    : SweepModels(sweep, load_model(sweep.base, backend)) {}

SweepModels::SweepModels(const Sweep& sweep, const ModelInputs& base) : sweep_(&sweep) {
  base_source_ = base.source_json;
  const std::string where = sweep.path.string();
  std::vector<ModelKey> keys;
  for (const SweepPoint& point : sweep.points) {
    const ModelKey key{point.beta.value_or(base.model.beta), point.nu.value_or(base.model.nu),
                       point.theta_scale.value_or(1.0)};
    const auto found = std::find(keys.begin(), keys.end(), key);
    std::size_t b = static_cast<std::size_t>(found - keys.begin());
    if (found == keys.end()) {
      keys.push_back(key);
      models_.push_back(model_for(base, key));
      labels_.push_back(
          fmt::format("beta={} nu={} theta_scale={}", key.beta, key.nu, key.theta_scale));
      validate(models_.back().model.baseline_changes, models_.back().model,
               fmt::format("{}: baseline {}", where, labels_.back()));
    }
    baseline_of_.push_back(b);
    changes_.push_back(changes_for(base.changes, point, base.model.economy, where));
    validate(changes_.back(), models_[b].model, fmt::format("{}: scenario {}", where, point.name));
  }
}

const ModelInputs& SweepModels::inputs(std::size_t point) {
  ModelInputs& in = models_[baseline_of_[point]];
  const SweepPoint& p = sweep_->points[point];
  in.changes = changes_[point];
  nlohmann::json source = nlohmann::json::parse(base_source_);
  source["sweep"] = {{"file", sweep_->path.string()},
                     {"scenario", p.name},
                     {"variations", sweep::variations_json(p)}};
  in.source_json = source.dump();
  in.description = fmt::format("scenario {} of sweep {}", p.name, sweep_->path.string());
  return in;
}

std::vector<std::size_t> shard_points(const SweepModels& models, std::size_t points, Shard shard) {
  std::vector<std::size_t> order(points);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return models.baseline_of(a) < models.baseline_of(b);
  });
  const std::size_t first = shard.index * points / shard.count;
  const std::size_t last = (shard.index + 1) * points / shard.count;
  return {order.begin() + static_cast<std::ptrdiff_t>(first),
          order.begin() + static_cast<std::ptrdiff_t>(last)};
}

}  // namespace dynhat
