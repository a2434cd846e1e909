// The replication kit's Base_Year layout of a directory of long-format tables, for the tests that
// require both layouts of the same data to load into identical economies (and the CLI test).
#pragma once

#include <filesystem>

#include "dynhat/economy.hpp"

namespace dynhat::testing {

/// Writes the six long tables of `long_dir` as the kit's xbilat.txt, gamma.txt, IO_tables.txt,
/// GO.txt, B.txt and B_row.txt into `kit_dir` (created), every number in its shortest round-trip
/// form, laid out from the tables' own labels (not through load_economy): the orientation is
/// written out here independently of the kit loader, so a transposition on either side shows.
/// Returns what the kit's files do not carry: θ_j = 1/(sectoral_dispersion.csv's 1/θ_j) and the
/// sector and region names in the order of value_added_share.csv.
KitLabels write_kit_layout(const std::filesystem::path& long_dir,
                           const std::filesystem::path& kit_dir);

}  // namespace dynhat::testing
