// Runs one kernel of the list on a given context with host inputs and returns host outputs, so
// the same checks serve CPU-vs-naive and CUDA-vs-CPU.
#pragma once

#include <vector>

#include "dynhat/matrix.hpp"
#include "household/stored_mu0.hpp"
#include "kernels/kernels.hpp"
#include "runtime/device_array.hpp"

namespace dynhat::testing {

struct LogsumexpOutput {
  std::vector<double> lse;
  Matrix shares;
};

inline LogsumexpOutput run_row_logsumexp(const Context& ctx, const Matrix& a, double a_scale,
                                         const std::vector<double>& v, double v_scale,
                                         bool with_shares) {
  const DeviceArray a_d(ctx, a.data);
  const DeviceArray v_d(ctx, v);
  DeviceArray lse_d(ctx, a.rows);
  DeviceArray shares_d(ctx, with_shares ? a.size() : 0);
  kernels::row_logsumexp(ctx, a.rows, a.cols, a_d.data(), a_scale, v.empty() ? nullptr : v_d.data(),
                         v_scale, lse_d.data(), with_shares ? shares_d.data() : nullptr);
  LogsumexpOutput out{lse_d.to_host(), Matrix(with_shares ? a.rows : 0, a.cols)};
  if (with_shares) out.shares.data = shares_d.to_host();
  return out;
}

inline std::vector<double> run_softmax_transpose_apply(const Context& ctx, const Matrix& a,
                                                       double a_scale, const std::vector<double>& v,
                                                       double v_scale,
                                                       const std::vector<double>& lse,
                                                       const std::vector<double>& w) {
  const DeviceArray a_d(ctx, a.data);
  const DeviceArray v_d(ctx, v);
  const DeviceArray lse_d(ctx, lse);
  const DeviceArray w_d(ctx, w);
  DeviceArray out_d(ctx, a.cols);
  kernels::softmax_transpose_apply(ctx, a.rows, a.cols, a_d.data(), a_scale,
                                   v.empty() ? nullptr : v_d.data(), v_scale, lse_d.data(),
                                   w_d.data(), out_d.data());
  return out_d.to_host();
}

struct PathOutput {
  Matrix c;
  std::vector<double> shift;
  Matrix r;
  Matrix L;
  Matrix log_y_new;
  Matrix swept;  ///< backward_value_sweep applied to log_y_new
};

/// column_scalings -> scaled_row_sums -> labor_chain, value_update and backward_value_sweep
/// for one value path, mu0 stored as `storage` says.
inline PathOutput run_migration_path(const Context& ctx, const Matrix& mu0, const Matrix& log_y,
                                     const std::vector<double>& L0, const Matrix& real_wage,
                                     double beta, double nu,
                                     Mu0Storage storage = Mu0Storage::dense) {
  const std::size_t m = mu0.rows;
  const std::size_t slots = log_y.rows;
  const StoredMu0 stored(ctx, mu0, storage);
  const kernels::Mu0& mu0_d = stored.view();
  const DeviceArray log_y_d(ctx, log_y.data);
  const DeviceArray wage_d(ctx, real_wage.data);
  DeviceArray c_d(ctx, slots * m), shift_d(ctx, slots), r_d(ctx, slots * m);
  DeviceArray L_d(ctx, (slots + 1) * m), y_new_d(ctx, slots * m);
  L_d.upload(L0.data(), m);
  kernels::column_scalings(ctx, m, slots, log_y_d.data(), beta, c_d.data(), shift_d.data());
  kernels::scaled_row_sums(ctx, m, slots, mu0_d, c_d.data(), r_d.data());
  kernels::labor_chain(ctx, m, slots, mu0_d, c_d.data(), r_d.data(), L_d.data());
  kernels::value_update(ctx, m, slots, wage_d.data(), r_d.data(), shift_d.data(), 1.0 / nu,
                        y_new_d.data());
  PathOutput out{Matrix(slots, m),     shift_d.to_host(), Matrix(slots, m),
                 Matrix(slots + 1, m), Matrix(slots, m),  Matrix(slots, m)};
  out.c.data = c_d.to_host();
  out.r.data = r_d.to_host();
  out.L.data = L_d.to_host();
  out.log_y_new.data = y_new_d.to_host();
  kernels::backward_value_sweep(ctx, m, slots, mu0_d, c_d.data(), r_d.data(), beta, y_new_d.data());
  out.swept.data = y_new_d.to_host();
  return out;
}

}  // namespace dynhat::testing
