// A run's inputs as bytes and back, bit for bit: what rank 0 of an MPI run reads and broadcasts,
// so that the other ranks neither read the files again nor solve the base year again.
#pragma once

#include <string>

#include "dynhat/run.hpp"

namespace dynhat::pipeline {

/// Every field of `inputs` but DynamicOptions' ranks and progress callback (a process's own).
std::string inputs_to_bytes(const ModelInputs& inputs);
/// Throws Error when `bytes` is not a whole inputs_to_bytes result.
ModelInputs inputs_from_bytes(const std::string& bytes);

}  // namespace dynhat::pipeline
