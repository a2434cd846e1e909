#include "cli/run_report.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace dynhat::cli {

nlohmann::json run_report(const IterationReport& report, Backend backend, double seconds) {
  return {{"converged", report.converged},
          {"iterations", report.iterations},
          {"residual", report.residual},
          {"residual_history", report.residual_history},
          {"backend", std::string(to_string(backend))},
          {"solver_seconds", report.seconds},
          {"seconds", seconds}};
}

nlohmann::json matrix_layout(const Matrix& x, const char* row, const char* column,
                             const char* meaning) {
  return {{"rows", x.rows},   {"columns", x.cols},  {"row", row},
          {"column", column}, {"meaning", meaning}, {"header", false}};
}

std::string output_name(const std::string& stem, const std::string& format) {
  return stem + "." + format;
}

ProgressCallback progress_printer(const std::string& what) {
  return [what](int iteration, double residual, double seconds) {
    fmt::print(stderr, "{} iteration {:4d}  residual {:.3e}  {:.3f} s\n", what, iteration, residual,
               seconds);
  };
}

}  // namespace dynhat::cli
