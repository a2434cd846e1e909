// Long-format CSV tables (../shared/data/cdp2000): a header line naming the columns, then one
// record per line holding label columns followed by one numeric value column. RFC 4180 dialect:
// `,` separator, LF or CRLF line ends, fields optionally enclosed in double quotes (a quoted field
// may hold commas, line breaks and `""` for a quote). Labels are kept verbatim (no trimming);
// blanks around the number are allowed. Blank lines are allowed only at the end of the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace dynhat {

/// One label column of a long table, its labels interned in order of first appearance.
struct LabelColumn {
  std::string name;                       ///< the header name
  std::vector<std::string> labels;        ///< [distinct labels] in order of first appearance
  std::vector<std::size_t> first_record;  ///< [distinct labels] record of the first appearance
  std::vector<std::uint32_t> ids;         ///< [records] index into `labels` of each record
};

/// A long table read from a file: records r = 0..records()-1 in file order.
struct LongTable {
  std::string file;                  ///< the path as given, used in messages
  std::vector<LabelColumn> columns;  ///< [label columns] in header order
  std::string value_name;            ///< header name of the numeric last column
  std::vector<double> values;        ///< [records] finite numbers of the last column
  std::vector<std::size_t> lines;    ///< [records] 1-based line where each record starts

  std::size_t records() const { return values.size(); }
  const std::string& label(std::size_t column, std::size_t record) const {
    return columns[column].labels[columns[column].ids[record]];
  }
  /// "file line L (sector 'X', region 'Y')": the entry named in messages.
  std::string where(std::size_t record) const;
};

/// Reads `path`, whose header must be exactly `columns` (the last one names the numeric value).
/// Throws InvalidInput naming the file, the line and the rule for: an unreadable or empty file,
/// a header that differs, a record with another number of fields, a malformed quoted field, a
/// value that is not a number or not finite, a blank line before the end, no records at all.
LongTable read_long_table(const std::filesystem::path& path,
                          const std::vector<std::string>& columns);

}  // namespace dynhat
