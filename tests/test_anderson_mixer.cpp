// The Anderson mixer (src/solvers/anderson.hpp) against a naive Anderson step: the last `memory`
// differences as dense columns, gamma = argmin |f - dF gamma|_2 by Householder QR. The histories
// cover appended columns (whose earlier factorisation the mixer keeps), the dropped oldest
// column once the ring is full, and restarts; with segments, each segment's iterates are those it
// would have alone.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <deque>
#include <vector>

#include "runtime/device_array.hpp"
#include "solvers/anderson.hpp"
#include "support/cpu_context.hpp"

namespace dynhat {
namespace {

/// G(x) = A x + b with ||A|| < 1 and a nonlinear term: a map whose Anderson iterates do not stop
/// changing after n steps, so every step has a full, well-conditioned least-squares problem.
Eigen::VectorXd map_of(const Eigen::VectorXd& x, int seed) {
  const Eigen::Index n = x.size();
  Eigen::MatrixXd A(n, n);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j)
      A(i, j) = 0.6 * std::sin(1.0 + seed + 3.0 * i + 7.0 * j) / n;
  Eigen::VectorXd g = A * x;
  for (Eigen::Index i = 0; i < n; ++i) g(i) += std::cos(seed + i) + 0.1 * std::sin(x(i));
  return g;
}

/// Type-II Anderson, written out: x+ = g - dG gamma over the newest `memory` differences.
class NaiveAnderson {
 public:
  explicit NaiveAnderson(std::size_t memory) : memory_(memory) {}
  Eigen::VectorXd step(const Eigen::VectorXd& x, const Eigen::VectorXd& g) {
    const Eigen::VectorXd f = g - x;
    if (have_previous_) {
      df_.push_back(f - f_prev_);
      dg_.push_back(g - g_prev_);
      if (df_.size() > memory_) {
        df_.pop_front();
        dg_.pop_front();
      }
    }
    f_prev_ = f;
    g_prev_ = g;
    have_previous_ = true;
    if (df_.empty()) return g;
    Eigen::MatrixXd dF(x.size(), static_cast<Eigen::Index>(df_.size()));
    Eigen::MatrixXd dG(x.size(), dF.cols());
    for (std::size_t p = 0; p < df_.size(); ++p) {
      dF.col(static_cast<Eigen::Index>(p)) = df_[p];
      dG.col(static_cast<Eigen::Index>(p)) = dg_[p];
    }
    const Eigen::VectorXd gamma = dF.householderQr().solve(f);
    return g - dG * gamma;
  }
  void restart() {
    df_.clear();
    dg_.clear();
    have_previous_ = false;
  }

 private:
  std::size_t memory_;
  std::deque<Eigen::VectorXd> df_, dg_;
  Eigen::VectorXd f_prev_, g_prev_;
  bool have_previous_ = false;
};

std::vector<double> to_std(const Eigen::VectorXd& v) {
  return {v.data(), v.data() + v.size()};
}

// 12 steps with memory 4: columns appended (steps 2-5), then the oldest dropped at every step;
// a restart at step 8 starts the history again.
TEST(AndersonMixer, EqualsTheNaiveStepThroughAppendsDropsAndRestarts) {
  const Context& cpu = testing::cpu_context();
  const std::size_t n = 8, memory = 4;
  AndersonMixer mixer(cpu, n, static_cast<int>(memory));
  NaiveAnderson naive(memory);
  Eigen::VectorXd x = Eigen::VectorXd::Zero(n), reference = x;
  DeviceArray x_dev(cpu, to_std(x));
  for (int it = 1; it <= 12; ++it) {
    if (it == 8) {
      mixer.restart();
      naive.restart();
    }
    const DeviceArray g(cpu, to_std(map_of(x, 0)));
    mixer.step(x_dev, g);
    reference = naive.step(x, map_of(x, 0));
    const std::vector<double> got = x_dev.to_host();
    // Both solve the same least-squares problem, CGS2 against Householder: agreement to a few
    // hundred ulps of the iterate (the columns' condition here stays below ~1e3).
    for (std::size_t k = 0; k < n; ++k)
      EXPECT_NEAR(got[k], reference(static_cast<Eigen::Index>(k)), 1e-11)
          << "step " << it << ", " << k;
    x = Eigen::Map<const Eigen::VectorXd>(got.data(), static_cast<Eigen::Index>(n));
  }
}

// Two segments, the second paused (inactive) at steps 4 and 5 and so restarted: each equals its
// own naive iteration, and the first is unaffected by the second's restart.
TEST(AndersonMixer, SegmentsMatchTheirOwnIterationsAcrossARestartOfOne) {
  const Context& cpu = testing::cpu_context();
  const std::size_t n = 6, memory = 3, S = 2;
  AndersonMixer mixer(cpu, n, static_cast<int>(memory), S);
  std::vector<NaiveAnderson> naive(S, NaiveAnderson(memory));
  std::vector<Eigen::VectorXd> x(S, Eigen::VectorXd::Zero(n));
  DeviceArray x_dev(cpu, std::vector<double>(S * n, 0.0));
  for (int it = 1; it <= 10; ++it) {
    const std::vector<unsigned char> active{1,
                                            static_cast<unsigned char>(it == 4 || it == 5 ? 0 : 1)};
    std::vector<double> g(S * n);
    for (std::size_t b = 0; b < S; ++b) {
      const Eigen::VectorXd gb = map_of(x[b], static_cast<int>(b) + 1);
      std::copy(gb.data(), gb.data() + n, g.begin() + static_cast<std::ptrdiff_t>(b * n));
      if (active[b] != 0) {
        x[b] = naive[b].step(x[b], gb);
      } else {
        naive[b].restart();
      }
    }
    mixer.step(x_dev, DeviceArray(cpu, g), active);
    const std::vector<double> got = x_dev.to_host();
    for (std::size_t b = 0; b < S; ++b)
      for (std::size_t k = 0; k < n; ++k)
        EXPECT_NEAR(got[b * n + k], x[b](static_cast<Eigen::Index>(k)), 1e-11)
            << "step " << it << ", segment " << b << ", " << k;
    for (std::size_t b = 0; b < S; ++b)
      x[b] = Eigen::Map<const Eigen::VectorXd>(got.data() + b * n, static_cast<Eigen::Index>(n));
  }
}

}  // namespace
}  // namespace dynhat
