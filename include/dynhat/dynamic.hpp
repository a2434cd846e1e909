// Dynamic general equilibrium (MODEL.md sections 3-5): workers in M = R(J+1) labor markets choose
// where to work by forward-looking logit decisions (E11-E13), and every period's wages come from a
// temporary equilibrium of the trade economy (E14-E20). The baseline is the path of Proposition 1
// from (L0, mu0): constant fundamentals, or fundamentals that change along it by the model's
// baseline_changes (known from slot 0 on); a counterfactual changes productivity and trade costs
// relative to that baseline, its news arriving at slot 1 or later (Proposition 2, MODEL.md
// section 4).
//
// Slots are 0-based: slot t here is MODEL.md's slot t+1 (slot 0 = the base year, 2000Q1). The
// change of a fundamental "at slot t" is MODEL.md's transition t (slot t-1 -> slot t).
//
// Algorithms (ARCHITECTURE.md 4.1-4.3): the migration path in factorised form (memory
// O(M^2 + M T)); the temporary equilibria of all slots solved as one batch, each relative to the
// base-year equilibrium with the cumulative labor and fundamental changes at its slot; Anderson
// acceleration on log Y. See src/dynamic/path_solver.cpp for the outer map.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "dynhat/backend.hpp"
#include "dynhat/economy.hpp"
#include "dynhat/fixed_point.hpp"
#include "dynhat/household.hpp"
#include "dynhat/matrix.hpp"
#include "dynhat/ranks.hpp"
#include "dynhat/static_equilibrium.hpp"

namespace dynhat {

/// A productivity change A^{ij} *= factor at slot `slot` (>= 1), i.e. between slots slot-1 and
/// slot; changes accumulate multiplicatively (the level at slot t is the product of every factor
/// with slot <= t). Productivity enters as A^{theta_j gamma^{ij}} (E16).
struct ProductivityChange {
  std::size_t slot = 1;
  std::size_t sector = 0;
  std::size_t region = 0;
  double factor = 1.0;
};

/// A trade-cost change kappa^{ni,j} *= factor at slot `slot` (>= 1) for goods of `sector` bought
/// by `destination` from `source`; cumulative like ProductivityChange.
struct TradeCostChange {
  std::size_t slot = 1;
  std::size_t sector = 0;
  std::size_t destination = 0;
  std::size_t source = 0;
  double factor = 1.0;
};

/// Changes of fundamentals along a path: a baseline's relative to the base year, or a
/// counterfactual's relative to its baseline.
struct FundamentalChanges {
  std::vector<ProductivityChange> productivity;
  std::vector<TradeCostChange> trade_costs;
  /// Counterfactual only: the slot s >= 1 at which agents learn the changed path. Decisions
  /// before s are the baseline's (every path equals the baseline's before slot s), and no change
  /// may come before s. A baseline's own changes are known from slot 0 on: there it must stay 1.
  std::size_t news_slot = 1;
};

/// Everything a dynamic solve needs. Markets m = n (J+1) + q for mobile regions n < R, q = 0
/// non-employment, q = 1 + j sector j (MODEL.md section 1).
struct DynamicModel {
  Economy economy;  ///< structure and base-year data (J, N, R)
  /// The model-consistent base-year equilibrium (MODEL.md 5.1 "base year" mode): the reference of
  /// every temporary equilibrium. See base_year_equilibrium().
  ReferenceState base_year;
  Matrix mu0;                 ///< [M][M] flows observed before slot 0 (mu_{-1}); rows sum to 1
  std::vector<double> L0;     ///< [M] labor at slot 0 (persons)
  std::size_t periods = 200;  ///< T slots
  double beta = 0.99;         ///< quarterly discount factor
  double nu = 5.3436;         ///< migration elasticity parameter (taste-shock dispersion)
  /// The baseline's own changes of fundamentals relative to the base year, known to agents from
  /// slot 0 on (empty: Proposition 1's constant fundamentals). Every temporary equilibrium of the
  /// baseline is then relative to the base year with the cumulative changes at its slot, and a
  /// counterfactual's changes compose with them (MODEL.md sections 3-4).
  FundamentalChanges baseline_changes;

  std::size_t markets() const { return economy.mobile_regions * (economy.sectors + 1); }
};

/// The base-year equilibrium of `economy` as a reference state (solve_static on ctx's backend
/// from the data with no shock); throws NotConverged if it does not converge. `solution`
/// (optional) receives it whole.
ReferenceState base_year_equilibrium(const Context& ctx, const Economy& economy,
                                     const StaticOptions& options = {},
                                     StaticSolution* solution = nullptr);

struct DynamicOptions {
  /// anderson: Anderson acceleration on log Y of the map "labor path -> temporary equilibria ->
  /// value path solved with those real wages"; picard: the replication's Y <- (Y_new + Y)/2 with
  /// one value update (E12/E28) per batch of temporary equilibria (MODEL.md 5.2-5.3).
  OuterMethod method = OuterMethod::anderson;
  /// Converged when max |log Y_new - log Y| <= tol over all slots and markets (after the final
  /// batch of temporary equilibria was solved at te.tol).
  double tol = 1e-8;
  int max_iterations = 100;
  /// Of the outer iteration and the inner value path. 16: the China shock at T = 200 took 22 + 30
  /// outer iterations (24: 22 + 30, 32: 22 + 31) against 25 + 32 with 8, for 79 MB more peak
  /// memory at CDP size (three rings of T M doubles per mixer).
  int anderson_memory = 16;
  /// anderson: the step of the base map log Y + damping (G - log Y) that Anderson accelerates (the
  /// map's general-equilibrium feedback overshoots; see path_solver.cpp). In (0, 1].
  double damping = 0.5;
  /// Temporary equilibria; te.tol (default here 1e-10) is the relative market-clearing tolerance
  /// of every slot in the converged path. Early outer iterations use a looser one (see
  /// path_solver.cpp), never looser than 1e-4.
  StaticOptions te = default_te_options();
  /// Precondition every temporary equilibrium's factor-price iteration by the chord (frozen
  /// Newton) matrix of a nearby equilibrium: the base year's, and for a path that moves far from
  /// it also its last date's (src/dynamic/path_equilibria.hpp). false: the damped iteration of
  /// solve_static, the same equilibria in several times more passes.
  bool te_chord = true;
  /// The chord matrix is a dense LU of J N unknowns with R J + N - R right-hand sides: above this
  /// many unknowns the equilibria use the damped iteration instead (as te_chord = false), so that
  /// a large grid does not form it. At the CDP's J N = 1914 it costs 0.55 s; at 8192 about 80x
  /// that and 0.5 GB; at N = 2000, J = 22 (44,000) it would be 15.5 GB and 6e13 flops.
  std::size_t chord_max_unknowns = 8192;
  /// A counterfactual's value path solves the news slot's block I - beta mu_s (an M x M system)
  /// in its preconditioner: by a dense LU up to this many markets (O(M^3) once per outer
  /// iteration, a second M x M array), by GMRES on the block applied matrix-free above (each
  /// iteration one product with mu0; src/household/migration_path.cpp). At M = 1150 the LU takes
  /// 0.4% of the China shock's solve.
  std::size_t dense_news_block_max = 4096;
  /// How the path keeps mu0 on the backend (Mu0Storage, dynhat/household.hpp): the model's dense
  /// mu0 as doubles, as floats (half the bytes per pass) or as CSR of its non-zero entries.
  Mu0Storage mu0_storage = Mu0Storage::dense;
  /// One path solve spread over processes (dynhat/ranks.hpp; nullptr: this process alone). Every
  /// rank calls the solver with the same model and options; each solves the temporary
  /// equilibria of its own block of dates, and all of them return the whole solution, equal to
  /// the one-process solve to rounding (its control flow is decided on values every rank
  /// agrees on). Must outlive the solve.
  const Ranks* ranks = nullptr;
  ProgressCallback progress;

  static StaticOptions default_te_options() {
    StaticOptions o;
    o.tol = 1e-10;
    return o;
  }
};

/// One solved path (baseline or counterfactual), slots t = 0..T-1.
struct PathSolution {
  /// [T][M] this path's own value changes Y_t = exp((V_t - V_{t-1})/nu) (Y_0 = Y_{T-1} = 1). For a
  /// counterfactual, Y_1 = exp((V'_1 - V_0)/nu) includes the level jump at the news.
  Matrix Y;
  /// [T][M] counterfactual only: MODEL.md section 4's Y (the replication's V), this path's Y over
  /// the baseline's; slot 1 is the level jump exp((V'_1 - V_1)/nu). Empty for a baseline.
  Matrix Y_relative;
  Matrix L;          ///< [T][M] labor, row t = slot t (row 0 = L0)
  Matrix real_wage;  ///< [T][M] real wage over its slot-0 value (w_t/P_t)/(w_0/P_0); 1 when q = 0
  Matrix stay;       ///< [T][M] mu_t^{mm}: share of market m staying in m after slot t
  /// [T][J N] factor-price change omega relative to the base year, normalised so that world
  /// nominal value added equals the base year's (the numeraire); row 0 = 1.
  Matrix omega;
  Matrix
      price_index;  ///< [T][N] aggregate price index P relative to the base year (same numeraire)
  IterationReport report;  ///< outer iteration; residual = max |Delta log Y|
  /// Largest relative market-clearing residual over the temporary equilibria of the final batch.
  double te_residual = 0.0;
  bool te_converged = false;  ///< every temporary equilibrium of the final batch converged
  long te_iterations = 0;     ///< factor-price iterations over all temporary equilibria
  /// Median factor-price iterations per date: at the first evaluation (cold, or from the
  /// baseline) and at every later one (warm-started from the date's previous solution).
  double te_passes_first = 0.0;
  double te_passes_warm = 0.0;
  double te_seconds = 0.0;  ///< time in temporary equilibria (wall clock)
  /// What the temporary equilibria brought to the host, over every outer iteration: their
  /// factor-price iterations, outputs and warm starts (HostTransfers; each group of problems
  /// solved in lockstep counts apart: on the GPU the whole batch is one group, on the CPU each
  /// date is one). The first evaluation adds the anchors' solutions and the labor ratios they
  /// are chosen by.
  HostTransfers te_host_transfers;
  /// What the outer iterations brought to the host in all: te_host_transfers, the household
  /// block and the outer step (the outputs above excluded).
  HostTransfers host_transfers;
};

/// The baseline (Proposition 1, MODEL.md 5.2): constant fundamentals, or those changing by
/// model.baseline_changes.
PathSolution solve_baseline(const Context& ctx, const DynamicModel& model,
                            const DynamicOptions& options = {});

/// A counterfactual relative to `baseline` (Proposition 2, MODEL.md 5.3): the fundamentals of the
/// baseline changed further by `changes`; agents learn the changed path at changes.news_slot s,
/// decisions before s are the baseline's, and every path before slot s is the baseline's exactly.
PathSolution solve_counterfactual(const Context& ctx, const DynamicModel& model,
                                  const PathSolution& baseline, const FundamentalChanges& changes,
                                  const DynamicOptions& options = {});

/// The model restarted at `slot` (1 <= slot <= T - 3) from its solved `baseline`, as observed
/// data: L0 = the path's labor at `slot`, mu0 = its migration shares at slot - 1 (the previous
/// flows), the base year = its temporary equilibrium at `slot` (solved again at `te`, from the
/// path's omega), T - slot periods, and the baseline changes after `slot` moved to their new
/// slots. The baseline of the restarted model is the continuation of `baseline` (Proposition 1
/// needs no more than that state).
DynamicModel restart(const Context& ctx, const DynamicModel& model, const PathSolution& baseline,
                     std::size_t slot,
                     const StaticOptions& te = DynamicOptions::default_te_options());

/// Checks the model (shapes, mu0 rows, L0, beta, nu, T >= 3, its baseline changes) and the
/// changes (indices in range, slot in [1, T), factors > 0 and finite, news_slot in [1, T - 2] and
/// no change before it); throws InvalidInput naming `label` and the entry.
void validate(const DynamicModel& model, const std::string& label = "model");
/// T = model.periods >= 3, and small enough that the path's arrays fit in this machine's memory
/// (at least T (3 M + J N) doubles: the value, labor and real-wage paths and the factor prices;
/// the dates share their trade shares); needs only the economy's dimensions, so it can run
/// before the base year is solved.
/// `label` names the setting in the message (a scenario key, an option).
void require_periods(const DynamicModel& model, const std::string& label);
void validate(const FundamentalChanges& changes, const DynamicModel& model,
              const std::string& label = "shocks");

}  // namespace dynhat
