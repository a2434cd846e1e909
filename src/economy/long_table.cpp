// RFC 4180 reader of the long-format tables: one pass over the whole file held in memory, labels
// interned per column (a few hundred distinct labels against 10^5 records), numbers parsed with
// std::from_chars. bilateral_trade.csv (166,518 records, 8 MB) reads in tens of milliseconds.
#include "economy/long_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include <string_view>
#include <unordered_map>

#include "dynhat/error.hpp"
#include "io/file_bytes.hpp"

namespace dynhat {

namespace {

/// Position in the text being split into records.
struct Cursor {
  const std::string& file;
  const char* p;
  const char* end;
  std::size_t line = 1;  ///< 1-based line of `p`
};

struct Record {
  std::size_t fields = 0;  ///< 0: end of the text
  std::size_t line = 0;    ///< line where the record starts
  bool blank = false;      ///< an empty line (one empty unquoted field)
};

bool at_line_end(const Cursor& c) {
  return c.p == c.end || *c.p == '\n' || (*c.p == '\r' && (c.p + 1 == c.end || c.p[1] == '\n'));
}

/// Reads the next record into fields[0 .. fields-1] (reusing their storage).
Record read_record(Cursor& c, std::vector<std::string>& fields) {
  Record record;
  record.line = c.line;
  if (c.p == c.end) return record;
  bool quoted_any = false;
  while (true) {
    if (record.fields == fields.size()) fields.emplace_back();
    std::string& field = fields[record.fields++];
    field.clear();
    if (c.p < c.end && *c.p == '"') {
      quoted_any = true;
      const std::size_t open_line = c.line;
      ++c.p;
      while (true) {
        if (c.p == c.end) {
          throw InvalidInput(fmt::format("{} line {}: the quoted field {} has no closing quote",
                                         c.file, open_line, record.fields));
        }
        const char ch = *c.p++;
        if (ch == '"') {
          if (c.p < c.end && *c.p == '"') {  // "" stands for one quote
            field += '"';
            ++c.p;
            continue;
          }
          break;
        }
        if (ch == '\n') ++c.line;
        field += ch;
      }
      if (!at_line_end(c) && *c.p != ',') {
        throw InvalidInput(fmt::format(
            "{} line {}: text after the closing quote of field {}, must be ',' or the line end",
            c.file, c.line, record.fields));
      }
    } else {
      const char* start = c.p;
      while (c.p < c.end && *c.p != ',' && *c.p != '\n') {
        if (*c.p == '"') {
          throw InvalidInput(fmt::format(
              "{} line {}: a quote inside the unquoted field {} (quote the whole field)", c.file,
              c.line, record.fields));
        }
        ++c.p;
      }
      const char* stop = c.p;
      if (stop > start && stop[-1] == '\r' && (c.p == c.end || *c.p == '\n')) --stop;  // CRLF
      field.assign(start, stop);
    }
    if (c.p < c.end && *c.p == '\r') ++c.p;  // CR of a CRLF after a closing quote
    if (c.p == c.end) break;
    if (*c.p++ == '\n') {
      ++c.line;
      break;
    }
  }
  record.blank = record.fields == 1 && !quoted_any && fields[0].empty();
  return record;
}

std::string join(const std::vector<std::string>& fields, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) out += ',';
    out += fields[i];
  }
  return out;
}

double parse_value(const std::string& text, const std::string& file, std::size_t line,
                   const std::string& column) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  while (begin < end && (*begin == ' ' || *begin == '\t')) ++begin;
  while (end > begin && (end[-1] == ' ' || end[-1] == '\t')) --end;
  double value = 0.0;
  const auto [next, ec] = std::from_chars(begin, end, value);
  if (begin == end || ec == std::errc::invalid_argument || next != end) {
    throw InvalidInput(
        fmt::format("{} line {}: {} '{}' is not a number", file, line, column, text));
  }
  if (ec == std::errc::result_out_of_range || !std::isfinite(value)) {
    throw InvalidInput(fmt::format("{} line {}: {} '{}' is not finite, must be a finite number",
                                   file, line, column, text));
  }
  return value;
}

}  // namespace

std::string LongTable::where(std::size_t record) const {
  std::string out = fmt::format("{} line {} (", file, lines[record]);
  for (std::size_t c = 0; c < columns.size(); ++c) {
    fmt::format_to(std::back_inserter(out), "{}{} '{}'", c > 0 ? ", " : "", columns[c].name,
                   label(c, record));
  }
  out += ')';
  return out;
}

LongTable read_long_table(const std::filesystem::path& path,
                          const std::vector<std::string>& columns) {
  const std::string text = read_file_bytes(path);
  LongTable table;
  table.file = path.string();
  Cursor cursor{table.file, text.data(), text.data() + text.size()};
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) cursor.p += 3;  // UTF-8 byte-order mark

  const std::size_t width = columns.size();
  std::vector<std::string> fields;
  const Record header = read_record(cursor, fields);
  if (header.fields == 0 || header.blank) {
    throw InvalidInput(fmt::format("{}: the file is empty, must start with the header '{}'",
                                   table.file, join(columns, width)));
  }
  if (header.fields != width || !std::equal(columns.begin(), columns.end(), fields.begin())) {
    throw InvalidInput(fmt::format("{} line 1: the header is '{}', must be '{}'", table.file,
                                   join(fields, header.fields), join(columns, width)));
  }
  table.columns.resize(width - 1);
  for (std::size_t c = 0; c + 1 < width; ++c) table.columns[c].name = columns[c];
  table.value_name = columns.back();
  std::vector<std::unordered_map<std::string, std::uint32_t>> ids(width - 1);

  std::size_t blank_line = 0;  // first blank line seen, 0: none
  while (true) {
    const Record record = read_record(cursor, fields);
    if (record.fields == 0) break;
    if (record.blank) {
      if (blank_line == 0) blank_line = record.line;
      continue;
    }
    if (blank_line != 0) {
      throw InvalidInput(fmt::format(
          "{} line {}: blank line inside the table (blank lines are allowed only at the end)",
          table.file, blank_line));
    }
    if (record.fields != width) {
      throw InvalidInput(fmt::format("{} line {}: {} fields, must be {} as in the header '{}'",
                                     table.file, record.line, record.fields, width,
                                     join(columns, width)));
    }
    const std::size_t index = table.values.size();
    for (std::size_t c = 0; c + 1 < width; ++c) {
      LabelColumn& column = table.columns[c];
      const auto [it, inserted] =
          ids[c].try_emplace(fields[c], static_cast<std::uint32_t>(column.labels.size()));
      if (inserted) {
        column.labels.push_back(fields[c]);
        column.first_record.push_back(index);
      }
      column.ids.push_back(it->second);
    }
    table.values.push_back(parse_value(fields[width - 1], table.file, record.line, columns.back()));
    table.lines.push_back(record.line);
  }
  if (table.values.empty()) {
    throw InvalidInput(
        fmt::format("{}: no records after the header, must have at least one", table.file));
  }
  return table;
}

}  // namespace dynhat
