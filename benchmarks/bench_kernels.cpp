// Kernel benchmarks, CPU and CUDA: time per call of each kernel family of kernels/kernels.hpp
// on seeded random inputs, with the bytes one call must move (reported as GB/s, and per call as
// the counter "bytes"):
//  row_logsumexp            lse only, no shares        8 M^2 + 16 M       (a; v, lse)
//  softmax_transpose_apply  E3 fused column reduction  8 M^2 + 32 M       (a; v, lse, w, out)
//  lse_plus_transpose       both back to back: one E1-E3 household step, the target metric
//  scaled_row_sums          r = c mu0^T, a GEMM        8 M^2 + 16 T M     (+ GFLOP/s, 2 M^2 T)
//  labor_chain              T matrix-vector products   8 M^2 T            (mu0 once per slot)
//  backward_value_sweep     T - 2 products with mu0    8 M^2 (T - 2)      (Anderson preconditioner)
//  column_scalings          prefix sums over slots     16 T M
//  value_update             E12/E28 from r             24 T M
// Each benchmark calls its kernel once untimed (first repetition only) and checks the outputs are
// finite (the tests check the values); then time_calls times each call to the end of its work
// (CUDA: device time from events, labelled L2- or HBM-resident).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "bench_common.hpp"
#include "kernels/kernels.hpp"

namespace dynhat::bench {

namespace {

constexpr double kBeta = 0.99;
constexpr double kNu = 5.3436;
constexpr double kInvNu = 1.0 / kNu;

constexpr double as_double(std::size_t x) {
  return static_cast<double>(x);
}
constexpr double sq(std::size_t x) {
  return as_double(x) * as_double(x);
}

/// [m][m] moving costs tau in [0, 10], zero diagonal; cached per size and backend.
const DeviceArray& moving_costs(Environment& env, const Context& ctx, std::size_t m) {
  return env.cached(ctx, "tau/" + std::to_string(m), [m] {
    std::vector<double> tau = uniform_values(m, m, 0.0, 10.0, kSeed);
    for (std::size_t i = 0; i < m; ++i) tau[i * m + i] = 0.0;
    return tau;
  });
}

/// [m][m] migration shares mu0: uniform rows normalised to sum 1; cached per size and backend.
const DeviceArray& flows(Environment& env, const Context& ctx, std::size_t m) {
  return env.cached(ctx, "mu0/" + std::to_string(m), [m] {
    std::vector<double> mu0 = uniform_values(m, m, 0.0, 1.0, kSeed + 1);
#pragma omp parallel for schedule(static)
    for (std::size_t i = 0; i < m; ++i) {
      double sum = 0.0;
      for (std::size_t k = 0; k < m; ++k) sum += mu0[i * m + k];
      for (std::size_t k = 0; k < m; ++k) mu0[i * m + k] /= sum;
    }
    return mu0;
  });
}

/// [rows][cols] uniform in [lo, hi) on ctx's backend.
DeviceArray uniform_array(const Context& ctx, std::size_t rows, std::size_t cols, double lo,
                          double hi, std::uint64_t seed) {
  return DeviceArray(ctx, uniform_values(rows, cols, lo, hi, seed));
}

/// One levels household step at size m (E1-E3): logits (beta v - tau)/nu over the cached tau,
/// the row log-sum-exp into lse, then the fused transpose product of w into out.
struct HouseholdStep {
  std::size_t m;
  const DeviceArray& tau;
  DeviceArray v, w, lse, out;

  HouseholdStep(Environment& env, const Context& ctx, std::size_t markets)
      : m(markets),
        tau(moving_costs(env, ctx, m)),
        v(uniform_array(ctx, 1, m, -5.0, 5.0, kSeed + 2)),
        w(uniform_array(ctx, 1, m, 0.0, 1.0, kSeed + 3)),
        lse(ctx, m),
        out(ctx, m) {}

  void logsumexp(const Context& ctx) {
    kernels::row_logsumexp(ctx, m, m, tau.data(), -kInvNu, v.data(), kBeta * kInvNu, lse.data(),
                           nullptr);
  }
  void push(const Context& ctx) {
    kernels::softmax_transpose_apply(ctx, m, m, tau.data(), -kInvNu, v.data(), kBeta * kInvNu,
                                     lse.data(), w.data(), out.data());
  }
};

/// The factorised path's inputs at size m: the cached mu0, column scalings c in [0.5, 1) and
/// their row sums r (filled by row_sums).
struct FactorisedPath {
  std::size_t m, slots;
  const DeviceArray& mu0;
  DeviceArray c, r;

  FactorisedPath(Environment& env, const Context& ctx, std::size_t markets, std::size_t t)
      : m(markets),
        slots(t),
        mu0(flows(env, ctx, m)),
        c(uniform_array(ctx, slots, m, 0.5, 1.0, kSeed + 4)),
        r(ctx, slots * m) {}

  void row_sums(const Context& ctx) {
    kernels::scaled_row_sums(ctx, m, slots, mu0.data(), c.data(), r.data());
  }
};

/// Validate-then-time (STYLE.md): the first time a benchmark runs (its first repetition), one
/// untimed call whose outputs must all be finite; then the timed calls (time_calls), reporting
/// `bytes` moved per call.
void time_kernel(benchmark::State& state, const Context& ctx, bool& validated,
                 const std::function<void()>& call,
                 std::initializer_list<const DeviceArray*> outputs, double bytes) {
  if (!validated) {
    call();
    ctx.synchronize();
    for (const DeviceArray* output : outputs) {
      if (!all_finite(output->to_host())) {
        fail(state, "kernel output is not finite");
        return;
      }
    }
    validated = true;
  }
  time_calls(state, ctx, call, bytes);
}

/// A kernel benchmark at size m; `validated` persists across its repetitions.
using KernelBody =
    std::function<void(benchmark::State&, const Context&, std::size_t m, bool& validated)>;

/// One benchmark per (backend, M); with cpu_limited, CPU sizes stop at cpu_path_max_markets.
void register_per_size(Environment& env, const Sizes& sizes, const std::string& name,
                       std::size_t slots, bool cpu_limited, const KernelBody& body) {
  for (Backend backend : {Backend::cpu, Backend::cuda}) {
    for (std::size_t m : sizes.markets) {
      if (backend == Backend::cpu && cpu_limited && m > sizes.cpu_path_max_markets) continue;
      auto validated = std::make_shared<bool>(false);
      add_benchmark(
          env, benchmark_name(name, backend, m, slots), backend,
          [body, m, validated](benchmark::State& state, const Context& ctx) {
            body(state, ctx, m, *validated);
          },
          Timing::per_call);
    }
  }
}

}  // namespace

void register_kernel_benchmarks(Environment& env, const Sizes& sizes) {
  const std::size_t slots = sizes.slots;
  Environment* e = &env;

  register_per_size(
      env, sizes, "row_logsumexp", 0, false,
      [e](benchmark::State& state, const Context& ctx, std::size_t m, bool& validated) {
        HouseholdStep step(*e, ctx, m);
        const auto call = [&] { step.logsumexp(ctx); };
        time_kernel(state, ctx, validated, call, {&step.lse}, 8.0 * sq(m) + 16.0 * as_double(m));
      });

  register_per_size(
      env, sizes, "softmax_transpose_apply", 0, false,
      [e](benchmark::State& state, const Context& ctx, std::size_t m, bool& validated) {
        HouseholdStep step(*e, ctx, m);
        step.logsumexp(ctx);
        const auto call = [&] { step.push(ctx); };
        time_kernel(state, ctx, validated, call, {&step.out}, 8.0 * sq(m) + 32.0 * as_double(m));
      });

  register_per_size(
      env, sizes, "lse_plus_transpose", 0, false,
      [e](benchmark::State& state, const Context& ctx, std::size_t m, bool& validated) {
        HouseholdStep step(*e, ctx, m);
        const auto call = [&] {
          step.logsumexp(ctx);
          step.push(ctx);
        };
        time_kernel(state, ctx, validated, call, {&step.lse, &step.out},
                    16.0 * sq(m) + 48.0 * as_double(m));
      });

  register_per_size(
      env, sizes, "scaled_row_sums", slots, true,
      [e, slots](benchmark::State& state, const Context& ctx, std::size_t m, bool& validated) {
        FactorisedPath path(*e, ctx, m, slots);
        const auto call = [&] { path.row_sums(ctx); };
        time_kernel(state, ctx, validated, call, {&path.r},
                    8.0 * sq(m) + 16.0 * as_double(slots * m));
        state.counters["GFLOP/s"] = benchmark::Counter(
            2e-9 * sq(m) * as_double(slots), benchmark::Counter::kIsIterationInvariantRate);
      });

  register_per_size(
      env, sizes, "labor_chain", slots, true,
      [e, slots](benchmark::State& state, const Context& ctx, std::size_t m, bool& validated) {
        FactorisedPath path(*e, ctx, m, slots);
        path.row_sums(ctx);  // r consistent with c
        DeviceArray labor(ctx, (slots + 1) * m);
        labor.upload(uniform_values(1, m, 1e3, 1e5, kSeed + 5).data(), m);
        const auto call = [&] {
          kernels::labor_chain(ctx, m, slots, path.mu0.data(), path.c.data(), path.r.data(),
                               labor.data());
        };
        time_kernel(state, ctx, validated, call, {&labor}, 8.0 * sq(m) * as_double(slots));
      });

  register_per_size(
      env, sizes, "backward_value_sweep", slots, true,
      [e, slots](benchmark::State& state, const Context& ctx, std::size_t m, bool& validated) {
        FactorisedPath path(*e, ctx, m, slots);
        path.row_sums(ctx);  // r consistent with c
        const DeviceArray f = uniform_array(ctx, slots, m, -1e-3, 1e-3, kSeed + 10);
        DeviceArray d(ctx, slots * m);
        const auto call = [&] {
          d.copy_from(f);  // the sweep works in place
          kernels::backward_value_sweep(ctx, m, slots, path.mu0.data(), path.c.data(),
                                        path.r.data(), kBeta, d.data());
        };
        time_kernel(state, ctx, validated, call, {&d}, 8.0 * sq(m) * as_double(slots - 2));
      });

  register_per_size(
      env, sizes, "column_scalings", slots, false,
      [slots](benchmark::State& state, const Context& ctx, std::size_t m, bool& validated) {
        const DeviceArray log_y = uniform_array(ctx, slots, m, -0.05, 0.05, kSeed + 6);
        DeviceArray c(ctx, slots * m);
        DeviceArray shift(ctx, slots);
        const auto call = [&] {
          kernels::column_scalings(ctx, m, slots, log_y.data(), kBeta, c.data(), shift.data());
        };
        time_kernel(state, ctx, validated, call, {&c, &shift}, 16.0 * as_double(slots * m));
      });

  register_per_size(
      env, sizes, "value_update", slots, false,
      [slots](benchmark::State& state, const Context& ctx, std::size_t m, bool& validated) {
        const DeviceArray real_wage = uniform_array(ctx, slots, m, 0.95, 1.05, kSeed + 7);
        const DeviceArray r = uniform_array(ctx, slots, m, 0.5, 1.0, kSeed + 8);
        const DeviceArray shift = uniform_array(ctx, 1, slots, -1.0, 0.0, kSeed + 9);
        DeviceArray log_y(ctx, slots * m);
        const auto call = [&] {
          kernels::value_update(ctx, m, slots, real_wage.data(), r.data(), shift.data(), kInvNu,
                                log_y.data());
        };
        time_kernel(state, ctx, validated, call, {&log_y}, 24.0 * as_double(slots * m));
      });
}

}  // namespace dynhat::bench
