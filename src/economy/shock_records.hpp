// Long-format shock tables, the one reader of both kinds: per-(sector, region) factors
// (`sector,region[,quarter],value`: productivity, labor) and bilateral ones
// (`sector,destination,source[,quarter],value`: trade costs). Labels are resolved against the
// economy, factors checked, entries listed twice refused; what the records build is up to the
// caller (a static shock, or a scenario's changes of fundamentals).
#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

#include "dynhat/economy.hpp"

namespace dynhat {

/// One record of a shock table, its labels resolved to 0-based indices.
struct ShockRecord {
  std::size_t sector = 0;
  std::size_t region = 0;   ///< the region, or the destination of a bilateral table
  std::size_t source = 0;   ///< bilateral tables only
  std::size_t quarter = 0;  ///< tables with a quarter column only (a slot >= 1)
  double factor = 1.0;
};

struct ShockTableShape {
  bool bilateral = false;
  /// 0: no quarter column. Otherwise T: a quarter column of integer slots in [1, T).
  std::size_t periods = 0;
};

/// Reads `path` (columns as above, in that order). Throws InvalidInput naming the file, the line
/// and the rule: an unknown sector or region (with the closest name), a quarter that is not an
/// integer slot in [1, T), a factor that is not > 0 and finite, an entry listed twice, and every
/// rule of the long-table reader.
std::vector<ShockRecord> read_shock_records(const std::filesystem::path& path, const Economy& e,
                                            const ShockTableShape& shape);

}  // namespace dynhat
