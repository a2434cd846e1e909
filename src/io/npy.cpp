// NumPy .npy files, format versions 1.0-3.0: little-endian float64 ('<f8'), C order, 1-D or 2-D.
#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

#include "dynhat/error.hpp"
#include "dynhat/io.hpp"

namespace dynhat {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicSize = 6;

std::string header_field(const std::string& header, const std::string& key,
                         const std::filesystem::path& path) {
  const std::regex pattern("'" + key + "'\\s*:\\s*('[^']*'|True|False|\\([^)]*\\))");
  std::smatch match;
  if (!std::regex_search(header, match, pattern)) {
    throw InvalidInput(fmt::format("{}: .npy header has no '{}' entry", path.string(), key));
  }
  return match[1].str();
}

}  // namespace

Matrix read_npy(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidInput(fmt::format("{}: cannot open for reading", path.string()));
  char preamble[kMagicSize + 2];
  if (!in.read(preamble, sizeof preamble) || std::memcmp(preamble, kMagic, kMagicSize) != 0) {
    throw InvalidInput(fmt::format("{}: not a .npy file (bad magic string)", path.string()));
  }
  const int major = static_cast<unsigned char>(preamble[kMagicSize]);
  std::uint32_t header_size = 0;
  if (major == 1) {
    unsigned char bytes[2];
    in.read(reinterpret_cast<char*>(bytes), 2);
    header_size = static_cast<std::uint32_t>(bytes[0] | (bytes[1] << 8));
  } else if (major == 2 || major == 3) {
    unsigned char bytes[4];
    in.read(reinterpret_cast<char*>(bytes), 4);
    header_size = static_cast<std::uint32_t>(bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) |
                                             (static_cast<std::uint32_t>(bytes[3]) << 24));
  } else {
    throw InvalidInput(
        fmt::format("{}: .npy format version {} is not supported", path.string(), major));
  }
  std::string header(header_size, '\0');
  if (!in.read(header.data(), header_size)) {
    throw InvalidInput(fmt::format("{}: truncated .npy header", path.string()));
  }
  const std::string descr = header_field(header, "descr", path);
  if (descr != "'<f8'" && descr != "'f8'") {
    throw InvalidInput(fmt::format("{}: dtype {} is not supported, must be float64 ('<f8')",
                                   path.string(), descr));
  }
  if (header_field(header, "fortran_order", path) != "False") {
    throw InvalidInput(
        fmt::format("{}: Fortran-order arrays are not supported, save in C order", path.string()));
  }
  std::string shape = header_field(header, "shape", path);
  std::vector<std::size_t> dims;
  std::istringstream shape_stream(shape.substr(1, shape.size() - 2));
  for (std::string part; std::getline(shape_stream, part, ',');) {
    if (part.find_first_not_of(" ") == std::string::npos) continue;
    dims.push_back(std::stoull(part));
  }
  Matrix x;
  if (dims.size() == 1) {
    x = Matrix(1, dims[0]);
  } else if (dims.size() == 2) {
    x = Matrix(dims[0], dims[1]);
  } else {
    throw InvalidInput(fmt::format("{}: shape {} must be 1-D or 2-D", path.string(), shape));
  }
  if (!in.read(reinterpret_cast<char*>(x.data.data()),
               static_cast<std::streamsize>(x.size() * sizeof(double)))) {
    throw InvalidInput(fmt::format("{}: file ends before the {} values its shape {} announces",
                                   path.string(), x.size(), shape));
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
