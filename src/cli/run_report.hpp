// report.json of every CLI run, and the options every solve command shares.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "dynhat/backend.hpp"
#include "dynhat/fixed_point.hpp"
#include "dynhat/matrix.hpp"

namespace dynhat::cli {

/// Exit status of a run that finished but did not converge (invalid input exits 1).
constexpr int kExitNotConverged = 2;

/// The fields every report.json has: converged, iterations, residual, residual_history,
/// backend, seconds (wall time of the whole command).
nlohmann::json run_report(const IterationReport& report, Backend backend, double seconds);

/// The layout of a headerless matrix output for report.json's "layouts": its shape and the
/// index rules of its rows and columns.
nlohmann::json matrix_layout(const Matrix& x, const char* row, const char* column,
                             const char* meaning);

/// "csv" or "npy" -> file name with that extension.
std::string output_name(const std::string& stem, const std::string& format);

/// Prints one progress line per outer iteration to stderr.
ProgressCallback progress_printer(const std::string& what);

}  // namespace dynhat::cli
