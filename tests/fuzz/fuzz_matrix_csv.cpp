// libFuzzer harness of the CSV matrix reader: any input either reads or throws dynhat::Error;
// a crash, a sanitizer report or another exception is a finding.
#include "dynhat/error.hpp"
#include "dynhat/io.hpp"
#include "fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path path = dynhat::fuzz::write_input(data, size, "matrix.csv");
  try {
    const dynhat::Matrix x = dynhat::read_csv(path);
    if (!x.consistent()) __builtin_trap();  // rows * cols must match what was read
  } catch (const dynhat::Error&) {
  }
  return 0;
}
