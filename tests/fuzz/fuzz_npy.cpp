// libFuzzer harness of the .npy reader: any input either reads or throws dynhat::Error; a crash,
// a sanitizer report, another exception, or an allocation beyond the input's size is a finding
// (run with -rss_limit_mb and -malloc_limit_mb, as scripts/test.sh does).
#include "dynhat/error.hpp"
#include "dynhat/io.hpp"
#include "fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path path = dynhat::fuzz::write_input(data, size, "matrix.npy");
  try {
    const dynhat::Matrix x = dynhat::read_npy(path);
    // What was read came from the file: never more values than it has bytes for.
    if (!x.consistent() || x.size() * sizeof(double) > size) __builtin_trap();
  } catch (const dynhat::Error&) {
  }
  return 0;
}
