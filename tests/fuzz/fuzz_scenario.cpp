// libFuzzer harness of the scenario (TOML) reader: any input either parses and passes the checks
// or throws dynhat::Error; a crash, a sanitizer report or another exception is a finding.
#include "dynhat/error.hpp"
#include "dynhat/scenario.hpp"
#include "fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path path = dynhat::fuzz::write_input(data, size, "scenario.toml");
  try {
    const dynhat::Scenario s = dynhat::read_scenario(path);
    if (s.periods < 3) __builtin_trap();  // the documented range
  } catch (const dynhat::Error&) {
  }
  return 0;
}
