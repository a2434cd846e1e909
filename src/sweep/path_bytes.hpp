// A solved path as bytes and back, bit for bit (MPI broadcasts a sweep's baselines in this form).
#pragma once

#include <string>

#include "dynhat/dynamic.hpp"

namespace dynhat::sweep {

std::string path_to_bytes(const PathSolution& path);
/// Throws Error when `bytes` is not a whole path_to_bytes result.
PathSolution path_from_bytes(const std::string& bytes);

}  // namespace dynhat::sweep
