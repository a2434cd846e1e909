// The data step (MODEL.md §6): the six long tables of a cdp2000-style directory -> Economy, with
// every table validated (labels, completeness, value rules) before E30-E36 are derived.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string_view>

#include "dynhat/economy.hpp"
#include "dynhat/error.hpp"
#include "economy/label_index.hpp"
#include "economy/long_table.hpp"

namespace dynhat {

namespace {

// The README guarantees 5e-7 on the IO column sums and 5e-10 on gross output; 1e-6 catches a
// wrong table without rejecting values written with 7 significant digits.
constexpr double kIoColumnTolerance = 1e-6;
constexpr double kGrossOutputTolerance = 1e-6;

/// A table's values on the grid spanned by its label columns.
struct Grid {
  std::vector<double> values;       ///< [axes[0]][axes[1]]... row-major
  std::vector<std::size_t> record;  ///< same layout: the record that holds each cell
};

std::string column_names(const LongTable& table) {
  std::string out;
  for (const LabelColumn& column : table.columns) {
    out += (out.empty() ? "" : ", ") + column.name;
  }
  return out;
}

/// Places each record of `table` on the grid of `axes` (axis c for label column c), requiring
/// known labels and every cell present exactly once.
Grid to_grid(const LongTable& table, const std::vector<const LabelIndex*>& axes) {
  std::vector<std::vector<std::size_t>> position(axes.size());  // [column][label id] -> index
  std::size_t cells = 1;
  for (std::size_t c = 0; c < axes.size(); ++c) {
    const LabelColumn& column = table.columns[c];
    const LabelIndex& axis = *axes[c];
    for (std::size_t id = 0; id < column.labels.size(); ++id) {
      const std::size_t i = axis.find(column.labels[id]);
      if (i == axis.size()) {
        throw InvalidInput(fmt::format("{} line {}: {} '{}' {}", table.file,
                                       table.lines[column.first_record[id]], column.name,
                                       column.labels[id], axis.not_found(column.labels[id])));
      }
      position[c].push_back(i);
    }
    cells *= axis.size();
  }
  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  Grid grid{std::vector<double>(cells, 0.0), std::vector<std::size_t>(cells, kNone)};
  for (std::size_t r = 0; r < table.records(); ++r) {
    std::size_t cell = 0;
    for (std::size_t c = 0; c < axes.size(); ++c) {
      cell = cell * axes[c]->size() + position[c][table.columns[c].ids[r]];
    }
    if (grid.record[cell] != kNone) {
      throw InvalidInput(
          fmt::format("{}: duplicate entry, first at line {}; each ({}) must appear exactly once",
                      table.where(r), table.lines[grid.record[cell]], column_names(table)));
    }
    grid.record[cell] = r;
    grid.values[cell] = table.values[r];
  }
  for (std::size_t cell = 0; cell < cells; ++cell) {
    if (grid.record[cell] != kNone) continue;
    std::string entry;
    for (std::size_t c = axes.size(), rest = cell; c-- > 0;) {
      const std::size_t size = axes[c]->size();
      entry = fmt::format("{} '{}'", table.columns[c].name, axes[c]->name(rest % size)) +
              (entry.empty() ? "" : ", ") + entry;
      rest /= size;
    }
    throw InvalidInput(fmt::format("{}: no entry for ({}); each ({}) must appear exactly once",
                                   table.file, entry, column_names(table)));
  }
  return grid;
}

/// Every value of `table` satisfies `ok`; else "<file> line L (labels): <symbol> = v, must be
/// <rule>" for the first record in file order that does not.
template <class Ok>
void require_each(const LongTable& table, std::string_view symbol, std::string_view rule, Ok ok) {
  for (std::size_t r = 0; r < table.records(); ++r) {
    if (!ok(table.values[r])) {
      throw InvalidInput(
          fmt::format("{}: {} = {}, must be {}", table.where(r), symbol, table.values[r], rule));
    }
  }
}

/// b(n) of E32 from the block order of io_coefficients.csv: block 0 serves the mobile regions
/// and every region without a block of its own; blocks 1..B-1 are the last B-1 regions.
std::vector<std::size_t> io_blocks_of_regions(const LongTable& io, const Economy& e) {
  const std::vector<std::string>& blocks = io.columns[0].labels;
  const std::size_t n_blocks = blocks.size();
  const std::size_t n_regions = e.regions;
  const std::size_t mobile = e.mobile_regions;
  for (std::size_t n = mobile; n < n_regions; ++n) {
    if (e.region_names[n] == blocks[0]) {
      throw InvalidInput(fmt::format(
          "{} line {}: the first country block '{}' is the non-mobile region {}; the first block "
          "must serve the mobile regions, the blocks of non-mobile regions follow it",
          io.file, io.lines[0], blocks[0], n));
    }
  }
  if (n_blocks - 1 > n_regions - mobile) {
    throw InvalidInput(fmt::format(
        "{}: {} country blocks follow the first, must be at most the {} non-mobile regions (the "
        "first block serves the {} mobile regions)",
        io.file, n_blocks - 1, n_regions - mobile, mobile));
  }
  const std::size_t first_own = n_regions - (n_blocks - 1);
  for (std::size_t b = 1; b < n_blocks; ++b) {
    const std::string& expected = e.region_names[first_own + b - 1];
    if (blocks[b] != expected) {
      throw InvalidInput(fmt::format(
          "{} line {}: country block {} is '{}', must be '{}': the blocks after the first must "
          "be the last {} regions of value_added_share.csv, in region order",
          io.file, io.lines[io.columns[0].first_record[b]], b, blocks[b], expected, n_blocks - 1));
    }
  }
  std::vector<std::size_t> io_block(n_regions, 0);
  for (std::size_t n = first_own; n < n_regions; ++n) io_block[n] = n - first_own + 1;
  return io_block;
}

/// Each (country, dest_sector) column of the IO blocks sums to 1 over source_sector.
void require_io_columns(const LongTable& table, const Grid& io, std::size_t sectors) {
  const std::size_t n_blocks = io.values.size() / (sectors * sectors);
  for (std::size_t b = 0; b < n_blocks; ++b) {
    for (std::size_t k = 0; k < sectors; ++k) {
      double sum = 0.0;
      for (std::size_t s = 0; s < sectors; ++s) sum += io.values[(b * sectors + s) * sectors + k];
      if (std::abs(sum - 1.0) > kIoColumnTolerance) {
        const std::size_t first = io.record[b * sectors * sectors + k];
        throw InvalidInput(fmt::format(
            "{} column ({} '{}', {} '{}') starting line {}: sums to {} over {}, must be 1 +- {:g}",
            table.file, table.columns[0].name, table.label(0, first), table.columns[2].name,
            table.label(2, first), table.lines[first], sum, table.columns[1].name,
            kIoColumnTolerance));
      }
    }
  }
}

}  // namespace

Economy load_economy(const std::filesystem::path& dir, std::size_t mobile_regions) {
  const auto read = [&dir](const char* name, const std::vector<std::string>& columns) {
    return read_long_table(dir / name, columns);
  };

  std::error_code ec;
  if (!std::filesystem::exists(dir / "value_added_share.csv", ec) &&
      std::filesystem::exists(dir / "xbilat.txt", ec)) {
    throw InvalidInput(fmt::format(
        "{}: holds the replication kit's Base_Year layout (xbilat.txt), not the six long tables: "
        "load it with load_kit_economy, or from a scenario (data.tables, data.theta), since the "
        "kit's files carry no theta and no labels",
        dir.string()));
  }
  // value_added_share.csv defines the sector and region orders (first appearance).
  const LongTable va = read("value_added_share.csv", {"sector", "region", "value"});
  Economy e;
  e.sector_names = va.columns[0].labels;
  e.region_names = va.columns[1].labels;
  e.sectors = e.sector_names.size();
  e.regions = e.region_names.size();
  if (mobile_regions > e.regions) {
    throw DimensionMismatch(fmt::format("mobile_regions = {}, must be <= the {} regions of {}",
                                        mobile_regions, e.regions, va.file));
  }
  e.mobile_regions = mobile_regions;
  const LabelIndex sectors(e.sector_names, "sector", va.file);
  const LabelIndex regions(e.region_names, "region", va.file);

  // Plausible ranges, not only the definitional ones: the solvers raise costs and shares to the
  // powers theta, 1/gamma and 1/(1 - xi), and outside these ranges those powers leave double
  // precision (1/theta = 1e300 passed (0, inf) and ended in NaN outputs). The CDP tables lie well
  // inside: 1/theta in [0.0196, 0.99], gamma in [0.0043, 1], xi in [0.34, 0.76].
  e.gamma = to_grid(va, {&sectors, &regions}).values;
  require_each(va, "gamma", "in [0.001, 1]", [](double v) { return v >= 1e-3 && v <= 1.0; });

  const LongTable structures = read("structures_share.csv", {"region", "value"});
  e.xi = to_grid(structures, {&regions}).values;
  require_each(structures, "xi", "in [0, 0.99]", [](double v) { return v >= 0.0 && v <= 0.99; });

  const LongTable dispersion = read("sectoral_dispersion.csv", {"sector", "value"});
  e.theta = to_grid(dispersion, {&sectors}).values;
  require_each(dispersion, "1/theta", "in [0.005, 10] (theta from 0.1 to 200)",
               [](double v) { return v >= 5e-3 && v <= 10.0; });
  for (double& theta : e.theta) theta = 1.0 / theta;

  const LongTable trade = read("bilateral_trade.csv", {"sector", "destination", "source", "value"});
  e.trade_flows = to_grid(trade, {&sectors, &regions, &regions}).values;
  require_each(trade, "flow", ">= 0", [](double v) { return v >= 0.0; });

  const LongTable io_table =
      read("io_coefficients.csv", {"country", "source_sector", "dest_sector", "value"});
  const std::vector<std::size_t> io_block = io_blocks_of_regions(io_table, e);
  const LabelIndex blocks(io_table.columns[0].labels, "country block", io_table.file);
  const Grid io = to_grid(io_table, {&blocks, &sectors, &sectors});
  require_each(io_table, "IO coefficient", ">= 0", [](double v) { return v >= 0.0; });
  require_io_columns(io_table, io, e.sectors);

  derive_reference_state(e, io.values, io_block);

  // gross_output.csv is redundant (E30 sales): a consistency check only.
  const LongTable output = read("gross_output.csv", {"sector", "region", "value"});
  const Grid go = to_grid(output, {&sectors, &regions});
  for (std::size_t cell = 0; cell < go.values.size(); ++cell) {
    const double table_value = go.values[cell];
    const double sales = e.gross_output[cell];
    const double scale = std::max(std::abs(table_value), std::abs(sales));
    if (std::abs(table_value - sales) > kGrossOutputTolerance * scale) {
      throw InvalidInput(fmt::format(
          "{}: gross output = {}, must equal {}, the sum over destinations in {}, within {:g} "
          "relative",
          output.where(go.record[cell]), table_value, sales, trade.file, kGrossOutputTolerance));
    }
  }
  return e;
}

}  // namespace dynhat
