// Sectors and regions as a scenario or sweep file wrote them (labels or 0-based indices), as JSON
// for the manifests.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

#include "dynhat/scenario.hpp"

namespace dynhat::pipeline {

inline nlohmann::json labels_json(const std::vector<LabelOrIndex>& list) {
  nlohmann::json out = nlohmann::json::array();
  for (const LabelOrIndex& x : list) {
    if (const auto* name = std::get_if<std::string>(&x)) {
      out.push_back(*name);
    } else {
      out.push_back(std::get<std::size_t>(x));
    }
  }
  return out;
}

}  // namespace dynhat::pipeline
