// One path solve over MPI ranks (DynamicOptions::ranks = mpi_world_ranks()), run by ctest under
// `mpiexec -n 2` (tests/mpirun.sh, label mpi): every rank returns the path a single process
// solves alone, and a path too short for the ranks is refused on all of them. The same checks
// on threads of one process, without MPI: DynamicPath.DatesSpreadOverRanksGiveTheOneProcessPath.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>

#include "dynhat/dynamic.hpp"
#include "dynhat/error.hpp"
#include "dynhat/ranks.hpp"
#include "support/path_differences.hpp"
#include "support/sequential_reference.hpp"

namespace dynhat {
namespace {

const Ranks* world = nullptr;  // set by main()

using testing::largest_path_difference;

// Productivity of a country up 50% over slots 1..10 in two sectors: a path far enough from the
// base year to need an anchor date, which lies in one rank's block and every rank solves.
FundamentalChanges productivity_rise() {
  FundamentalChanges c;
  for (std::size_t q = 1; q <= 10; ++q)
    for (std::size_t j : {0, 1}) c.productivity.push_back({q, j, 4, std::pow(1.5, 0.1)});
  return c;
}

// Each date's equilibrium does not depend on the others in its batch nor on the thread count,
// and the ranks gather exact copies: the paths agree to the last bit (measured: 0 with 2 ranks);
// 1e-12 is the bound.
TEST(MpiPath, EveryRankReturnsTheOneProcessPath) {
  ASSERT_GE(world->size(), 2) << "run under mpiexec -n 2 (or more): one rank tests nothing";
  const DynamicModel model = testing::small_dynamic_model(11, 30, 0.5);
  const double total = std::accumulate(model.L0.begin(), model.L0.end(), 0.0);
  const Context ctx(Backend::cpu);
  DynamicOptions options = testing::tight_dynamic_options();
  const PathSolution b = solve_baseline(ctx, model, options);
  const PathSolution c = solve_counterfactual(ctx, model, b, productivity_rise(), options);
  options.ranks = world;
  const PathSolution bd = solve_baseline(ctx, model, options);
  const PathSolution cd = solve_counterfactual(ctx, model, bd, productivity_rise(), options);
  ASSERT_TRUE(cd.report.converged && cd.te_converged);
  const double db = largest_path_difference(bd, b, total);
  const double dc = largest_path_difference(cd, c, total);
  std::printf("rank %d of %d: baseline %.3g, counterfactual %.3g\n", world->rank(), world->size(),
              db, dc);
  EXPECT_LE(db, 1e-12);
  EXPECT_LE(dc, 1e-12);
  EXPECT_EQ(cd.report.iterations, c.report.iterations);
  EXPECT_EQ(cd.te_iterations, c.te_iterations);
  EXPECT_EQ(cd.te_residual, c.te_residual);
}

// mpiexec on one machine: every rank is on this node, in world rank order.
TEST(MpiRanks, OnOneMachineTheNodeRankIsTheRank) {
  EXPECT_EQ(world->node_rank(), world->rank());
  EXPECT_EQ(device_for_rank(*world),
            cuda_device_count() > 0 ? world->rank() % cuda_device_count() : 0);
  EXPECT_EQ(world->all_sum(1.0), world->size());
  EXPECT_EQ(world->all_max(world->rank()), world->size() - 1);
  EXPECT_TRUE(std::isnan(world->all_max(world->rank() == 1 ? NAN : 0.0)));  // NaN anywhere
}

TEST(MpiPath, MoreRanksThanDatesIsAnErrorOnEveryRank) {
  const auto periods = static_cast<std::size_t>(world->size()) + 1;  // size - 1 equilibria
  const DynamicModel model = testing::small_dynamic_model(11, periods, 0.5);
  DynamicOptions options = testing::tight_dynamic_options();
  options.ranks = world;
  const Context ctx(Backend::cpu);
  try {
    solve_baseline(ctx, model, options);
    ADD_FAILURE() << "a path of " << periods << " periods spread over " << world->size()
                  << " ranks was accepted";
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("cannot be spread over"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace dynhat

int main(int argc, char** argv) {
  const auto ranks = dynhat::mpi_world_ranks();  // MPI up before the tests, down after
  dynhat::world = ranks.get();
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
