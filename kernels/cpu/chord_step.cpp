// The chord step g += K F of the factor-price iteration on the CPU (kernels.hpp): the residuals
// gathered onto the reduced unknowns in single precision, one Eigen matrix product for all
// `count` problems (K is read once however many share it), scattered back and added.
#include <Eigen/Core>

#include "kernels/kernels.hpp"

namespace dynhat::kernels::cpu {

void te_chord_step(const Context& /*ctx*/, std::size_t count, std::size_t J, std::size_t N,
                   std::size_t R, const float* K, const double* F, double* g) {
  const auto nz = static_cast<Eigen::Index>(R * J + N - R);
  const auto of = [&](std::size_t j, std::size_t n) {
    return static_cast<Eigen::Index>(n < R ? j * R + n : R * J + n - R);
  };
  const std::size_t jn = J * N;
  Eigen::MatrixXf reduced(nz, static_cast<Eigen::Index>(count));
  for (std::size_t b = 0; b < count; ++b)
    for (std::size_t j = 0; j < J; ++j)
      for (std::size_t n = 0; n < N; ++n)
        if (n < R || j == 0)
          reduced(of(j, n), static_cast<Eigen::Index>(b)) =
              static_cast<float>(F[b * jn + j * N + n]);
  const Eigen::MatrixXf step = Eigen::Map<const Eigen::MatrixXf>(K, nz, nz) * reduced;
  for (std::size_t b = 0; b < count; ++b)
    for (std::size_t j = 0; j < J; ++j)
      for (std::size_t n = 0; n < N; ++n)
        g[b * jn + j * N + n] += static_cast<double>(step(of(j, n), static_cast<Eigen::Index>(b)));
}

}  // namespace dynhat::kernels::cpu
