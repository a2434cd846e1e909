// The chord matrix of the factor-price iteration (chord_matrix.hpp). With Pi the block-diagonal
// trade-share operator ((Pi v)[j][n] = sum_i pi[j][n][i] v[j][i]) and Gt the input-output one
// ((Gt v)[k][n] = sum_s G[n][s][k] v[s][n]), the linearisation of one evaluation of F is
//   dlog phat = A^{-1} Pi Gamma du,  A = I - Pi Gt                     (E14-E15)
//   dlog xhat = Gamma du + Gt dlog phat
//   dY_pi     = -theta (Y dlog xhat - Pi^T (X dlog phat))              (E16: share changes)
//   dX        = A^{-T} (Gt^T dY_pi + alpha dI(du))                     (E18: I - Omega = A^T)
//   dY        = dY_pi + Pi^T dX,    dF = dY / Y - du                   (E19)
// so one LU of A serves the price and the expenditure systems. Cost: the LU (J N)^3 2/3 flops
// and two solves with R J + N - R right-hand sides, (1914^3 + 2 1914^2 1137) 2 ~ 25 GFLOP on the
// CDP tables, then the inverse of the reduced Jacobian (1137^3 2 flops), rounded to float.
#include "static_equilibrium/chord_matrix.hpp"

#include <Eigen/Dense>

#include "kernels/kernels.hpp"

namespace dynhat::te {

namespace {

using Dense = Eigen::MatrixXd;  // column-major
using ConstRowMajor =
    Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
using Strides = Eigen::Stride<Eigen::Dynamic, Eigen::Dynamic>;
using Strided = Eigen::Map<Dense, 0, Strides>;

Eigen::Index idx(std::size_t k) {
  return static_cast<Eigen::Index>(k);
}

/// Rows (s, n), s < J, of a [J N] x cols matrix: region n's sectors.
Strided region_rows(Dense& a, std::size_t n, std::size_t J, std::size_t N) {
  return Strided(a.data() + n, idx(J), a.cols(), Strides(a.rows(), idx(N)));
}

/// The unknowns of the reduced problem: one per mobile market (j, n), one per country.
struct Unknowns {
  std::size_t J, N, R;
  std::size_t count() const { return R * J + (N - R); }
  std::size_t of(std::size_t j, std::size_t n) const { return n < R ? j * R + n : R * J + n - R; }
};

/// Sector j's trade shares pi[j] as an N x N matrix.
ConstRowMajor sector_shares(const std::vector<double>& pi, std::size_t j, std::size_t N) {
  return ConstRowMajor(&pi[j * N * N], idx(N), idx(N));
}

/// Region n's input-output shares G[n] as a J x J matrix.
ConstRowMajor region_inputs(const Economy& e, std::size_t n) {
  const std::size_t J = e.sectors;
  return ConstRowMajor(&e.G[n * J * J], idx(J), idx(J));
}

/// A = I - Pi Gt: A[(j, n), (s, i)] = delta - pi[j][n][i] G[i][s][j].
Dense price_operator(const Economy& e, const std::vector<double>& pi) {
  const std::size_t J = e.sectors, N = e.regions, JN = J * N;
  Dense A = Dense::Identity(idx(JN), idx(JN));
  for (std::size_t j = 0; j < J; ++j)
    for (std::size_t n = 0; n < N; ++n)
      for (std::size_t i = 0; i < N; ++i) {
        const double share = pi[(j * N + n) * N + i];
        if (share == 0.0) continue;
        for (std::size_t s = 0; s < J; ++s)
          A(idx(j * N + n), idx(s * N + i)) -= share * e.G[(i * J + s) * J + j];
      }
  return A;
}

/// The point of linearisation: expenditure X and sales Y ([J N] each).
struct State {
  Eigen::VectorXd X, Y;
};

/// The state: income I^n = VAL^n + iota_n chi, expenditure A^T X = alpha I, sales Y = Pi^T X.
State linearisation_state(const Economy& e, const Eigen::PartialPivLU<Dense>& lu,
                          const std::vector<double>& pi, const std::vector<double>& VAL,
                          const std::vector<double>& VAR) {
  const std::size_t J = e.sectors, N = e.regions, JN = J * N;
  double chi = 0.0;
  Eigen::VectorXd income = Eigen::VectorXd::Zero(idx(N));
  for (std::size_t j = 0; j < J; ++j)
    for (std::size_t n = 0; n < N; ++n) {
      income(idx(n)) += VAL[j * N + n];
      chi += VAR[j * N + n];
    }
  for (std::size_t n = 0; n < N; ++n) income(idx(n)) += e.iota[n] * chi;
  Eigen::VectorXd final_demand(idx(JN));
  for (std::size_t s = 0; s < J; ++s)
    for (std::size_t i = 0; i < N; ++i) final_demand(idx(s * N + i)) = e.alpha[s] * income(idx(i));
  State state{lu.transpose().solve(final_demand), Eigen::VectorXd(idx(JN))};
  for (std::size_t j = 0; j < J; ++j)
    state.Y.segment(idx(j * N), idx(N)) =
        sector_shares(pi, j, N).transpose() * state.X.segment(idx(j * N), idx(N));
  return state;
}

/// dY_pi = d sales / dz through the shares at fixed expenditure (E16), from the prices
/// dlog phat = A^{-1} Pi Gamma P and the unit costs dlog xhat = Gamma P + Gt dlog phat.
Dense sales_at_fixed_expenditure(const Economy& e, const Eigen::PartialPivLU<Dense>& lu,
                                 const std::vector<double>& pi, const State& state,
                                 const Unknowns& z) {
  const std::size_t J = e.sectors, N = e.regions, JN = J * N;
  const Eigen::Index nz = idx(z.count());
  Dense right(idx(JN), nz);
  right.setZero();
  for (std::size_t j = 0; j < J; ++j)
    for (std::size_t n = 0; n < N; ++n)
      for (std::size_t i = 0; i < N; ++i)
        right(idx(j * N + n), idx(z.of(j, i))) += pi[(j * N + n) * N + i] * e.gamma[j * N + i];
  Dense d_price = lu.solve(right);
  Dense d_cost(idx(JN), nz);
  for (std::size_t n = 0; n < N; ++n)
    region_rows(d_cost, n, J, N).noalias() =
        region_inputs(e, n).transpose() * region_rows(d_price, n, J, N);
  for (std::size_t j = 0; j < J; ++j)
    for (std::size_t n = 0; n < N; ++n)
      d_cost(idx(j * N + n), idx(z.of(j, n))) += e.gamma[j * N + n];
  Dense d_sales(idx(JN), nz);
  for (std::size_t j = 0; j < J; ++j) {
    const auto rows = [&](Dense& a) { return a.middleRows(idx(j * N), idx(N)); };
    rows(d_sales).noalias() =
        -e.theta[j] * (state.Y.segment(idx(j * N), idx(N)).asDiagonal() * rows(d_cost) -
                       sector_shares(pi, j, N).transpose() *
                           (state.X.segment(idx(j * N), idx(N)).asDiagonal() * rows(d_price)));
  }
  return d_sales;
}

/// Adds to d_sales the sales through the expenditure response
/// dX = A^{-T} (Gt^T dY_pi + alpha dI(du)) (E18), dY = dY_pi + Pi^T dX (E19).
void add_expenditure_response(const Economy& e, const Eigen::PartialPivLU<Dense>& lu,
                              const std::vector<double>& pi, const std::vector<double>& VAL,
                              const std::vector<double>& VAR, const Unknowns& z, Dense& d_sales) {
  const std::size_t J = e.sectors, N = e.regions, JN = J * N;
  const Eigen::Index nz = idx(z.count());
  Dense d_income = Dense::Zero(idx(N), nz);  // dI^i = VAL' du at i + iota_i sum VAR' du
  for (std::size_t j = 0; j < J; ++j)
    for (std::size_t n = 0; n < N; ++n) {
      const Eigen::Index c = idx(z.of(j, n));
      d_income(idx(n), c) += VAL[j * N + n];
      for (std::size_t i = 0; i < N; ++i) d_income(idx(i), c) += e.iota[i] * VAR[j * N + n];
    }
  Dense rhs(idx(JN), nz);
  for (std::size_t i = 0; i < N; ++i)
    region_rows(rhs, i, J, N).noalias() = region_inputs(e, i) * region_rows(d_sales, i, J, N);
  for (std::size_t s = 0; s < J; ++s) rhs.middleRows(idx(s * N), idx(N)) += e.alpha[s] * d_income;
  const Dense dX = lu.transpose().solve(rhs);
  for (std::size_t j = 0; j < J; ++j)
    d_sales.middleRows(idx(j * N), idx(N)).noalias() +=
        sector_shares(pi, j, N).transpose() * dX.middleRows(idx(j * N), idx(N));
}

/// Reduced Jacobian dF/dz, with the numeraire row -1 w^T / sum w (value-added weights w).
Dense reduced_jacobian(const Economy& e, const Dense& d_sales, const Eigen::VectorXd& Y,
                       const std::vector<double>& VAL, const std::vector<double>& VAR,
                       const Unknowns& z) {
  const std::size_t J = e.sectors, N = e.regions, R = e.mobile_regions;
  const Eigen::Index nz = idx(z.count());
  Dense jacobian(nz, nz);
  Eigen::VectorXd weight = Eigen::VectorXd::Zero(nz);
  for (std::size_t n = 0; n < N; ++n) {
    if (n < R) {
      for (std::size_t j = 0; j < J; ++j) {
        const std::size_t k = j * N + n;
        const Eigen::Index r = idx(z.of(j, n));
        const bool defined = VAL[k] + VAR[k] > 0.0 && Y(idx(k)) > 0.0;
        jacobian.row(r) = defined ? Eigen::RowVectorXd(d_sales.row(idx(k)) / Y(idx(k)))
                                  : Eigen::RowVectorXd::Zero(nz);
        weight(r) = VAL[k] + VAR[k];
      }
    } else {
      const Eigen::Index r = idx(z.of(0, n));
      double supplied = 0.0;
      jacobian.row(r).setZero();
      for (std::size_t j = 0; j < J; ++j) {
        const std::size_t k = j * N + n;
        supplied += e.gamma[k] * Y(idx(k));
        jacobian.row(r) += e.gamma[k] * d_sales.row(idx(k));
        weight(r) += VAL[k] + VAR[k];
      }
      if (supplied > 0.0) jacobian.row(r) /= supplied;
    }
  }
  jacobian -= Dense::Identity(nz, nz);
  jacobian -= Eigen::VectorXd::Ones(nz) * (weight / weight.sum()).transpose();
  return jacobian;
}

/// -J^{-1} in single precision, [nz][nz] column-major (chord_matrix.hpp).
std::vector<float> inverse_jacobian(const Economy& e, const std::vector<double>& pi,
                                    const std::vector<double>& VAL,
                                    const std::vector<double>& VAR) {
  const Unknowns z{e.sectors, e.regions, e.mobile_regions};
  const Eigen::PartialPivLU<Dense> lu(price_operator(e, pi));
  const State state = linearisation_state(e, lu, pi, VAL, VAR);
  // The price and unit-cost responses are freed on return, before the expenditure system's.
  Dense d_sales = sales_at_fixed_expenditure(e, lu, pi, state, z);
  add_expenditure_response(e, lu, pi, VAL, VAR, z, d_sales);
  const Dense jacobian = reduced_jacobian(e, d_sales, state.Y, VAL, VAR, z);
  const Eigen::Index nz = idx(z.count());
  std::vector<float> K(static_cast<std::size_t>(nz * nz));
  Eigen::Map<Eigen::MatrixXf>(K.data(), nz, nz) =
      (-jacobian.partialPivLu().inverse()).cast<float>();
  return K;
}

}  // namespace

ChordMatrix::ChordMatrix(const Context& ctx, const Economy& e, const std::vector<double>& pi,
                         const std::vector<double>& VAL, const std::vector<double>& VAR)
    : ctx_(ctx),
      J_(e.sectors),
      N_(e.regions),
      R_(e.mobile_regions),
      K_(ctx, inverse_jacobian(e, pi, VAL, VAR)) {}

void ChordMatrix::step(std::size_t count, const double* F, double* g) const {
  kernels::te_chord_step(ctx_, count, J_, N_, R_, K_.data(), F, g);
}

}  // namespace dynhat::te
