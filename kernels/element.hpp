// Per-element mathematics shared by the CPU and CUDA kernels (ARCHITECTURE.md 3): what only the
// GPU can check is then reduced to indexing, reductions and memory traffic.
#pragma once

#include <cmath>
#include <cstddef>

#if defined(__CUDACC__)
#define DYNHAT_HD __host__ __device__ __forceinline__
#else
#define DYNHAT_HD inline
#endif

namespace dynhat::kernels {

/// min and max that keep a NaN of either side (std::fmin/fmax drop it): a residual reduction
/// over a partly-NaN iterate must give NaN, never a small number that looks converged.
DYNHAT_HD double min_keeping_nan(double x, double y) {
  return (x < y || x != x) ? x : y;
}
DYNHAT_HD double max_keeping_nan(double x, double y) {
  return (x > y || x != x) ? x : y;
}

/// Running log-sum-exp state: the sum of exp(x - max) over the entries seen, and their max.
/// Combining by rescaling to the larger max keeps every exponent <= 0, so logits of magnitude
/// 700 and beyond stay finite (exp overflows at 709.78).
struct LseState {
  double max;
  double sum;
};

DYNHAT_HD LseState lse_empty() {
  return {-INFINITY, 0.0};
}

/// Adds one logit. -inf entries (impossible moves) contribute nothing.
DYNHAT_HD LseState lse_push(LseState s, double x) {
  if (x <= s.max) {
    return x == -INFINITY ? s : LseState{s.max, s.sum + exp(x - s.max)};
  }
  return {x, s.sum * exp(s.max - x) + 1.0};  // s.max = -inf gives 0 * 0 + 1
}

/// Merges two partial states (associative and commutative up to rounding).
DYNHAT_HD LseState lse_merge(LseState a, LseState b) {
  if (a.max < b.max) {
    LseState t = a;
    a = b;
    b = t;
  }
  if (b.max == -INFINITY) return a;
  return {a.max, a.sum + b.sum * exp(b.max - a.max)};
}

/// log sum exp of the entries seen; -inf when there were none (or all were -inf).
DYNHAT_HD double lse_value(LseState s) {
  return s.max == -INFINITY ? -INFINITY : s.max + log(s.sum);
}

/// exp(x) from arithmetic and bit operations only, so loops that call it vectorise (glibc's exp
/// is a scalar call). Cody-Waite reduction x = n ln2 + r, |r| <= ln2/2, then a degree-13 Taylor
/// polynomial (truncation 2e-16 relative) and 2^n put into the exponent bits: within 2 ulp of
/// exp over [-708, 709]; over [-745.2, -708) the subnormal exp(x) within 2 ulp plus one rounding
/// to the subnormal grid, as CUDA's exp and glibc's give (a flush to 0 there made CPU and CUDA
/// kernels differ); 0 below (-inf included), +inf above 709.
DYNHAT_HD double exp_vectorisable(double x) {
  constexpr double kLog2e = 1.4426950408889634;
  constexpr double kLn2Hi = 6.93147180369123816490e-01;  // ln 2 split so n * kLn2Hi is exact
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  constexpr double kLowest = -745.2;  // exp(-745.2) < 2^-1075 rounds to 0
  const double clamped = x < kLowest ? kLowest : (x > 709.0 ? 709.0 : x);
  const double n = __builtin_floor(clamped * kLog2e + 0.5);
  const double r = (clamped - n * kLn2Hi) - n * kLn2Lo;
  double p = 1.0 / 6227020800.0;  // 1/13!
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  // 2^n as a double: n + 1023 in the exponent field; __builtin_bit_cast is a value operation, so
  // the loop around it still vectorises. Below n = -1022 (no normal 2^n) the exponent is raised
  // by 64 and p * 2^(n + 64), a normal number, is scaled by 2^-64: one rounding, into the
  // subnormal result. Above, the extra factor is 1 (results bitwise as without this branch).
  const bool subnormal = n < -1022.0;
  const double n_biased = subnormal ? n + 64.0 : n;
  const double scale = __builtin_bit_cast(double, static_cast<long long>(n_biased + 1023.0) << 52);
  const double value = p * scale * (subnormal ? 0x1.0p-64 : 1.0);
  return x < kLowest ? 0.0 : (x > 709.0 ? INFINITY : value);
}

/// log(x) from arithmetic and bit operations only, like exp_vectorisable: x = 2^k (1 + f) with
/// 1 + f in [sqrt(1/2), sqrt(2)), then log(1 + f) = 2 atanh(s), s = f / (2 + f), written as
/// f - s (f - R) with R = 2 s^2/3 + 2 s^4/5 + ... + 2 s^22/23 (|s| <= 0.172: truncation below
/// 1e-19 relative; f exact, the correction small, so the sum rounds like one operation), and
/// k ln 2 in two parts. Within 2 ulp of log for every positive x (subnormals scaled by 2^64
/// first); log 0 = -inf, log +inf = +inf, NaN for x < 0 and NaN.
DYNHAT_HD double log_vectorisable(double x) {
  constexpr double kLn2Hi = 6.93147180369123816490e-01;
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  const bool subnormal = x < 0x1.0p-1022;
  const double y = subnormal ? x * 0x1.0p64 : x;
  const long long bits = __builtin_bit_cast(long long, y);
  const double mantissa =
      __builtin_bit_cast(double, (bits & 0x000fffffffffffffLL) | 0x3ff0000000000000LL);
  const bool high = mantissa > 1.4142135623730951;
  const double k = static_cast<double>(((bits >> 52) & 0x7ff) - 1023) + (high ? 1.0 : 0.0) -
                   (subnormal ? 64.0 : 0.0);
  const double f = (high ? 0.5 * mantissa : mantissa) - 1.0;
  const double s = f / (2.0 + f);
  const double z = s * s;
  double r = 2.0 / 23.0;
  r = r * z + 2.0 / 21.0;
  r = r * z + 2.0 / 19.0;
  r = r * z + 2.0 / 17.0;
  r = r * z + 2.0 / 15.0;
  r = r * z + 2.0 / 13.0;
  r = r * z + 2.0 / 11.0;
  r = r * z + 2.0 / 9.0;
  r = r * z + 2.0 / 7.0;
  r = r * z + 2.0 / 5.0;
  r = r * z + 2.0 / 3.0;
  r *= z;
  const double value = k * kLn2Hi + ((f - s * (f - r)) + k * kLn2Lo);
  return x > 0.0 ? (x < INFINITY ? value : INFINITY) : (x == 0.0 ? -INFINITY : NAN);
}

/// The logit of E1/E2, z = a_scale * a + v_term, v_term = v_scale * v[c] (0 without v).
DYNHAT_HD double logit(double a, double a_scale, double v_term) {
  return a_scale * a + v_term;
}

/// Softmax share exp(z - lse); 0 for a row with no admissible entry.
DYNHAT_HD double softmax_share(double z, double lse) {
  return lse == -INFINITY ? 0.0 : exp(z - lse);
}

/// Labor sent per unit of row sum: L / r, with 0 for an empty market (r = 0 forces L = 0).
DYNHAT_HD double labor_per_row_sum(double labor, double row_sum) {
  return row_sum > 0.0 ? labor / row_sum : 0.0;
}

/// One row of the backward value sweep: f + beta (mu0 (c * d_next))_i / r_i; 0 added for an
/// empty row (r = 0).
DYNHAT_HD double sweep_value(double f, double beta, double pushed, double row_sum) {
  return row_sum > 0.0 ? f + beta * pushed / row_sum : f;
}

/// E12 factorised in logs: log Y_t = log(Cdot_t)/nu + log r_t - log r_{t-1} + shift_t -
/// shift_{t-1}.
DYNHAT_HD double log_value_change(double real_wage, double inv_nu, double r_t, double r_prev,
                                  double shift_t, double shift_prev) {
  return inv_nu * log(real_wage) + (log(r_t) - log(r_prev)) + (shift_t - shift_prev);
}

/// log((e^a + e^b)/2) without overflow: the reference algorithm's 1/2 relaxation in levels.
DYNHAT_HD double log_mean_exp2(double a, double b) {
  const double hi = a > b ? a : b;
  const double lo = a > b ? b : a;
  return hi + log1p(exp(lo - hi)) - 0.69314718055994530942;
}

/// A mobile market's labor change relative to slot 0 and its factor in value added (E17),
/// (L / L0, (L / L0)^(1 - xi)); resolved: L positive and finite (te_labor_inputs).
struct LaborInput {
  double labor;
  double factor;
  bool resolved;
};
DYNHAT_HD LaborInput labor_input(double L, double L0, double xi) {
  const double labor = L / L0;
  return {labor, pow(labor, 1.0 - xi), L > 0.0 && L < INFINITY};  // NaN fails both
}

/// Region n's outputs of one solved temporary equilibrium (te_path_outputs), its arrays the
/// problem's [J][N] ones and s its numeraire scale: writes its price index
/// exp(sum_j alpha_j (log s + log phat)) and, for n < R, the real wages of its sectors at
/// real_wage[n (J + 1) + 1 + j]; returns its largest market-clearing residual (0 if none).
DYNHAT_HD double te_region_outputs(std::size_t J, std::size_t N, std::size_t R, std::size_t n,
                                   const double* alpha, const double* gamma, double xi,
                                   const double* VAL, const double* VAR, const double* labor,
                                   const double* labor_factor, const double* wage_ref,
                                   const double* log_omega, const double* log_phat, const double* Y,
                                   double s, double* price_index, double* real_wage) {
  const double log_s = log(s);
  double log_p = 0.0, supplied = 0.0, paid = 0.0, worst = 0.0;
  for (std::size_t j = 0; j < J; ++j) {
    const std::size_t k = j * N + n;
    log_p += alpha[j] * (log_s + log_phat[k]);
    const double va = (VAL[k] + VAR[k]) * labor_factor[k] * exp(log_omega[k]);
    if (n < R && va > 0.0) worst = fmax(worst, fabs(gamma[k] * Y[k] - va) / va);
    supplied += gamma[k] * Y[k];
    paid += va;
  }
  if (n >= R && paid > 0.0) worst = fmax(worst, fabs(supplied - paid) / paid);
  const double p = exp(log_p);
  price_index[n] = p;
  if (n >= R) return worst;
  for (std::size_t j = 0; j < J; ++j) {
    const std::size_t k = j * N + n;
    const double wage = s * exp(log_omega[k]) * pow(labor[k], -xi);
    real_wage[n * (J + 1) + 1 + j] = wage / wage_ref[k] / p;
  }
  return worst;
}

}  // namespace dynhat::kernels
