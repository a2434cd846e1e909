// run_sweep_mpi: a sweep over the ranks of MPI_COMM_WORLD (host-staged MPI: every message is a
// host buffer).
//   1. Rank 0 sets up the output directory, reads the base scenario's inputs and solves its base
//      year, and broadcasts them (a failure on any rank stops all of them with its message).
//   2. Baseline b is solved by rank b mod size and broadcast to every rank, bit for bit.
//   3. The scenarios are handed out one at a time: rank 0 runs a dispatcher thread that answers
//      each request with the next index, and its own worker takes indices from the same counter.
//      A rank asks again when its scenario is written, so fast and slow scenarios balance.
//   4. The rows are gathered on rank 0, which writes summary.csv and sweep.json, and broadcast
//      back, so every rank returns the whole sweep.
// Only one thread of a rank calls MPI at any time: MPI_THREAD_SERIALIZED is enough.
#include <fmt/format.h>
#include <mpi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <thread>

#include "dynhat/error.hpp"
#include "dynhat/ranks.hpp"
#include "run/model_bytes.hpp"
#include "run/run_environment.hpp"
#include "runtime/mpi_support.hpp"
#include "runtime/stopwatch.hpp"
#include "sweep/path_bytes.hpp"
#include "sweep/sweep_steps.hpp"

namespace dynhat {

namespace {

constexpr int kRequestTag = 1;
constexpr int kAnswerTag = 2;

int rank_of(MPI_Comm comm) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  return rank;
}

int size_of(MPI_Comm comm) {
  int size = 0;
  MPI_Comm_size(comm, &size);
  return size;
}

/// Runs `step` on every rank (or on rank 0 only) and agrees on the outcome: when it throws
/// anywhere, every rank throws, the failing rank with its own error and the others with the
/// message of the lowest failing rank.
void together(MPI_Comm comm, bool root_only, const std::function<void()>& step) {
  const int rank = rank_of(comm);
  std::string message;
  int failed = 0;
  try {
    if (!root_only || rank == 0) step();
  } catch (const std::exception& e) {
    message = e.what();
    failed = 1;
  }
  int first = failed ? rank : size_of(comm);
  MPI_Allreduce(MPI_IN_PLACE, &first, 1, MPI_INT, MPI_MIN, comm);
  if (first == size_of(comm)) return;
  broadcast_bytes(message, first, comm);
  throw InvalidInput(first == rank ? message : fmt::format("rank {}: {}", first, message));
}

/// Rank 0's dispatcher: answers every other rank's requests from `next` until each has been
/// told that none are left (-1). Polls with short sleeps, so it leaves the cores to the solver.
void dispatch(std::atomic<long>& next, long points, int ranks, MPI_Comm comm) {
  int finished = 0;
  while (finished < ranks - 1) {
    int ignored = 0;
    MPI_Request request;
    MPI_Irecv(&ignored, 1, MPI_INT, MPI_ANY_SOURCE, kRequestTag, comm, &request);
    MPI_Status status;
    for (int done = 0;;) {
      MPI_Test(&request, &done, &status);
      if (done) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    long k = next.fetch_add(1);
    if (k >= points) {
      k = -1;
      ++finished;
    }
    MPI_Send(&k, 1, MPI_LONG, status.MPI_SOURCE, kAnswerTag, comm);
  }
}

/// The next scenario of a rank other than 0 (-1: none left).
long ask(MPI_Comm comm) {
  int nothing = 0;
  long k = -1;
  MPI_Send(&nothing, 1, MPI_INT, 0, kRequestTag, comm);
  MPI_Recv(&k, 1, MPI_LONG, 0, kAnswerTag, comm, MPI_STATUS_IGNORE);
  return k;
}

/// Every rank's rows, in index order, on every rank.
std::vector<SweepRow> gather_rows(const std::vector<SweepRow>& mine, MPI_Comm comm) {
  nlohmann::json list = nlohmann::json::array();
  for (const SweepRow& r : mine) list.push_back(sweep::row_json(r));
  std::string text = list.dump();
  const int ranks = size_of(comm);
  std::vector<int> sizes(static_cast<std::size_t>(ranks));
  int size = static_cast<int>(text.size());
  MPI_Allgather(&size, 1, MPI_INT, sizes.data(), 1, MPI_INT, comm);
  std::vector<int> offsets(sizes.size(), 0);
  for (std::size_t r = 1; r < sizes.size(); ++r) offsets[r] = offsets[r - 1] + sizes[r - 1];
  std::string all(static_cast<std::size_t>(offsets.back() + sizes.back()), '\0');
  MPI_Allgatherv(text.data(), size, MPI_CHAR, all.data(), sizes.data(), offsets.data(), MPI_CHAR,
                 comm);
  std::vector<SweepRow> rows;
  for (std::size_t r = 0; r < sizes.size(); ++r) {
    const auto part = nlohmann::json::parse(
        all.substr(static_cast<std::size_t>(offsets[r]), static_cast<std::size_t>(sizes[r])));
    for (const nlohmann::json& j : part) rows.push_back(sweep::row_from_json(j, "MPI gather"));
  }
  std::sort(rows.begin(), rows.end(),
            [](const SweepRow& a, const SweepRow& b) { return a.index < b.index; });
  return rows;
}

}  // namespace

bool sweep_mpi_available() noexcept {
  return true;
}

SweepRun run_sweep_mpi(const Sweep& sweep, const std::filesystem::path& out,
                       const SweepOptions& options) {
  const MpiScope mpi;
  MPI_Comm comm = MPI_COMM_WORLD;
  const int rank = rank_of(comm);
  const int ranks = size_of(comm);
  const double started = pipeline::unix_seconds();
  const Stopwatch stopwatch;
  together(comm, true, [&] { sweep::prepare_directory(out); });
  // Rank 0 reads the base scenario's inputs and solves its base year; every rank takes them from
  // its bytes, with its own GPU (the node-local rank's device).
  std::string inputs;
  together(comm, true,
           [&] { inputs = pipeline::inputs_to_bytes(load_model(sweep.base, options.backend)); });
  broadcast_bytes(inputs, 0, comm);
  const int device = device_for_rank(*mpi_world_ranks());
  std::optional<SweepModels> models;
  together(comm, false, [&] {
    ModelInputs base = pipeline::inputs_from_bytes(inputs);
    base.device = device;
    models.emplace(sweep, base);
  });

  SweepRun result;
  result.rank = rank;
  std::vector<sweep::SolvedBaseline> baselines(models->baselines());
  for (std::size_t b = 0; b < baselines.size(); ++b) {
    const int owner = static_cast<int>(b % static_cast<std::size_t>(ranks));
    std::string bytes;
    if (owner == rank) {
      baselines[b] = sweep::solve_baseline_of(*models, b, rank);
      bytes = sweep::path_to_bytes(baselines[b].solution);
      ++result.baselines_solved;
    }
    broadcast_bytes(bytes, owner, comm);
    if (owner != rank) {
      baselines[b].index = b;
      baselines[b].rank = owner;
      baselines[b].solution = sweep::path_from_bytes(bytes);
    }
    MPI_Bcast(&baselines[b].seconds, 1, MPI_DOUBLE, owner, comm);
  }

  const long points = static_cast<long>(sweep.points.size());
  std::vector<SweepRow> mine;
  std::atomic<long> next{0};
  std::thread dispatcher;
  if (rank == 0 && ranks > 1) {
    dispatcher = std::thread(dispatch, std::ref(next), points, ranks, comm);
  }
  std::string failure;
  for (;;) {
    const long k = rank == 0 ? next.fetch_add(1) : ask(comm);
    if (k < 0 || k >= points) break;
    const std::size_t point = static_cast<std::size_t>(k);
    try {
      mine.push_back(sweep::solve_point(*models, sweep, point,
                                        baselines[models->baseline_of(point)], out, options, rank));
    } catch (const std::exception& e) {
      failure = fmt::format("scenario {}: {}", sweep.points[point].name, e.what());
      // Rank 0 stops the hand-out (the dispatcher tells every other rank that none are left);
      // another rank goes on asking until it is told so, since the dispatcher waits for that.
      if (rank != 0) continue;
      next.store(points);
      break;
    }
    if (options.on_scenario) {
      options.on_scenario(mine.back(), mine.size(), sweep.points.size());
    }
  }
  if (dispatcher.joinable()) dispatcher.join();
  together(comm, false, [&] {
    if (!failure.empty()) throw Error(failure);
  });
  result.rows = gather_rows(mine, comm);
  result.seconds = stopwatch.seconds();
  nlohmann::json records = nlohmann::json::array();
  for (const sweep::SolvedBaseline& b : baselines)
    records.push_back(sweep::baseline_json(b, *models));
  together(comm, true, [&] {
    sweep::write_manifest(out, sweep, Shard{}, result.rows, records, options.command_line, started,
                          pipeline::unix_seconds());
  });
  return result;
}

}  // namespace dynhat
