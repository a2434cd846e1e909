#include "support/kit_layout.hpp"

#include <fmt/format.h>

#include <fstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "economy/long_table.hpp"

namespace dynhat::testing {

namespace {

/// Position of each label of a table column on an axis given by `names`.
std::vector<std::size_t> positions(const LongTable& t, std::size_t column,
                                   const std::vector<std::string>& names) {
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t k = 0; k < names.size(); ++k) index[names[k]] = k;
  std::vector<std::size_t> out;
  for (std::uint32_t id : t.columns[column].ids)
    out.push_back(index.at(t.columns[column].labels[id]));
  return out;
}

/// rows x cols numbers written as MATLAB's save -ascii does: blank-separated, one row a line.
void write_rows(const std::filesystem::path& path, const std::vector<double>& x, std::size_t cols) {
  std::ofstream out(path);
  for (std::size_t k = 0; k < x.size(); ++k) {
    out << "   " << fmt::format("{}", x[k]) << ((k + 1) % cols == 0 ? "\n" : "");
  }
}

}  // namespace

KitLabels write_kit_layout(const std::filesystem::path& long_dir,
                           const std::filesystem::path& kit_dir) {
  std::filesystem::create_directories(kit_dir);
  const LongTable va =
      read_long_table(long_dir / "value_added_share.csv", {"sector", "region", "value"});
  KitLabels labels;
  labels.sector_names = va.columns[0].labels;
  labels.region_names = va.columns[1].labels;
  const std::vector<std::string>& sectors = labels.sector_names;
  const std::vector<std::string>& regions = labels.region_names;
  const std::size_t J = sectors.size(), N = regions.size();

  // gamma.txt and GO.txt: N x J, row n region, column j sector.
  for (const auto& [file, name] :
       {std::pair{"value_added_share.csv", "gamma.txt"}, std::pair{"gross_output.csv", "GO.txt"}}) {
    const LongTable t = read_long_table(long_dir / file, {"sector", "region", "value"});
    const std::vector<std::size_t> j = positions(t, 0, sectors), n = positions(t, 1, regions);
    std::vector<double> x(N * J);
    for (std::size_t r = 0; r < t.records(); ++r) x[n[r] * J + j[r]] = t.values[r];
    write_rows(kit_dir / name, x, J);
  }

  // xbilat.txt: (J*N) x N, row j*N + n destination n, column i source.
  const LongTable trade = read_long_table(long_dir / "bilateral_trade.csv",
                                          {"sector", "destination", "source", "value"});
  const std::vector<std::size_t> tj = positions(trade, 0, sectors);
  const std::vector<std::size_t> tn = positions(trade, 1, regions),
                                 ti = positions(trade, 2, regions);
  std::vector<double> xbilat(J * N * N);
  for (std::size_t r = 0; r < trade.records(); ++r) {
    xbilat[(tj[r] * N + tn[r]) * N + ti[r]] = trade.values[r];
  }
  write_rows(kit_dir / "xbilat.txt", xbilat, N);

  // IO_tables.txt: the blocks in file order (the shared one first), row s source, column k using.
  const LongTable io = read_long_table(long_dir / "io_coefficients.csv",
                                       {"country", "source_sector", "dest_sector", "value"});
  const std::vector<std::string>& blocks = io.columns[0].labels;
  const std::vector<std::size_t> ib = positions(io, 0, blocks);
  const std::vector<std::size_t> is = positions(io, 1, sectors), ik = positions(io, 2, sectors);
  std::vector<double> tables(blocks.size() * J * J);
  for (std::size_t r = 0; r < io.records(); ++r) {
    tables[(ib[r] * J + is[r]) * J + ik[r]] = io.values[r];
  }
  write_rows(kit_dir / "IO_tables.txt", tables, J);

  // B.txt: the regions of the shared block (all but the last blocks-1), B_row.txt the others.
  const LongTable structures =
      read_long_table(long_dir / "structures_share.csv", {"region", "value"});
  const std::vector<std::size_t> sn = positions(structures, 0, regions);
  std::vector<double> xi(N);
  for (std::size_t r = 0; r < structures.records(); ++r) xi[sn[r]] = structures.values[r];
  const std::size_t states = N - (blocks.size() - 1);
  write_rows(kit_dir / "B.txt", {xi.begin(), xi.begin() + states}, 1);
  write_rows(kit_dir / "B_row.txt", {xi.begin() + states, xi.end()}, 1);

  const LongTable dispersion =
      read_long_table(long_dir / "sectoral_dispersion.csv", {"sector", "value"});
  const std::vector<std::size_t> dj = positions(dispersion, 0, sectors);
  labels.theta.assign(J, 0.0);
  for (std::size_t r = 0; r < dispersion.records(); ++r)
    labels.theta[dj[r]] = 1.0 / dispersion.values[r];
  return labels;
}

}  // namespace dynhat::testing
