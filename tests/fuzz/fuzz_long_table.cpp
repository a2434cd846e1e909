// libFuzzer harness of the long-table reader (the six CDP tables): the first byte picks which
// table's header is required, the rest is the file. Any input either reads or throws
// dynhat::Error; a crash, a sanitizer report or another exception is a finding.
#include <string>
#include <vector>

#include "dynhat/error.hpp"
#include "economy/long_table.hpp"
#include "fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<std::vector<std::string>> headers = {
      {"sector", "region", "value"},
      {"region", "value"},
      {"sector", "value"},
      {"sector", "destination", "source", "value"},
      {"country", "source_sector", "dest_sector", "value"}};
  if (size == 0) return 0;
  const std::vector<std::string>& columns = headers[data[0] % headers.size()];
  const std::filesystem::path path = dynhat::fuzz::write_input(data + 1, size - 1, "table.csv");
  try {
    const dynhat::LongTable table = dynhat::read_long_table(path, columns);
    // Every record has a value, a line and a label id per column, each id in range.
    if (table.columns.size() + 1 != columns.size()) __builtin_trap();
    for (const dynhat::LabelColumn& column : table.columns) {
      if (column.ids.size() != table.records()) __builtin_trap();
      for (std::uint32_t id : column.ids) {
        if (id >= column.labels.size()) __builtin_trap();
      }
    }
    if (table.lines.size() != table.records()) __builtin_trap();
  } catch (const dynhat::Error&) {
  }
  return 0;
}
