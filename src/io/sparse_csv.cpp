// Sparse migration matrices in the long-format CSV `origin,destination,share` (one line per
// stored entry, in any order), read and written; and read_sparse_matrix, which picks it or
// scipy's .npz (io/npz.cpp) by the file's extension. The reader holds the entries with their line
// numbers until they are sorted into rows, so a repeated pair is reported with both its lines.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>
#include <string_view>
#include <vector>

#include "dynhat/error.hpp"
#include "dynhat/io.hpp"
#include "io/npz.hpp"

namespace dynhat {

namespace {

constexpr std::string_view kHeader = "origin,destination,share";
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
// is_sparse_matrix_file reads no further for the first line: a header line is 24 bytes and
// blanks, a dense matrix's first line may be megabytes.
constexpr std::size_t kFirstLineMax = 4096;

// Quoted text in a message is cut to this many bytes (a dense matrix's first line may be long).
constexpr std::size_t kQuotedMax = 80;

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

/// `text` for a message, cut to kQuotedMax bytes.
std::string quoted(std::string_view text) {
  if (text.size() <= kQuotedMax) return std::string(text);
  return std::string(text.substr(0, kQuotedMax)) + "...";
}

/// `line` (without its '\n') is the header: origin, destination and share, blanks around each
/// (a trailing \r among them) ignored.
bool is_header(std::string_view line) {
  std::string_view rest = line;
  for (const std::string_view name : {"origin", "destination", "share"}) {
    const std::size_t comma = rest.find(',');
    if (trim(rest.substr(0, comma)) != name) return false;
    if (name == "share") return comma == std::string_view::npos;
    if (comma == std::string_view::npos) return false;
    rest.remove_prefix(comma + 1);
  }
  return false;
}

/// One stored entry and the line that gave it.
struct Entry {
  std::int32_t origin = 0;
  std::int32_t destination = 0;
  double share = 0.0;
  std::size_t line = 0;
};

/// A market index: digits only (no sign, no decimal point), below `markets`.
std::int32_t parse_index(std::string_view field, const char* column, std::size_t markets,
                         const std::string& file, std::size_t line) {
  const std::string_view text = trim(field);
  std::uint64_t value = 0;
  const auto [next, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec == std::errc::invalid_argument || next != text.data() + text.size()) {
    throw InvalidInput(fmt::format("{} line {}: {} '{}' is not a non-negative integer", file, line,
                                   column, quoted(text)));
  }
  if (ec == std::errc::result_out_of_range || value >= markets) {
    throw InvalidInput(fmt::format(
        "{} line {}: {} {} is out of range, must be below {} (the markets, numbered from 0)", file,
        line, column, quoted(text), markets));
  }
  return static_cast<std::int32_t>(value);  // markets <= 2^31 - 1 (read_sparse_matrix)
}

double parse_share(std::string_view field, const std::string& file, std::size_t line) {
  const std::string_view text = trim(field);
  double value = 0.0;
  const auto [next, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec == std::errc::invalid_argument || next != text.data() + text.size()) {
    throw InvalidInput(
        fmt::format("{} line {}: share '{}' is not a number", file, line, quoted(text)));
  }
  if (ec == std::errc::result_out_of_range || !std::isfinite(value)) {
    throw InvalidInput(fmt::format("{} line {}: share '{}' is not finite, must be a finite number",
                                   file, line, quoted(text)));
  }
  if (value < 0.0) {
    throw InvalidInput(
        fmt::format("{} line {}: share {} is negative, must be >= 0", file, line, quoted(text)));
  }
  return value;
}

SparseMatrix read_sparse_csv(const std::filesystem::path& path, std::size_t markets) {
  const std::string text = read_text_file(path);
  const std::string file = path.string();
  std::string_view rest = text;
  if (rest.substr(0, kByteOrderMark.size()) == kByteOrderMark) {
    rest.remove_prefix(kByteOrderMark.size());
  }
  std::vector<Entry> entries;
  std::size_t line = 0;
  std::size_t blank_line = 0;  // the first blank line, 0: none yet
  while (!rest.empty()) {
    const std::size_t newline = rest.find('\n');
    const std::string_view content = rest.substr(0, newline);
    rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
    ++line;
    if (line == 1) {
      if (!is_header(content)) {
        throw InvalidInput(fmt::format("{} line 1: the header is '{}', must be '{}'", file,
                                       quoted(trim(content)), kHeader));
      }
      continue;
    }
    if (trim(content).empty()) {
      if (blank_line == 0) blank_line = line;
      continue;
    }
    if (blank_line != 0) {
      throw InvalidInput(fmt::format(
          "{} line {}: blank line inside the table (blank lines are allowed only at the end)", file,
          blank_line));
    }
    std::string_view fields[3];
    std::size_t count = 0;
    std::string_view remaining = content;
    while (true) {
      const std::size_t comma = remaining.find(',');
      if (count < 3) fields[count] = remaining.substr(0, comma);
      ++count;
      if (comma == std::string_view::npos) break;
      remaining.remove_prefix(comma + 1);
    }
    if (count != 3) {
      throw InvalidInput(fmt::format("{} line {}: {} fields, must be 3 as in the header '{}'", file,
                                     line, count, kHeader));
    }
    Entry entry;
    entry.origin = parse_index(fields[0], "origin", markets, file, line);
    entry.destination = parse_index(fields[1], "destination", markets, file, line);
    entry.share = parse_share(fields[2], file, line);
    entry.line = line;
    entries.push_back(entry);
  }
  if (line == 0) {
    throw InvalidInput(
        fmt::format("{}: the file is empty, must start with the header '{}'", file, kHeader));
  }

  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    if (a.origin != b.origin) return a.origin < b.origin;
    if (a.destination != b.destination) return a.destination < b.destination;
    return a.line < b.line;
  });
  // Of the repeated pairs, the one whose second line comes first in the file.
  const Entry* first = nullptr;
  const Entry* second = nullptr;
  for (std::size_t e = 1; e < entries.size(); ++e) {
    const Entry& a = entries[e - 1];
    const Entry& b = entries[e];
    if (a.origin == b.origin && a.destination == b.destination &&
        (second == nullptr || b.line < second->line)) {
      first = &a;
      second = &b;
    }
  }
  if (second != nullptr) {
    throw InvalidInput(fmt::format(
        "{} lines {} and {}: origin {}, destination {} is listed twice, each pair at most once",
        file, first->line, second->line, first->origin, first->destination));
  }

  SparseMatrix x;
  x.rows = markets;
  x.cols = markets;
  x.row_start.assign(markets + 1, 0);
  x.columns.reserve(entries.size());
  x.values.reserve(entries.size());
  for (const Entry& entry : entries) {
    ++x.row_start[static_cast<std::size_t>(entry.origin) + 1];
    x.columns.push_back(entry.destination);
    x.values.push_back(entry.share);
  }
  for (std::size_t i = 0; i < markets; ++i) x.row_start[i + 1] += x.row_start[i];
  return x;
}

}  // namespace

SparseMatrix read_sparse_matrix(const std::filesystem::path& path, std::size_t markets) {
  if (markets > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    throw DimensionMismatch(fmt::format("{}: {} markets, a sparse matrix holds at most 2^31 - 1",
                                        path.string(), markets));
  }
  if (path.extension() == ".npz") return read_sparse_npz(path, markets);
  if (path.extension() == ".csv") return read_sparse_csv(path, markets);
  throw InvalidInput(fmt::format(
      "{}: unknown sparse matrix format '{}', use .csv (origin,destination,share) or .npz "
      "(scipy.sparse.save_npz of a CSR matrix)",
      path.string(), path.extension().string()));
}

bool is_sparse_matrix_file(const std::filesystem::path& path) {
  if (path.extension() == ".npz") return true;
  if (path.extension() != ".csv") return false;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;  // its reader says what is wrong
  std::ifstream in(path, std::ios::binary);
  std::string start(kFirstLineMax, '\0');
  in.read(start.data(), static_cast<std::streamsize>(start.size()));
  start.resize(static_cast<std::size_t>(in.gcount()));
  std::string_view first = start;
  if (first.substr(0, kByteOrderMark.size()) == kByteOrderMark) {
    first.remove_prefix(kByteOrderMark.size());
  }
  const std::size_t newline = first.find('\n');
  if (newline == std::string_view::npos && start.size() == kFirstLineMax) return false;
  return is_header(first.substr(0, newline));
}

void write_sparse_csv(const std::filesystem::path& path, const SparseMatrix& x) {
  if (!x.consistent()) {
    throw DimensionMismatch(fmt::format(
        "{}: the sparse matrix breaks the CSR rules (row starts, column bounds, ascending "
        "columns), nothing written",
        path.string()));
  }
  std::string text(kHeader);
  text += '\n';
  text.reserve(text.size() + x.nonzeros() * 32);
  for (std::size_t i = 0; i < x.rows; ++i) {
    for (auto e = static_cast<std::size_t>(x.row_start[i]);
         e < static_cast<std::size_t>(x.row_start[i + 1]); ++e) {
      // "{}" of a double: the shortest decimal that reads back to the same bits.
      fmt::format_to(std::back_inserter(text), "{},{},{}\n", i, x.columns[e], x.values[e]);
    }
  }
  write_text_file(path, text);
}

}  // namespace dynhat
