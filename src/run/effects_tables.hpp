// The effects of a run as labelled CSV tables (effects/ of an output directory).
#pragma once

#include <string>

#include "dynhat/run.hpp"

namespace dynhat::pipeline {

/// A label as a CSV field: quoted (RFC 4180) when it holds a comma or a quote.
std::string csv_field(const std::string& label);
/// A number as a CSV field: shortest round-trip form; NaN (undefined) as an empty field.
std::string csv_field(double x);

/// "Non-employment" for q = 0, else the name of sector q - 1.
std::string market_name(const Economy& e, std::size_t q);

/// Writes effects/{employment_by_sector,employment_by_region,paths,welfare_by_market,summary,
/// employment_long}.csv into the staging area of `out`; returns their names.
std::vector<std::string> write_effects_tables(const OutputDirectory& out, const ModelInputs& in,
                                              const PathSolution& baseline,
                                              const PathSolution& counterfactual,
                                              const Effects& fx);

}  // namespace dynhat::pipeline
