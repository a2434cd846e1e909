// NumPy .npy files, format versions 1.0-3.0: little-endian float64 ('<f8'), C order, 1-D or 2-D.
// The reader trusts nothing in the header: the dictionary is parsed as the literal NumPy writes
// (exactly the keys descr, fortran_order and shape), the shape's product is computed with
// overflow checks, and the file's size must equal the header plus the bytes the shape declares
// before anything is allocated, so a tiny file cannot claim gigabytes. The header's parser
// (io/npy_header.hpp) also reads the members of .npz archives.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>

#include "dynhat/error.hpp"
#include "dynhat/io.hpp"
#include "io/file_bytes.hpp"
#include "io/npy_header.hpp"

namespace dynhat {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicSize = 6;

/// Recursive-descent parser of the header's Python dict literal, e.g.
/// {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& name) : text_(text), name_(name) {}

  NpyHeader parse() {
    NpyHeader header;
    bool seen_descr = false, seen_order = false, seen_shape = false;
    expect('{');
    while (true) {
      skip_spaces();
      if (peek() == '}') break;
      const std::string key = quoted();
      expect(':');
      if (key == "descr" && !seen_descr) {
        header.descr = quoted();
        seen_descr = true;
      } else if (key == "fortran_order" && !seen_order) {
        header.fortran_order = boolean();
        seen_order = true;
      } else if (key == "shape" && !seen_shape) {
        header.shape = tuple();
        seen_shape = true;
      } else {
        fail(
            fmt::format("key '{}' is unknown or repeated, the keys must be descr, "
                        "fortran_order and shape",
                        key));
      }
      skip_spaces();
      if (peek() == ',') {
        ++pos_;
      } else if (peek() != '}') {
        fail("expected ',' or '}' after an entry");
      }
    }
    ++pos_;  // '}'
    skip_spaces();
    if (pos_ != text_.size()) fail("text after the closing '}'");
    if (!seen_descr || !seen_order || !seen_shape) {
      fail("the dictionary must hold descr, fortran_order and shape");
    }
    return header;
  }

 private:
  [[noreturn]] void fail(const std::string& rule) const {
    throw InvalidInput(
        fmt::format("{}: bad .npy header at byte {} of the dictionary: {}", name_, pos_, rule));
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void skip_spaces() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }
  void expect(char c) {
    skip_spaces();
    if (peek() != c) fail(fmt::format("expected '{}'", c));
    ++pos_;
  }
  /// A string in single or double quotes, no escapes (NumPy writes none in these three entries).
  std::string quoted() {
    skip_spaces();
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail("expected a quoted string");
    const std::size_t close = text_.find(quote, pos_ + 1);
    if (close == std::string_view::npos) fail("a string has no closing quote");
    std::string value(text_.substr(pos_ + 1, close - pos_ - 1));
    pos_ = close + 1;
    return value;
  }
  bool boolean() {
    skip_spaces();
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
      const std::size_t n = std::strlen(word);
      if (text_.compare(pos_, n, word) == 0) {
        pos_ += n;
        return value;
      }
    }
    fail("expected True or False");
  }
  /// A tuple of non-negative integers: (), (n,), (r, c), ...; each checked against 2^63.
  std::vector<std::uint64_t> tuple() {
    expect('(');
    std::vector<std::uint64_t> dims;
    while (true) {
      skip_spaces();
      if (peek() == ')') break;
      if (peek() < '0' || peek() > '9') fail("a dimension must be a non-negative integer");
      std::uint64_t value = 0;
      while (peek() >= '0' && peek() <= '9') {
        const std::uint64_t digit = static_cast<std::uint64_t>(peek() - '0');
        if (value > (std::numeric_limits<std::int64_t>::max() - digit) / 10) {
          fail("a dimension is larger than 2^63 - 1");
        }
        value = value * 10 + digit;
        ++pos_;
      }
      dims.push_back(value);
      skip_spaces();
      if (peek() == ',') {
        ++pos_;
      } else if (peek() != ')') {
        fail("expected ',' or ')' in the shape");
      }
    }
    ++pos_;  // ')'
    return dims;
  }

  std::string_view text_;
  const std::string& name_;
  std::size_t pos_ = 0;
};

/// rows * cols * 8 when it fits in 64 bits.
std::optional<std::uint64_t> data_bytes(std::uint64_t rows, std::uint64_t cols) {
  constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max() / sizeof(double);
  if (cols != 0 && rows > max / cols) return std::nullopt;
  return rows * cols * sizeof(double);
}

}  // namespace

NpyLayout parse_npy_preamble(std::string_view start, std::uint64_t file_size,
                             const std::string& name) {
  if (start.size() < kMagicSize + 2 || start.compare(0, kMagicSize, kMagic, kMagicSize) != 0) {
    throw InvalidInput(fmt::format("{}: not a .npy file (bad magic string)", name));
  }
  const int major = static_cast<unsigned char>(start[kMagicSize]);
  std::size_t length_bytes = 0;
  if (major == 1) {
    length_bytes = 2;
  } else if (major == 2 || major == 3) {
    length_bytes = 4;
  } else {
    throw InvalidInput(fmt::format("{}: .npy format version {} is not supported", name, major));
  }
  if (start.size() < kMagicSize + 2 + length_bytes) {
    throw InvalidInput(fmt::format("{}: truncated .npy header", name));
  }
  std::uint32_t header_size = 0;
  for (std::size_t i = 0; i < length_bytes; ++i) {
    header_size |= static_cast<std::uint32_t>(static_cast<unsigned char>(start[kMagicSize + 2 + i]))
                   << (8 * i);
  }
  NpyLayout layout;
  layout.dictionary_offset = kMagicSize + 2 + length_bytes;
  layout.dictionary_size = header_size;
  layout.data_offset = layout.dictionary_offset + std::uint64_t{header_size};
  if (layout.data_offset > file_size) {
    throw InvalidInput(fmt::format("{}: truncated .npy header ({} bytes announced, {} in the file)",
                                   name, header_size, file_size - layout.dictionary_offset));
  }
  return layout;
}

NpyHeader parse_npy_dictionary(std::string_view dictionary, const std::string& name) {
  if (dictionary.empty() || dictionary.back() != '\n') {
    throw InvalidInput(fmt::format("{}: the .npy header must end with a newline", name));
  }
  dictionary.remove_suffix(1);
  return HeaderParser(dictionary, name).parse();
}

Matrix read_npy(const std::filesystem::path& path) {
  const std::uint64_t file_size = regular_file_size(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidInput(fmt::format("{}: cannot open for reading", path.string()));
  char start[kNpyPreambleMax];
  const auto start_size =
      static_cast<std::streamsize>(std::min<std::uint64_t>(file_size, sizeof start));
  if (!in.read(start, start_size)) {
    throw InvalidInput(fmt::format("{}: not a .npy file (bad magic string)", path.string()));
  }
  const std::string name = path.string();
  const NpyLayout layout = parse_npy_preamble(
      std::string_view(start, static_cast<std::size_t>(start_size)), file_size, name);
  const std::uint64_t data_offset = layout.data_offset;
  std::string header(layout.dictionary_size, '\0');
  if (!in.seekg(static_cast<std::streamoff>(layout.dictionary_offset)) ||
      !in.read(header.data(), static_cast<std::streamsize>(header.size()))) {
    throw InvalidInput(fmt::format("{}: truncated .npy header", path.string()));
  }
  const NpyHeader h = parse_npy_dictionary(header, name);
  if (h.descr != "<f8" && h.descr != "f8") {
    throw InvalidInput(fmt::format("{}: dtype '{}' is not supported, must be float64 ('<f8')",
                                   path.string(), h.descr));
  }
  if (h.fortran_order) {
    throw InvalidInput(
        fmt::format("{}: Fortran-order arrays are not supported, save in C order", path.string()));
  }
  if (h.shape.empty() || h.shape.size() > 2) {
    throw InvalidInput(fmt::format("{}: the array has {} dimensions, must be 1-D or 2-D",
                                   path.string(), h.shape.size()));
  }
  const std::uint64_t rows = h.shape.size() == 2 ? h.shape[0] : 1;
  const std::uint64_t cols = h.shape.back();
  const std::string shape =
      h.shape.size() == 2 ? fmt::format("({}, {})", rows, cols) : fmt::format("({},)", cols);
  const std::optional<std::uint64_t> bytes = data_bytes(rows, cols);
  if (!bytes || *bytes != file_size - data_offset) {
    throw InvalidInput(fmt::format(
        "{}: shape {} needs {} data bytes after the header, the file has {}", path.string(), shape,
        bytes ? fmt::format("{}", *bytes) : std::string("more than 2^64"),
        file_size - data_offset));
  }
  Matrix x(rows, cols);
  if (!in.read(reinterpret_cast<char*>(x.data.data()), static_cast<std::streamsize>(*bytes))) {
    throw InvalidInput(fmt::format("{}: read error in the data", path.string()));
  }
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x.data[i])) {
      throw InvalidInput(fmt::format("{} element ({}, {}) is {}, must be finite", path.string(),
                                     i / x.cols, i % x.cols, x.data[i]));
    }
  }
  return x;
}

void write_npy(const std::filesystem::path& path, const Matrix& x) {
  std::string header = fmt::format(
      "{{'descr': '<f8', 'fortran_order': False, 'shape': ({}, {}), }}", x.rows, x.cols);
  // Pad with spaces so magic + version + length + header + '\n' is a multiple of 64 bytes.
  const std::size_t unpadded = kMagicSize + 2 + 2 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string bytes(kMagic, kMagicSize);
  bytes += '\x01';
  bytes += '\x00';
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>((header.size() >> 8) & 0xff);
  bytes += header;
  bytes.append(reinterpret_cast<const char*>(x.data.data()), x.size() * sizeof(double));
  write_text_file(path, bytes);
}

}  // namespace dynhat
