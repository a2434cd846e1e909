// Output formats and quarter labels of the run pipeline.
#include <fmt/format.h>

#include "dynhat/error.hpp"
#include "dynhat/io.hpp"
#include "dynhat/run.hpp"

namespace dynhat {

OutputFormat parse_output_format(std::string_view name, std::string_view what) {
  if (name == "csv") return OutputFormat::csv;
  if (name == "npy") return OutputFormat::npy;
  if (name == "mat") {
    if (!mat_files_supported()) {
      throw InvalidInput(fmt::format(
          "{} mat: this dynhat was built without matio (libmatio-dev), so it cannot write .mat "
          "files",
          what));
    }
    return OutputFormat::mat;
  }
  throw InvalidInput(fmt::format("{} {}: must be csv, npy or mat", what, name));
}

std::string_view to_string(OutputFormat format) noexcept {
  switch (format) {
    case OutputFormat::npy:
      return "npy";
    case OutputFormat::mat:
      return "mat";
    case OutputFormat::csv:
      break;
  }
  return "csv";
}

std::string quarter_label(const std::string& first, std::size_t slot) {
  const bool valid = first.size() == 6 && first[4] == 'Q' && first[5] >= '1' && first[5] <= '4' &&
                     first.find_first_not_of("0123456789") == 4;
  if (!valid) throw InvalidInput(fmt::format("quarter {}: must be of the form YYYYQn", first));
  const std::size_t index = std::stoul(first.substr(0, 4)) * 4 + (first[5] - '1') + slot;
  return fmt::format("{}Q{}", index / 4, index % 4 + 1);
}

}  // namespace dynhat
