// CSV matrices: one row per line, comma-separated numbers, no header.
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

}  // namespace

Matrix read_csv(const std::filesystem::path& path) {
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
      if (ec != std::errc() || (after < line_end && *after != ',')) {
        const char* field_end = q;
        while (field_end < line_end && *field_end != ',') ++field_end;
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
      q = after + 1;
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
