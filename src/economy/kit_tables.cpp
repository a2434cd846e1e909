// The base-year tables as the CDP replication kit ships them (Base_Year/*.txt, whitespace-
// separated, no labels) -> the same Economy as the long-format tables, with the same value rules;
// θ and the labels, which the files do not carry, come from the caller (the scenario).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string_view>
#include <unordered_set>

#include "dynhat/economy.hpp"
#include "dynhat/error.hpp"
#include "dynhat/io.hpp"

namespace dynhat {

namespace {

// Same reasons as the long-format loader's (load_economy.cpp): 7 printed digits in the IO columns,
// gross output a consistency check only.
constexpr double kIoColumnTolerance = 1e-6;
constexpr double kGrossOutputTolerance = 1e-6;

constexpr const char* kFiles[] = {"xbilat.txt", "gamma.txt", "IO_tables.txt",
                                  "GO.txt",     "B.txt",     "B_row.txt"};

/// A kit file read with its name for messages.
struct KitFile {
  std::string name;
  Matrix x;
};

KitFile read_kit_file(const std::filesystem::path& dir, const char* name) {
  return {(dir / name).string(), read_whitespace_matrix(dir / name)};
}

void require_shape(const KitFile& f, std::size_t rows, std::size_t cols, std::string_view shape) {
  if (f.x.rows != rows || f.x.cols != cols) {
    throw DimensionMismatch(fmt::format("{}: {} rows x {} columns, must be {} = {} x {}", f.name,
                                        f.x.rows, f.x.cols, shape, rows, cols));
  }
}

/// Every entry of `f` satisfies `ok`; else "<file> line L column C: <symbol> = v, must be <rule>"
/// for the first one in file order.
template <class Ok>
void require_each(const KitFile& f, std::string_view symbol, std::string_view rule, Ok ok) {
  for (std::size_t r = 0; r < f.x.rows; ++r) {
    for (std::size_t c = 0; c < f.x.cols; ++c) {
      if (!ok(f.x(r, c))) {
        throw InvalidInput(fmt::format("{} line {} column {}: {} = {}, must be {}", f.name, r + 1,
                                       c + 1, symbol, f.x(r, c), rule));
      }
    }
  }
}

/// The structures shares of a B file: one value per line, or one per sector that are all equal
/// (ξ is a region's, the same for every sector, as in structures_share.csv).
std::vector<double> structures_shares(const KitFile& f, std::size_t sectors) {
  if (f.x.cols != 1 && f.x.cols != sectors) {
    throw DimensionMismatch(
        fmt::format("{}: {} columns, must be 1 (one share per region) or J = {} equal ones", f.name,
                    f.x.cols, sectors));
  }
  std::vector<double> xi(f.x.rows);
  for (std::size_t r = 0; r < f.x.rows; ++r) {
    xi[r] = f.x(r, 0);
    for (std::size_t c = 1; c < f.x.cols; ++c) {
      if (f.x(r, c) != xi[r]) {
        throw InvalidInput(fmt::format(
            "{} line {} column {}: xi = {}, must equal column 1's {}: the structures share is the "
            "same for every sector of a region",
            f.name, r + 1, c + 1, f.x(r, c), xi[r]));
      }
    }
  }
  return xi;
}

/// `names` if given (J or N of them, each once), else "<kind> 0", "<kind> 1", ...
std::vector<std::string> labels_or_defaults(const std::vector<std::string>& names,
                                            std::size_t count, std::string_view kind,
                                            std::string_view from) {
  if (names.empty()) {
    std::vector<std::string> defaults;
    for (std::size_t k = 0; k < count; ++k) defaults.push_back(fmt::format("{} {}", kind, k));
    return defaults;
  }
  if (names.size() != count) {
    throw DimensionMismatch(fmt::format("{} names: {} given, must be {}, the {}s of {}", kind,
                                        names.size(), count, kind, from));
  }
  std::unordered_set<std::string> seen;
  for (std::size_t k = 0; k < names.size(); ++k) {
    if (names[k].empty()) throw InvalidInput(fmt::format("{} name {} is empty", kind, k));
    if (!seen.insert(names[k]).second) {
      throw InvalidInput(
          fmt::format("{} name {} '{}' is given twice, each must be distinct", kind, k, names[k]));
    }
  }
  return names;
}

}  // namespace

TableLayout detect_table_layout(const std::filesystem::path& dir) {
  std::error_code ec;
  const bool dynhat = std::filesystem::exists(dir / "value_added_share.csv", ec);
  const bool kit = std::filesystem::exists(dir / "xbilat.txt", ec);
  if (dynhat && kit) {
    throw InvalidInput(fmt::format(
        "{}: holds both value_added_share.csv (dynhat's long tables) and xbilat.txt (the "
        "replication kit's Base_Year layout); name one with data.layout = \"dynhat\" | \"kit\"",
        dir.string()));
  }
  if (dynhat) return TableLayout::dynhat;
  if (kit) return TableLayout::kit;
  throw InvalidInput(fmt::format(
      "{}: holds neither value_added_share.csv (dynhat's six long tables) nor xbilat.txt (the "
      "replication kit's Base_Year/*.txt)",
      dir.string()));
}

std::vector<std::string> table_files(TableLayout layout) {
  if (layout == TableLayout::kit) return {std::begin(kFiles), std::end(kFiles)};
  return {"bilateral_trade.csv",     "gross_output.csv",     "io_coefficients.csv",
          "sectoral_dispersion.csv", "structures_share.csv", "value_added_share.csv"};
}

Economy load_kit_economy(const std::filesystem::path& dir, std::size_t mobile_regions,
                         const KitLabels& labels) {
  // gamma.txt (N x J) gives the dimensions.
  const KitFile gamma = read_kit_file(dir, "gamma.txt");
  Economy e;
  e.regions = gamma.x.rows;
  e.sectors = gamma.x.cols;
  const std::size_t J = e.sectors, N = e.regions;
  const std::string dims_from = fmt::format("{} ({} x {}: regions x sectors)", gamma.name, N, J);
  e.sector_names = labels_or_defaults(labels.sector_names, J, "sector", dims_from);
  e.region_names = labels_or_defaults(labels.region_names, N, "region", dims_from);
  if (mobile_regions > N) {
    throw DimensionMismatch(fmt::format("mobile_regions = {}, must be <= the {} regions of {}",
                                        mobile_regions, N, gamma.name));
  }
  e.mobile_regions = mobile_regions;

  // The plausible ranges of the long-format loader (see load_economy.cpp for why).
  require_each(gamma, "gamma", "in [0.001, 1]", [](double v) { return v >= 1e-3 && v <= 1.0; });
  e.gamma.resize(J * N);
  for (std::size_t n = 0; n < N; ++n) {
    for (std::size_t j = 0; j < J; ++j) e.gamma[j * N + n] = gamma.x(n, j);
  }

  // B.txt: the regions that share the first IO block (the US states); B_row.txt: the countries.
  const KitFile states = read_kit_file(dir, "B.txt");
  const KitFile countries = read_kit_file(dir, "B_row.txt");
  e.xi = structures_shares(states, J);
  const std::vector<double> xi_countries = structures_shares(countries, J);
  e.xi.insert(e.xi.end(), xi_countries.begin(), xi_countries.end());
  if (e.xi.size() != N) {
    throw DimensionMismatch(fmt::format(
        "{} and {}: {} + {} regions, must be the {} regions of {} (the states, then the countries)",
        states.name, countries.name, states.x.rows, countries.x.rows, N, gamma.name));
  }
  require_each(states, "xi", "in [0, 0.99]", [](double v) { return v >= 0.0 && v <= 0.99; });
  require_each(countries, "xi", "in [0, 0.99]", [](double v) { return v >= 0.0 && v <= 0.99; });
  if (mobile_regions > states.x.rows) {
    throw DimensionMismatch(fmt::format(
        "mobile_regions = {}, must be <= the {} regions of {} (the mobile regions share the first "
        "block of IO_tables.txt; the countries of {} have blocks of their own)",
        mobile_regions, states.x.rows, states.name, countries.name));
  }

  if (labels.theta.size() != J) {
    throw DimensionMismatch(fmt::format("theta: {} values, must be {}, one per sector of {}",
                                        labels.theta.size(), J, dims_from));
  }
  for (std::size_t j = 0; j < J; ++j) {
    const double theta = labels.theta[j];
    if (!(theta >= 0.1 && theta <= 200.0)) {
      throw InvalidInput(
          fmt::format("theta[{}] ({}) = {}, must be in [0.1, 200]", j, e.sector_names[j], theta));
    }
  }
  e.theta = labels.theta;

  // xbilat.txt: row j*N + n is destination n's sector-j purchases, column i the source: the
  // layout of Economy::trade_flows.
  const KitFile xbilat = read_kit_file(dir, "xbilat.txt");
  require_shape(xbilat, J * N, N, "(J*N) x N, stacked by sector, rows destinations");
  require_each(xbilat, "flow", ">= 0", [](double v) { return v >= 0.0; });
  e.trade_flows = xbilat.x.data;

  // IO_tables.txt: block b is rows b*J..b*J+J-1, row s the source sector, column k the using
  // sector; each column sums to 1. Block 0 serves the states, block 1 + c country c.
  const KitFile io = read_kit_file(dir, "IO_tables.txt");
  const std::size_t blocks = 1 + countries.x.rows;
  require_shape(io, blocks * J, J,
                fmt::format("(1 + {} countries of {})*J x J", countries.x.rows, countries.name));
  require_each(io, "IO coefficient", ">= 0", [](double v) { return v >= 0.0; });
  for (std::size_t b = 0; b < blocks; ++b) {
    for (std::size_t k = 0; k < J; ++k) {
      double sum = 0.0;
      for (std::size_t s = 0; s < J; ++s) sum += io.x(b * J + s, k);
      if (std::abs(sum - 1.0) > kIoColumnTolerance) {
        throw InvalidInput(fmt::format(
            "{} block {} (lines {}-{}) column {}: sums to {} over the source sectors, must be 1 "
            "+- {:g}",
            io.name, b, b * J + 1, b * J + J, k + 1, sum, kIoColumnTolerance));
      }
    }
  }
  std::vector<std::size_t> io_block(N, 0);
  for (std::size_t c = 0; c < countries.x.rows; ++c) io_block[states.x.rows + c] = 1 + c;

  derive_reference_state(e, io.x.data, io_block);

  // GO.txt (N x J) is redundant (E30 sales): a consistency check only.
  const KitFile go = read_kit_file(dir, "GO.txt");
  require_shape(go, N, J, "N x J, regions x sectors");
  for (std::size_t n = 0; n < N; ++n) {
    for (std::size_t j = 0; j < J; ++j) {
      const double table_value = go.x(n, j);
      const double sales = e.gross_output[j * N + n];
      const double scale = std::max(std::abs(table_value), std::abs(sales));
      if (std::abs(table_value - sales) > kGrossOutputTolerance * scale) {
        throw InvalidInput(fmt::format(
            "{} line {} column {}: gross output = {}, must equal {}, the sum over destinations "
            "in {}, within {:g} relative",
            go.name, n + 1, j + 1, table_value, sales, xbilat.name, kGrossOutputTolerance));
      }
    }
  }
  return e;
}

}  // namespace dynhat
