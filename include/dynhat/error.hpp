// dynhat error hierarchy: every failure the library reports is one of these exceptions.
#pragma once

#include <stdexcept>
#include <string>

namespace dynhat {

/// Base of every exception dynhat throws.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An input breaks a rule; the message names the input, the entry and the rule.
class InvalidInput : public Error {
 public:
  using Error::Error;
};

/// Two inputs disagree on a dimension.
class DimensionMismatch : public InvalidInput {
 public:
  using InvalidInput::InvalidInput;
};

/// An iterative method stopped at its cap; solvers report this in their results instead of
/// throwing, so the residual history is kept. Thrown only where no result can be returned.
class NotConverged : public Error {
 public:
  using Error::Error;
};

/// A CUDA runtime or library call failed (message: file, line, error name).
class CudaError : public Error {
 public:
  using Error::Error;
};

/// The backend was asked for but this build does not contain it.
class NotCompiled : public Error {
 public:
  using Error::Error;
};

}  // namespace dynhat
