// The economy-data layer: the structure and reference (base-year) equilibrium of a multi-sector
// Eaton-Kortum economy with input-output links and structures (MODEL.md sections 1, 2 and 6), read
// from the six long-format tables of ../shared/data/cdp2000 and derived by equations E30-E36.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace dynhat {

/// Structure and reference equilibrium of a multi-sector Eaton-Kortum economy (MODEL.md §2, §6).
/// Indices are 0-based, arrays row-major with the last index fastest: sectors j, k, s < J,
/// regions n, i < N. Values are in the units of the tables (CDP: millions of USD per year).
struct Economy {
  std::size_t sectors = 0;                ///< J
  std::size_t regions = 0;                ///< N
  std::size_t mobile_regions = 0;         ///< R: the first R regions are mobile (US states)
  std::vector<std::string> sector_names;  ///< [J] in order of first appearance in the γ table
  std::vector<std::string> region_names;  ///< [N] in order of first appearance in the γ table
  std::vector<double> theta;              ///< [J] trade elasticities θ_j (the file stores 1/θ_j)
  std::vector<double> gamma;              ///< [J][N] flat j·N+n: value-added share γ^{nj}
  std::vector<double> xi;                 ///< [N] structures share of value added ξ_n
  /// [N][J][J] flat (n·J+s)·J+k: G[n][s][k] = (1 − γ^{nk}) IO_{b(n)}[s][k], the share of
  /// source-sector s inputs in the gross output of sector k in region n (E32).
  std::vector<double> G;
  std::vector<double> alpha;  ///< [J] final-demand shares α_j, the same for every region (E35)
  std::vector<double> iota;   ///< [N] shares ι_n of the global portfolio, Σ_n ι_n = 1 (E36)
  double chi = 0.0;           ///< χ = Σ_n VAR_n, the global rents from structures (E36)
  /// [J][N][N] flat (j·N+n)·N+i: xbilat[j][n][i], the sector-j flow from source i to
  /// destination n (bought by n from i).
  std::vector<double> trade_flows;
  /// [J][N][N] flat (j·N+n)·N+i: Din[j][n][i] = π^{ni,j}, the share of destination n's sector-j
  /// absorption bought from source i; each (j, n) row sums to 1, or is 0 where X0 = 0 (E31).
  std::vector<double> trade_shares;
  std::vector<double> absorption;    ///< [J][N] flat j·N+n: X0^{nj} = Σ_i xbilat[j][n][i] (E30)
  std::vector<double> gross_output;  ///< [J][N] flat j·N+n: Y0^{nj} = Σ_d xbilat[j][d][n] (E30)
  std::vector<double> VAL;           ///< [J][N] flat j·N+n: labor compensation γ(1−ξ)Y0 (E33)
  std::vector<double> VAR;           ///< [J][N] flat j·N+n: payments to structures γξY0 (E33)
  std::vector<double> balance;       ///< [N] trade surplus Bn_n = Σ_j (Y0^{nj} − X0^{nj}) (E34)
};

/// Reads the six tables of `dir` (bilateral_trade.csv, gross_output.csv, io_coefficients.csv,
/// sectoral_dispersion.csv, structures_share.csv, value_added_share.csv; columns and dialect as
/// in ../shared/data/cdp2000/README.md), validates them and derives E30-E36.
///
/// Sectors and regions are ordered by first appearance in value_added_share.csv, and every
/// table must hold each (sector, region[, region]) entry exactly once with those labels. The
/// io_coefficients blocks are ordered by first appearance: the first block serves the mobile
/// regions and every other region without a block of its own (CDP: "United States", shared by
/// the 50 states); the other blocks must be the last regions, in region order (the countries).
/// Rules: flows >= 0, γ in (0, 1], ξ in [0, 1), 1/θ > 0, IO coefficients >= 0 with each
/// (country, dest_sector) column summing to 1 ± 1e-6, gross_output equal to the sum of the flows
/// over destinations within 1e-6 relative (a check only), every number finite. `mobile_regions`
/// R must be <= N. Throws InvalidInput (or DimensionMismatch) naming the file, the entry (line
/// and labels) and the rule broken.
Economy load_economy(const std::filesystem::path& dir, std::size_t mobile_regions);

/// How a directory of base-year tables is laid out: dynhat's six long-format CSV tables
/// (load_economy) or the replication kit's Base_Year/*.txt matrices (load_kit_economy).
enum class TableLayout { dynhat, kit };
/// dynhat when `dir` holds value_added_share.csv, kit when it holds xbilat.txt; InvalidInput
/// naming `dir` when it holds neither or both.
TableLayout detect_table_layout(const std::filesystem::path& dir);
/// The files of a layout, relative to its directory (the manifest hashes them).
std::vector<std::string> table_files(TableLayout layout);

/// What the kit's Base_Year files do not carry: θ (set in the kit's Base_year.m) and the labels.
struct KitLabels {
  std::vector<double> theta;              ///< [J] θ_j themselves (sectoral_dispersion.csv: 1/θ_j)
  std::vector<std::string> sector_names;  ///< [J]; empty: "sector 0", "sector 1", ...
  std::vector<std::string> region_names;  ///< [N]; empty: "region 0", "region 1", ...
};

/// Reads the replication kit's base-year tables from `dir` (whitespace-separated numbers, no
/// labels), validates them by the rules of load_economy and derives E30-E36 into the same
/// Economy that the long-format tables of the same data give:
///   gamma.txt      N x J        γ: row n region, column j sector (gives J and N);
///   xbilat.txt     (J·N) x N    flows stacked by sector: row j·N+n destination n, column i source;
///   IO_tables.txt  (1+C)·J x J  IO blocks: block 0 the first S regions' (the US states'), then
///                               one per country; row s source sector, column k using sector,
///                               each column summing to 1 ± 1e-6;
///   GO.txt         N x J        gross output (a check against the flows' sales, 1e-6 relative);
///   B.txt          S x 1        ξ of the first S regions (S x J with equal columns accepted);
///   B_row.txt      C x 1        ξ of the C countries; S + C = N, regions ordered states first.
/// θ (in [0.1, 200]) and the names come from `labels`. `mobile_regions` R must be <= S. Throws
/// InvalidInput (or DimensionMismatch) naming the file, the line and column and the rule broken.
Economy load_kit_economy(const std::filesystem::path& dir, std::size_t mobile_regions,
                         const KitLabels& labels);

/// Fills G, alpha, iota, chi, trade_shares, absorption, gross_output, VAL, VAR and balance of `e`
/// by E30-E36 from its already-filled sectors, regions, gamma, xi and trade_flows (used by the
/// loader and by synthetic economies). `io`: [B][J][J] flat (b·J+s)·J+k, IO block b's share of
/// source sector s in the intermediate bundle of sector k; `io_block`: [N] the block b(n) of each
/// region. Throws DimensionMismatch when a size disagrees with J and N, InvalidInput when χ or
/// the world's final demand Σ_n (VAL_n + VAR_n − Bn_n) is not positive.
void derive_reference_state(Economy& e, const std::vector<double>& io,
                            const std::vector<std::size_t>& io_block);

}  // namespace dynhat
