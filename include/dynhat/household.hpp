// Household (migration) block of the CDP model: workers choosing among M labor markets.
//
// Two forms share one kernel list (kernels/kernels.hpp):
//  * levels (MODEL.md E1-E3), for known moving costs tau and period utilities U = log C;
//  * dynamic hat algebra (E11-E13), partial equilibrium: a given path of real-wage changes.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "dynhat/backend.hpp"
#include "dynhat/fixed_point.hpp"
#include "dynhat/matrix.hpp"

namespace dynhat {

// ------------------------------------------------------------------------------------------
// Levels form (E1-E3)
// ------------------------------------------------------------------------------------------

/// Inputs of the levels household problem over t = 0..T-1.
struct LevelsProblem {
  Matrix tau;              ///< [M][M] moving costs, row = origin m, column = destination m'
  Matrix utility;          ///< [T][M] period utilities U_t = log C_t, row t
  std::vector<double> L0;  ///< [M] labor at t = 0
  double beta = 0.99;      ///< discount factor, in [0, 1)
  double nu = 5.3436;      ///< taste-shock dispersion, > 0
};

struct LevelsOptions {
  /// Stationary V stops when the McQueen-Porteus bound on |V - V*|_inf, relative to
  /// max(1, |V|_inf), is <= tol.
  double tol = 1e-12;
  int max_iterations = 200000;
  /// Keep the T migration matrices mu_t ([M][M] each): O(T M^2) memory.
  bool keep_shares = false;
};

struct LevelsResult {
  /// [T+1][M]: row t = V_t for t < T; row T = the stationary V under U_{T-1}, used as V_T.
  Matrix V;
  /// [T+1][M]: row 0 = L0, row t+1 = mu_t^T L_t (E3).
  Matrix L;
  /// T matrices [M][M], mu_t (E2), only when LevelsOptions::keep_shares.
  std::vector<Matrix> shares;
  /// The stationary-V fixed point; residual = McQueen-Porteus error bound (sup norm) relative to
  /// max(1, |V|_inf).
  IterationReport stationary;
};

/// Stationary V: V = U + nu * log sum_m' exp((beta V_m' - tau_m,m')/nu) (E1 with V_t+1 = V_t).
/// Fixed-point iteration (a contraction of modulus beta); the returned V is the midpoint of the
/// McQueen-Porteus bounds, whose half-width relative to max(1, |V|_inf) is the reported residual.
std::vector<double> stationary_values(const Context& ctx, const Matrix& tau,
                                      const std::vector<double>& utility, double beta, double nu,
                                      const LevelsOptions& options, IterationReport& report);

/// Backward V path (E1) from the stationary V, then shares (E2) and the labor path (E3).
LevelsResult solve_household_levels(const Context& ctx, const LevelsProblem& problem,
                                    const LevelsOptions& options = {});

// ------------------------------------------------------------------------------------------
// Hat-algebra form, partial equilibrium (E11-E13 with a given real-wage path)
// ------------------------------------------------------------------------------------------

/// Inputs of the hat-algebra household path over slots t = 0..T-1.
///
/// Time convention (0-based; MODEL.md section 5.2 shifted by one): mu_{-1} = `mu0` are the flows
/// observed before the first slot, L_0 the labor at slot 0. Y_t = (udot_t)^{1/nu} with
/// udot_t = exp(V_t - V_{t-1}). Decisions at slot t respond to Y_{t+1}:
///   mu_t = rownorm(mu_{t-1} * col(Y_{t+1}^beta))                     (E11)
///   Y_t  = Cdot_t^{1/nu} * sum_m' mu_{t-1}[m][m'] Y_{t+1}[m']^beta     (E12), t = 1..T-2
///   L_{t+1} = mu_t^T L_t                                             (E13), t = 0..T-1
/// with Y_0 = 1 (slot-0 values only enter through mu_{-1}, which is given), Y_{T-1} = 1 and
/// Y_T = 1 (steady state at the horizon).
struct HatProblem {
  Matrix mu0;  ///< [M][M] mu_{-1}: rows non-negative, summing to 1
  /// mu_{-1} stored sparse instead (fine geographies where most flows are zero): used when mu0
  /// is empty, with the same rules. The path then keeps it sparse (HatOptions::mu0_storage is
  /// ignored).
  SparseMatrix mu0_sparse;
  /// mu0_sparse is the one given (mu0 empty, mu0_sparse not).
  bool sparse() const { return mu0.rows == 0 && !mu0_sparse.row_start.empty(); }
  std::vector<double> L0;  ///< [M] labor at slot 0
  Matrix real_wage;        ///< [T][M] Cdot_t, row t; rows 0 and T-1 are not used
  double beta = 0.99;
  double nu = 5.3436;
};

enum class OuterMethod {
  picard,    ///< the reference algorithm: Y <- (Y_new + Y)/2 (MODEL.md section 5.2)
  anderson,  ///< Anderson acceleration on log Y of the Newton-preconditioned map (one backward
             ///< sweep of T products with mu0 per iteration; see src/household/hat.cpp)
};

/// How the household path keeps mu0 on the backend: the M x M array every pass of the path reads
/// (T products per backward sweep), so its bytes set the pace on large grids.
///  * dense: doubles, 8 M^2 bytes;
///  * float32: floats, 4 M^2 bytes, products and sums still in double; each entry rounded to 24
///    bits (relative 6e-8), which moves the path by about that much (measured in
///    tests/test_household_hat.cpp);
///  * sparse: CSR of the non-zero entries and its transpose, 24 bytes per entry; the same path
///    as dense up to the order of the sums.
enum class Mu0Storage { dense, float32, sparse };
/// "dense", "float32" or "sparse"; anything else throws InvalidInput naming `what`.
Mu0Storage parse_mu0_storage(std::string_view name, std::string_view what = "mu0_storage");
std::string_view to_string(Mu0Storage storage) noexcept;

/// Options of the value-path fixed point Y = G(Y; Cdot) for a given real-wage path (the household
/// hat solver, and the inner solve of every dynamic outer iteration).
struct HatOptions {
  OuterMethod method = OuterMethod::anderson;
  /// Converged when max |log Y_new - log Y| <= tol over all slots and markets.
  double tol = 1e-10;
  int max_iterations = 5000;
  /// Anderson history length.
  int anderson_memory = 8;
  Mu0Storage mu0_storage = Mu0Storage::dense;
  ProgressCallback progress;
};

struct HatResult {
  Matrix Y;                ///< [T][M] value changes Y_t, row t (rows 0 and T-1 equal 1)
  Matrix L;                ///< [T+1][M] labor, row 0 = L0
  IterationReport report;  ///< residual: max |Delta log Y| of the last iteration
};

/// Solves the value-change path by the chosen outer iteration; migration and labor through the
/// factorised form (ARCHITECTURE.md 4.1): memory O(M^2 + M T), never an [T][M][M] array.
HatResult solve_household_hat(const Context& ctx, const HatProblem& problem,
                              const HatOptions& options = {});

/// mu_t of a hat path, formed on request: rownorm(mu0 * col(prod_{q=1}^{t+1} Y_q^beta)).
/// `Y` is [T][M] as returned by solve_household_hat; t in [0, T).
Matrix migration_shares(const Matrix& mu0, const Matrix& Y, double beta, std::size_t t);

}  // namespace dynhat
