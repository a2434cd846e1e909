// The six long-format tables of a tiny hand-written economy (see tiny_economy.cpp).
#pragma once

#include <filesystem>

namespace dynhat::testing {

/// Writes bilateral_trade.csv, gross_output.csv, io_coefficients.csv, sectoral_dispersion.csv,
/// structures_share.csv and value_added_share.csv into `dir` (created if needed).
void write_tiny_economy(const std::filesystem::path& dir);

}  // namespace dynhat::testing
