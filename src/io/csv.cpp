// Text matrices, one row per line, no header: CSV (comma-separated numbers) and the whitespace-
// separated .txt of the replication kit (MATLAB's save -ascii, dlmwrite with ' ').
#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "dynhat/error.hpp"
#include "dynhat/io.hpp"
#include "io/file_bytes.hpp"

namespace dynhat {

namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

/// How the numbers of a line are separated.
enum class Separator { comma, whitespace };

Matrix read_text_matrix(const std::filesystem::path& path, Separator separator) {
  const bool comma = separator == Separator::comma;
  const std::string text = read_text_file(path);
  Matrix x;
  std::size_t line_number = 0;
  const char* p = text.data();
  const char* const end = p + text.size();
  while (p < end) {
    const char* line_end = p;
    while (line_end < end && *line_end != '\n') ++line_end;
    ++line_number;
    const char* q = p;
    while (q < line_end && is_blank(*q)) ++q;
    if (q == line_end) {  // blank lines are allowed only at the end
      p = line_end + 1;
      const char* rest = p;
      while (rest < end && (is_blank(*rest) || *rest == '\n')) ++rest;
      if (rest < end) {
        throw InvalidInput(
            fmt::format("{} line {}: empty line inside the matrix", path.string(), line_number));
      }
      break;
    }
    std::size_t column = 0;
    while (true) {
      while (q < line_end && is_blank(*q)) ++q;
      double value = 0.0;
      const auto [next, ec] = std::from_chars(q, line_end, value);
      const char* after = next;
      while (after < line_end && is_blank(*after)) ++after;
      // Whitespace-separated: a number ends at a blank (skipped above) or the line's end.
      const bool separated = after == line_end || (comma ? *after == ',' : after > next);
      if (ec != std::errc() || !separated) {
        const char* field_end = q;
        while (field_end < line_end && (comma ? *field_end != ',' : !is_blank(*field_end))) {
          ++field_end;
        }
        throw InvalidInput(fmt::format("{} line {} column {}: '{}' is not a number", path.string(),
                                       line_number, column + 1, std::string(q, field_end)));
      }
      if (!std::isfinite(value)) {
        throw InvalidInput(fmt::format("{} line {} column {}: {} is not finite", path.string(),
                                       line_number, column + 1, value));
      }
      x.data.push_back(value);
      ++column;
      if (after == line_end) break;
      q = comma ? after + 1 : after;
    }
    if (x.rows == 0) {
      x.cols = column;
    } else if (column != x.cols) {
      throw InvalidInput(fmt::format("{} line {} has {} columns, line 1 has {} (ragged rows)",
                                     path.string(), line_number, column, x.cols));
    }
    ++x.rows;
    p = line_end + 1;
  }
  if (x.rows == 0) throw InvalidInput(fmt::format("{}: the file holds no numbers", path.string()));
  return x;
}

}  // namespace

Matrix read_csv(const std::filesystem::path& path) {
  return read_text_matrix(path, Separator::comma);
}

Matrix read_whitespace_matrix(const std::filesystem::path& path) {
  return read_text_matrix(path, Separator::whitespace);
}

void write_csv(const std::filesystem::path& path, const Matrix& x) {
  std::string text;
  text.reserve(x.size() * 24);
  for (std::size_t r = 0; r < x.rows; ++r) {
    for (std::size_t c = 0; c < x.cols; ++c) {
      if (c > 0) text += ',';
      fmt::format_to(std::back_inserter(text), "{}", x(r, c));  // shortest round-trip form
    }
    text += '\n';
  }
  write_text_file(path, text);
}

}  // namespace dynhat
