// Sweep throughput on the CDP China model (CPU): `dynhat sweep` of the China shock
// (examples/china_shock.toml) at shock scales 0.5, 0.75 and 1 against one baseline, outputs
// written as the CLI writes them (CSV), one sweep per repetition.
//   sweep_china/cdp/T:{60,200}/backend:cpu/scenarios:3
// Counters: counterfactuals_per_hour (the whole sweep's wall time, the baseline's included) and
// counterfactuals_per_hour_after_baseline (the counterfactuals' solves alone: the rate once the
// baseline is solved, what a long sweep approaches), baselines_solved, outer_iterations (the
// counterfactuals'). Needs the CDP tables (DYNHAT_SHARED_DATA); absent from the smoke run.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "bench_common.hpp"
#include "dynhat/io.hpp"
#include "dynhat/sweep.hpp"

namespace dynhat::bench {

namespace {

namespace fs = std::filesystem;

/// examples/china_shock.toml with its data paths made absolute and `periods` slots, and a sweep
/// of it, written into `dir`; returns the sweep file.
fs::path write_china_sweep(const fs::path& dir, std::size_t periods) {
  fs::create_directories(dir);
  std::string text = read_text_file(fs::path(DYNHAT_EXAMPLES_DIR) / "china_shock.toml");
  const std::string relative = "../../shared/data/cdp2000";
  for (std::size_t at; (at = text.find(relative)) != std::string::npos;) {
    text.replace(at, relative.size(), DYNHAT_SHARED_DATA);
  }
  const std::string line = "periods = 200";
  const std::size_t at = text.find(line);
  if (at == std::string::npos) throw Error("examples/china_shock.toml has no 'periods = 200'");
  text.replace(at, line.size(), "periods = " + std::to_string(periods));
  write_text_file(dir / "china_shock.toml", text);
  write_text_file(dir / "sweep.toml",
                  "scenario = \"china_shock.toml\"\n[grid]\nshock_scale = [0.5, 0.75, 1.0]\n");
  return dir / "sweep.toml";
}

}  // namespace

void register_sweep_benchmarks(Environment& env, const Sizes& sizes) {
  if (sizes.smoke || !cdp_tables_present()) return;
  for (std::size_t periods : {std::size_t{60}, std::size_t{200}}) {
    const std::string name =
        "sweep_china/cdp/T:" + std::to_string(periods) + "/backend:cpu/scenarios:3";
    add_benchmark(env, name, Backend::cpu,
                  [periods](benchmark::State& state, const Context&) {
                    const fs::path dir = fs::temp_directory_path() /
                                         ("dynhat-bench-sweep-" + std::to_string(periods));
                    const Sweep sweep = read_sweep(write_china_sweep(dir, periods));
                    SweepRun result;
                    for (auto _ : state) result = run_sweep(sweep, dir / "out", {});
                    double after = 0.0;
                    int iterations = 0;
                    for (const SweepRow& r : result.rows) {
                      after += r.seconds;
                      iterations += r.counterfactual_iterations;
                    }
                    const double n = static_cast<double>(result.rows.size());
                    state.counters["counterfactuals_per_hour"] = 3600.0 * n / result.seconds;
                    state.counters["counterfactuals_per_hour_after_baseline"] = 3600.0 * n / after;
                    state.counters["baselines_solved"] =
                        static_cast<double>(result.baselines_solved);
                    state.counters["outer_iterations"] = iterations;
                    if (!result.converged()) fail(state, "a scenario did not converge");
                    fs::remove_all(dir);
                  })
        ->Unit(benchmark::kSecond)
        ->Iterations(1);
  }
}

}  // namespace dynhat::bench
