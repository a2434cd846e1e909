// Range checks of numeric options, applied while parsing: a bad value fails at once (exit 1,
// the option named) instead of starting a solve that cannot succeed.
#pragma once

#include <CLI/CLI.hpp>
#include <cmath>
#include <string>

namespace dynhat::cli {

/// A finite number > 0 (tolerances, factors): rejects 0, negatives, nan and inf.
inline const CLI::Validator kFinitePositive(
    [](std::string& text) -> std::string {
      double value = 0.0;
      if (!CLI::detail::lexical_cast(text, value) || !(value > 0.0) || !std::isfinite(value)) {
        return "must be a finite number > 0, not " + text;
      }
      return {};
    },
    "FINITE > 0");

/// An integer >= 1 (counts: iterations, periods, regions).
inline const CLI::Validator kAtLeastOne(
    [](std::string& text) -> std::string {
      long long value = 0;
      if (!CLI::detail::lexical_cast(text, value) || value < 1) {
        return "must be an integer >= 1, not " + text;
      }
      return {};
    },
    ">= 1");

}  // namespace dynhat::cli
