// The CDP year-2000 tables (DYNHAT_SHARED_DATA) in the tests: the tests that read them skip
// loudly where they are missing, or fail when DYNHAT_REQUIRE_DATA is set (scripts/test.sh, CI's
// command, sets it: there a missing table must not pass as a skipped test).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "support/env_flag.hpp"

namespace dynhat::testing {

inline bool data_required() {
  return env_flag("DYNHAT_REQUIRE_DATA");
}

/// "" when `dir` holds the six long-format CDP tables; else the first one missing.
inline std::string cdp_tables_missing(const std::filesystem::path& dir) {
  for (const char* table :
       {"bilateral_trade.csv", "gross_output.csv", "io_coefficients.csv", "sectoral_dispersion.csv",
        "structures_share.csv", "value_added_share.csv"}) {
    if (!std::filesystem::is_regular_file(dir / table)) return (dir / table).string();
  }
  return "";
}

}  // namespace dynhat::testing

/// In a test body or SetUp(): skip (loudly) when the CDP tables are not in `dir`, or fail when
/// DYNHAT_REQUIRE_DATA is set.
#define DYNHAT_SKIP_WITHOUT_CDP_TABLES(dir)                                                   \
  do {                                                                                        \
    const std::string dynhat_missing_table = ::dynhat::testing::cdp_tables_missing(dir);      \
    if (dynhat_missing_table.empty()) break;                                                  \
    if (::dynhat::testing::data_required())                                                   \
      FAIL() << "DYNHAT_REQUIRE_DATA is set but the CDP table " << dynhat_missing_table       \
             << " is missing";                                                                \
    GTEST_SKIP() << "\n*** CDP table " << dynhat_missing_table                                \
                 << " not found: test on the real tables SKIPPED (set DYNHAT_REQUIRE_DATA=1 " \
                    "to make this a failure) ***\n";                                          \
  } while (false)
