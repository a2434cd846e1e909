// Large-grid household benchmarks (M = 20,000, T = 200): one outer iteration of the value path,
// the part of a dynamic solve that reads the M x M mu0 (the row sums' GEMM, then a backward sweep
// of T - 2 products with mu0), for each storage of mu0.
//  household_iteration/{cpu,cuda}/M:20000/T:200/mu0:{dense,float32}  on synthetic_mobility(800,
//      25), the CDP-like flows of 800 regions x 25 markets;
//  household_iteration/{cpu,cuda}/M:20000/T:200/mu0:{dense,sparse}/density:1  on a random mu0
//      with 1% of its entries non-zero (200 per row: the stay share 0.9 and 199 others).
// Timed: factorise (column scalings and the GEMM of row sums), value_update and precondition
// (the backward sweep), i.e. what solve_value_path does per iteration. Counters on the CPU:
// read_mu0_s, the time to read the stored mu0 once (a plain parallel sum over its bytes: entries,
// and the CSR's columns and row starts), and ratio_to_read_floor = time / ((T - 1) * read_mu0_s),
// the iteration against T - 1 reads of mu0 (one per product, the GEMM counted as one).
// mu0_bytes: the bytes of the stored mu0. The smoke run uses M = 64.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "dynhat/synthetic.hpp"
#include "household/migration_path.hpp"
#include "kernels/kernels.hpp"

namespace dynhat::bench {

namespace {

/// A migration matrix with `per_row` non-zero entries a row: 0.9 on the diagonal, the rest of
/// the row spread over distinct random columns.
Matrix sparse_migration(std::size_t m, std::size_t per_row, std::uint64_t seed) {
  Matrix mu(m, m);
  std::mt19937_64 engine(seed);
  std::uniform_int_distribution<std::size_t> column(0, m - 1);
  std::uniform_real_distribution<double> weight(0.5, 1.5);
  std::vector<std::size_t> chosen;
  for (std::size_t i = 0; i < m; ++i) {
    chosen.clear();
    while (chosen.size() + 1 < std::min(per_row, m)) {
      const std::size_t k = column(engine);
      if (k != i && mu(i, k) == 0.0) {
        mu(i, k) = weight(engine);
        chosen.push_back(k);
      }
    }
    double sum = 0.0;
    for (std::size_t k : chosen) sum += mu(i, k);
    for (std::size_t k : chosen) mu(i, k) *= (chosen.size() == 0 ? 0.0 : 0.1 / sum);
    mu(i, i) = chosen.empty() ? 1.0 : 0.9;
  }
  return mu;
}

/// Seconds to read `count` values of T once (a parallel sum; the best of three reads).
template <class T>
double read_seconds(const T* values, std::size_t count) {
  double best = INFINITY;
  for (int rep = 0; rep < 3; ++rep) {
    const auto start = std::chrono::steady_clock::now();
    double sum = 0.0;
    // simd: several partial sums per thread, so the read is bound by memory, not by the adds.
#pragma omp parallel for simd reduction(+ : sum) schedule(static)
    for (std::size_t e = 0; e < count; ++e) sum += static_cast<double>(values[e]);
    benchmark::DoNotOptimize(sum);
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

/// The time to read mu0 once as `storage` keeps it, and its bytes.
std::pair<double, double> read_floor(const Matrix& mu0, Mu0Storage storage) {
  switch (storage) {
    case Mu0Storage::dense:
      return {read_seconds(mu0.data.data(), mu0.size()), 8.0 * static_cast<double>(mu0.size())};
    case Mu0Storage::float32: {
      const std::vector<float> f(mu0.data.begin(), mu0.data.end());
      return {read_seconds(f.data(), f.size()), 4.0 * static_cast<double>(f.size())};
    }
    case Mu0Storage::sparse:
      break;
  }
  const SparseMatrix s = to_sparse(mu0);
  const double seconds = read_seconds(s.values.data(), s.values.size()) +
                         read_seconds(s.columns.data(), s.columns.size()) +
                         read_seconds(s.row_start.data(), s.row_start.size());
  return {seconds, 12.0 * static_cast<double>(s.nonzeros()) + 8.0 * static_cast<double>(mu0.rows)};
}

Body iteration_body(std::size_t regions, std::size_t per_region, std::size_t per_row,
                    std::size_t slots, Mu0Storage storage) {
  return [=](benchmark::State& state, const Context& ctx) {
    const std::size_t m = regions * per_region;
    Matrix mu0 = per_row == 0 ? synthetic_mobility(regions, per_region, kSeed).mu0
                              : sparse_migration(m, per_row, kSeed);
    const Matrix wage = phased_real_wage(regions, per_region, slots, {0, 1, 2}, 1.2,
                                         std::min<std::size_t>(28, slots / 2));
    MigrationPath path(ctx, mu0, slots, 0.99, storage);
    DeviceArray log_y(ctx, slots * m), log_y_new(ctx, slots * m), zero(ctx, slots * m);
    log_y.fill(0.01);
    zero.fill(0.0);
    const DeviceArray real_wage(ctx, wage.data);
    double seconds = 0.0;
    for (auto _ : state) {
      const auto start = std::chrono::steady_clock::now();
      path.factorise(log_y);
      path.value_update(real_wage, 1.0 / 5.3436, log_y_new);
      path.precondition(log_y_new);
      // Synchronises (a scalar comes back): the device's work is inside the time.
      benchmark::DoNotOptimize(kernels::diff_range(ctx, 1, log_y_new.data(), zero.data()));
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    const auto [read, bytes] = read_floor(mu0, storage);
    state.counters["mu0_bytes"] = bytes;
    if (ctx.backend() == Backend::cpu) {
      state.counters["read_mu0_s"] = read;
      state.counters["ratio_to_read_floor"] = seconds / (static_cast<double>(slots - 1) * read);
    }
  };
}

}  // namespace

void register_large_grid_benchmarks(Environment& env, const Sizes& sizes) {
  const std::size_t slots = sizes.smoke ? 10 : 200;
  // 800 x 25 = 20,000 markets (the smoke run: 8 x 8 = 64).
  const std::size_t regions = sizes.smoke ? 8 : 800, per_region = sizes.smoke ? 8 : 25;
  const std::size_t m = regions * per_region;
  const std::size_t per_row = std::max<std::size_t>(2, m / 100);  // 1% density
  for (Backend backend : {Backend::cpu, Backend::cuda}) {
    const std::string base = benchmark_name("household_iteration", backend, m, slots);
    for (Mu0Storage storage : {Mu0Storage::dense, Mu0Storage::float32}) {
      add_benchmark(env, base + "/mu0:" + std::string(to_string(storage)), backend,
                    iteration_body(regions, per_region, 0, slots, storage))
          ->Iterations(1)
          ->Unit(benchmark::kSecond);
    }
    for (Mu0Storage storage : {Mu0Storage::dense, Mu0Storage::sparse}) {
      add_benchmark(env, base + "/mu0:" + std::string(to_string(storage)) + "/density:1", backend,
                    iteration_body(regions, per_region, per_row, slots, storage))
          ->Iterations(1)
          ->Unit(benchmark::kSecond);
    }
  }
}

}  // namespace dynhat::bench
