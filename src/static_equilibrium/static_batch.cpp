// The public entry points of the fast temporary-equilibrium solver: StaticBatch
// (static_batch.hpp), solve_static and solve_static_batch. A batch is cut into groups solved in
// lockstep (batch_solve.hpp), several groups at once where the backend runs them concurrently.
#include "static_equilibrium/static_batch.hpp"

#include <omp.h>

#include <algorithm>
#include <exception>
#include <memory>
#include <string>

#include "dynhat/error.hpp"
#include "dynhat/static_equilibrium.hpp"
#include "kernels/kernels.hpp"
#include "static_equilibrium/batch_solve.hpp"
#include "static_equilibrium/te_terms.hpp"

namespace dynhat {

namespace {

/// Problems solved together in lockstep (kernels::te_group_size): on a GPU as many as its memory
/// holds.
std::size_t group_size(const Context& ctx, const Economy& e, std::size_t batch,
                       int anderson_memory) {
  const double bytes = te::BatchSolve::bytes_per_problem(e, anderson_memory);
  return std::max<std::size_t>(1, std::min(batch, kernels::te_group_size(ctx, batch, bytes)));
}

/// Effective shares of problem b, shared with problem b - 1 when they are the same.
std::shared_ptr<const te::EffectiveShares> effective_shares(
    const Economy& e, const std::vector<const ReferenceState*>& references,
    const std::vector<StaticShock>& shocks, std::size_t b, const te::Problem* previous) {
  const StaticShock& s = shocks[b];
  if (previous != nullptr && references[b] == references[b - 1] &&
      s.trade_costs == shocks[b - 1].trade_costs && s.share_shifter == shocks[b - 1].share_shifter)
    return previous->shares;
  return std::make_shared<const te::EffectiveShares>(te::effective_shares(e, *references[b], s));
}

}  // namespace

struct StaticBatch::Impl {
  const Context& ctx;
  const Economy& economy;
  std::vector<te::Problem> problems;
  te::ProblemArrays arrays;
  // Workspaces, created on first use: one of the group size per worker, one for a shorter last
  // group.
  std::vector<std::unique_ptr<te::BatchSolve>> full;
  std::unique_ptr<te::BatchSolve> tail;
  int anderson_memory = -1;
  std::size_t group = 0;           // problems per workspace (a GPU's may change with its memory)
  HostTransfers transfers, total;  // of the last solve: its iterations, all of it
  std::vector<StaticSolution> solve(const StaticOptions& options,
                                    const te::BackendOutputs* outputs);
};

StaticBatch::StaticBatch(const Context& ctx, const Economy& economy,
                         std::vector<const ReferenceState*> references,
                         const std::vector<StaticShock>& shocks)
    : impl_(new Impl{ctx,
                     economy,
                     {},
                     te::ProblemArrays(ctx, shocks.size(), economy.sectors * economy.regions),
                     {},
                     nullptr,
                     -1,
                     0,
                     {},
                     {}}) {
  if (references.size() != shocks.size()) {
    throw DimensionMismatch("solve_static_batch: " + std::to_string(references.size()) +
                            " reference states but " + std::to_string(shocks.size()) + " shocks");
  }
  const std::size_t jn = economy.sectors * economy.regions;
  te::ProblemArrays& a = impl_->arrays;
  impl_->problems.resize(shocks.size());
  for (std::size_t b = 0; b < shocks.size(); ++b) {
    te::Problem& p = impl_->problems[b];
    p.reference = references[b];
    p.shock = te::expand(economy, shocks[b]);
    p.shares =
        effective_shares(economy, references, shocks, b, b > 0 ? &impl_->problems[b - 1] : nullptr);
    a.cost_shift.upload(te::log_cost_shift(p.shock).data(), jn, b * jn);
    a.VAL.upload(p.reference->VAL.data(), jn, b * jn);
    a.VAR.upload(p.reference->VAR.data(), jn, b * jn);
    a.wage_ref.upload(p.shock.wage_ref.data(), jn, b * jn);
    a.labor.upload(p.shock.labor.data(), jn, b * jn);
    a.labor_factor.upload(p.shock.labor_factor.data(), jn, b * jn);
  }
}

StaticBatch::~StaticBatch() = default;

void StaticBatch::set_chord(std::size_t b, const te::ChordMatrix* chord) {
  impl_->problems.at(b).chord = chord;
}

void StaticBatch::set_omega(std::size_t b, const std::vector<double>& omega) {
  te::Problem& p = impl_->problems.at(b);
  StaticShock shock;
  shock.omega_init = omega;
  p.shock.omega_init = te::expand(impl_->economy, shock).omega_init;
  p.has_state = false;
}

void StaticBatch::set_labor(const DeviceArray& labor, const DeviceArray& labor_factor) {
  te::ProblemArrays& a = impl_->arrays;
  if (labor.size() != a.labor.size() || labor_factor.size() != a.labor_factor.size()) {
    throw DimensionMismatch("StaticBatch::set_labor: " + std::to_string(labor.size()) + " and " +
                            std::to_string(labor_factor.size()) + " entries, must have " +
                            std::to_string(a.labor.size()));
  }
  a.labor.copy_from(labor);
  a.labor_factor.copy_from(labor_factor);
}

std::vector<StaticSolution> StaticBatch::solve(const StaticOptions& options) {
  return impl_->solve(options, nullptr);
}

std::vector<StaticSolution> StaticBatch::solve(const StaticOptions& options,
                                               const te::BackendOutputs& outputs) {
  return impl_->solve(options, &outputs);
}

std::vector<StaticSolution> StaticBatch::Impl::solve(const StaticOptions& options,
                                                     const te::BackendOutputs* outputs) {
  const std::size_t count = problems.size();
  std::vector<StaticSolution> solutions(count);
  transfers = {};
  total = {};
  if (count == 0) return solutions;
  const std::size_t size = group_size(ctx, economy, count, options.anderson_memory);
  const long groups = static_cast<long>((count + size - 1) / size);
  const int workers = static_cast<int>(
      std::min<std::size_t>(static_cast<std::size_t>(groups), kernels::te_concurrent_groups(ctx)));
  if (anderson_memory != options.anderson_memory || full.size() != std::size_t(workers) ||
      group != size) {
    full.clear();
    full.resize(static_cast<std::size_t>(workers));
    tail.reset();
    anderson_memory = options.anderson_memory;
    group = size;
  }
  const auto solve_group = [&](long g, std::size_t worker) {
    const std::size_t first = static_cast<std::size_t>(g) * group;
    const std::size_t members = std::min(group, count - first);
    std::unique_ptr<te::BatchSolve>& work = members == group ? full[worker] : tail;
    if (!work)
      work = std::make_unique<te::BatchSolve>(ctx, economy, members, options.anderson_memory);
    std::vector<StaticSolution> solved = work->run(problems, arrays, first, options, outputs);
    for (std::size_t b = 0; b < members; ++b) solutions[first + b] = std::move(solved[b]);
#pragma omp critical(dynhat_static_batch_transfers)
    {
      transfers += work->transfers();
      total += work->total_transfers();
    }
  };
  if (workers == 1) {
    // Not even an inactive parallel region around the kernels: inside one, libgomp would give
    // each of their parallel regions a fresh team of threads (measured: the base year 2x slower).
    for (long g = 0; g < groups; ++g) solve_group(g, 0);
    return solutions;
  }
  // Groups are independent: several at once on the CPU, each worker's kernels on its thread.
  std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic) num_threads(workers)
  for (long g = 0; g < groups; ++g) {
    try {
      solve_group(g, static_cast<std::size_t>(omp_get_thread_num()));
    } catch (...) {
#pragma omp critical(dynhat_static_batch_failure)
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
  return solutions;
}

HostTransfers StaticBatch::host_transfers() const {
  return impl_->transfers;
}

HostTransfers StaticBatch::total_host_transfers() const {
  return impl_->total;
}

StaticSolution solve_static(const Context& ctx, const Economy& economy,
                            const ReferenceState& reference, const StaticShock& shock,
                            const StaticOptions& options) {
  return StaticBatch(ctx, economy, {&reference}, {shock}).solve(options).front();
}

std::vector<StaticSolution> solve_static_batch(const Context& ctx, const Economy& economy,
                                               const std::vector<ReferenceState>& references,
                                               const std::vector<StaticShock>& shocks,
                                               const StaticOptions& options) {
  std::vector<const ReferenceState*> pointers;
  for (const ReferenceState& r : references) pointers.push_back(&r);
  return StaticBatch(ctx, economy, pointers, shocks).solve(options);
}

std::vector<StaticSolution> solve_static_batch(const Context& ctx, const Economy& economy,
                                               const ReferenceState& reference,
                                               const std::vector<StaticShock>& shocks,
                                               const StaticOptions& options) {
  return StaticBatch(ctx, economy, std::vector<const ReferenceState*>(shocks.size(), &reference),
                     shocks)
      .solve(options);
}

}  // namespace dynhat
