// The names of the storages of mu0 (scenario files, the CLI, manifests).
#include <fmt/format.h>

#include "dynhat/error.hpp"
#include "dynhat/household.hpp"

namespace dynhat {

Mu0Storage parse_mu0_storage(std::string_view name, std::string_view what) {
  if (name == "dense") return Mu0Storage::dense;
  if (name == "float32") return Mu0Storage::float32;
  if (name == "sparse") return Mu0Storage::sparse;
  throw InvalidInput(fmt::format("{} = \"{}\": must be one of dense, float32, sparse", what, name));
}

std::string_view to_string(Mu0Storage storage) noexcept {
  switch (storage) {
    case Mu0Storage::float32:
      return "float32";
    case Mu0Storage::sparse:
      return "sparse";
    case Mu0Storage::dense:
      break;
  }
  return "dense";
}

}  // namespace dynhat
