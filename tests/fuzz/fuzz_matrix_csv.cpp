// libFuzzer harness of the text matrix readers: any input either reads or throws dynhat::Error;
// a crash, a sanitizer report or another exception is a finding. The first byte's low bit picks
// the dialect: CSV, or the replication kit's whitespace-separated .txt (one parser serves both).
#include "dynhat/error.hpp"
#include "dynhat/io.hpp"
#include "fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const bool whitespace = size > 0 && (data[0] & 1) != 0;
  const std::filesystem::path path =
      dynhat::fuzz::write_input(data, size, whitespace ? "matrix.txt" : "matrix.csv");
  try {
    const dynhat::Matrix x =
        whitespace ? dynhat::read_whitespace_matrix(path) : dynhat::read_csv(path);
    if (!x.consistent()) __builtin_trap();  // rows * cols must match what was read
  } catch (const dynhat::Error&) {
  }
  return 0;
}
