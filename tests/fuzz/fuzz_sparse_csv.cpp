// libFuzzer harness of the sparse migration matrix CSV (origin,destination,share): the first byte,
// modulo 16, is the number of markets (a seed starting with '3' reads 3 x 3), the rest is the
// file. Any input either reads or throws dynhat::Error; a crash, a sanitizer report, another
// exception, a matrix breaking the CSR rules or a share that is not finite and >= 0 is a finding,
// and so is one that does not read back bit for bit after write_sparse_csv.
#include <cmath>
#include <cstring>

#include "dynhat/error.hpp"
#include "dynhat/io.hpp"
#include "fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t markets = data[0] % 16;
  const std::filesystem::path path = dynhat::fuzz::write_input(data + 1, size - 1, "mu.csv");
  dynhat::SparseMatrix x;
  try {
    x = dynhat::read_sparse_matrix(path, markets);
  } catch (const dynhat::Error&) {
    return 0;
  }
  if (!x.consistent() || x.rows != markets || x.cols != markets) __builtin_trap();
  for (const double v : x.values) {
    if (!std::isfinite(v) || v < 0.0) __builtin_trap();
  }
  // Each entry took a line of at least 6 bytes ("0,0,0\n" less its newline at the end).
  if (x.nonzeros() * 5 > size) __builtin_trap();
  const std::filesystem::path copy = path.parent_path() / "copy.csv";
  dynhat::write_sparse_csv(copy, x);
  const dynhat::SparseMatrix y = dynhat::read_sparse_matrix(copy, markets);
  if (y.row_start != x.row_start || y.columns != x.columns || y.values.size() != x.values.size()) {
    __builtin_trap();
  }
  for (std::size_t e = 0; e < x.values.size(); ++e) {  // bits, so -0 and 0 differ
    if (std::memcmp(&x.values[e], &y.values[e], sizeof(double)) != 0) __builtin_trap();
  }
  return 0;
}
