// The header of a NumPy .npy file (magic string, version, length, dictionary), parsed from bytes
// in memory: shared by the .npy reader, which streams the data after it, and the .npz reader,
// whose members are .npy files inflated into memory. Which dtypes and shapes are acceptable is
// the caller's rule, not checked here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dynhat {

/// The three entries of a .npy header dictionary.
struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<std::uint64_t> shape;
};

/// Where the parts of a .npy file lie.
struct NpyLayout {
  std::size_t dictionary_offset = 0;  ///< 10 (version 1) or 12 (versions 2 and 3)
  std::uint32_t dictionary_size = 0;  ///< including its closing '\n'
  std::uint64_t data_offset = 0;      ///< dictionary_offset + dictionary_size, <= the file size
};

/// The most bytes parse_npy_preamble reads: magic, version and a 4-byte length.
constexpr std::size_t kNpyPreambleMax = 12;

/// The magic string, version and dictionary length of a .npy file of `file_size` bytes, from
/// `start`, its first min(file_size, kNpyPreambleMax) bytes or more. Throws InvalidInput
/// "`name`: ..." when the magic string is wrong, the version is not 1, 2 or 3, or the header is
/// truncated (the announced dictionary runs past the end of the file).
NpyLayout parse_npy_preamble(std::string_view start, std::uint64_t file_size,
                             const std::string& name);

/// The header dictionary (the dictionary_size bytes at dictionary_offset), which must end with
/// '\n' and be the literal NumPy writes: exactly the keys descr, fortran_order and shape, each
/// dimension below 2^63. Throws InvalidInput "`name`: ..." naming the byte and the rule.
NpyHeader parse_npy_dictionary(std::string_view dictionary, const std::string& name);

}  // namespace dynhat
