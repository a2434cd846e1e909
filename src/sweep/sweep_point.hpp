// A sweep point's variations as JSON (the manifests' and the summary's record of them).
#pragma once

#include <nlohmann/json.hpp>

#include "dynhat/sweep.hpp"

namespace dynhat::sweep {

/// {"shock_scale": 0.5, "sectors": ["Food", 3], ...}: the keys the point sets, nothing else.
nlohmann::json variations_json(const SweepPoint& point);

}  // namespace dynhat::sweep
