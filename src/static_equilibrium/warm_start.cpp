// The fast solver's warm starts (batch_solve.hpp): each problem's factor prices, price indices
// and expenditure from its last solve, uploaded before a group's solve with the problem's
// per-market inputs, and kept after it.
#include <algorithm>
#include <cmath>

#include "static_equilibrium/batch_solve.hpp"

namespace dynhat::te {

void BatchSolve::load(const std::vector<Problem>& problems, std::size_t first) {
  const std::size_t jnn = size_ * e_.regions, length = B_ * size_;
  group_ = &problems[first];
  std::vector<double> u(length), log_phat(length, 0.0), x(length, 0.0), shift(length), VAL(length),
      VAR(length), labor_factor(length);
  for (std::size_t b = 0; b < B_; ++b) {
    const Problem& p = group_[b];
    if (loaded_q_[b] != p.shares.get()) {
      q_.upload(p.shares->q.data(), jnn, b * jnn);
      q_scale_.upload(p.shares->log_scale.data(), size_, b * size_);
      loaded_q_[b] = p.shares.get();
    }
    const auto at = [&](std::vector<double>& v) { return v.begin() + b * size_; };
    if (p.u.empty()) {
      for (std::size_t k = 0; k < size_; ++k) u[b * size_ + k] = std::log(p.shock.omega_init[k]);
    } else {
      std::copy(p.u.begin(), p.u.end(), at(u));
      std::copy(p.log_phat.begin(), p.log_phat.end(), at(log_phat));
      std::copy(p.expenditure.begin(), p.expenditure.end(), at(x));
    }
    std::copy(p.cost_shift.begin(), p.cost_shift.end(), at(shift));
    std::copy(p.reference->VAL.begin(), p.reference->VAL.end(), at(VAL));
    std::copy(p.reference->VAR.begin(), p.reference->VAR.end(), at(VAR));
    std::copy(p.shock.labor_factor.begin(), p.shock.labor_factor.end(), at(labor_factor));
  }
  u_.upload(u.data(), length);
  log_phat_.upload(log_phat.data(), length);
  expenditure_.upload(x.data(), length);
  cost_shift_.upload(shift.data(), length);
  VAL_.upload(VAL.data(), length);
  VAR_.upload(VAR.data(), length);
  labor_factor_.upload(labor_factor.data(), length);
  std::fill(forcing_.begin(), forcing_.end(), 0.0);
}

void BatchSolve::store(std::vector<Problem>& problems, std::size_t first) const {
  const std::vector<double> u = u_.to_host(), log_phat = log_phat_.to_host(),
                            x = expenditure_.to_host();
  for (std::size_t b = 0; b < B_; ++b) {
    Problem& p = problems[first + b];
    const auto from = [&](const std::vector<double>& v) { return v.begin() + b * size_; };
    const auto finite = [&](const std::vector<double>& v) {
      return std::all_of(from(v), from(v) + size_, [](double z) { return std::isfinite(z); });
    };
    if (!finite(u) || !finite(log_phat) || !finite(x)) {
      p.u.clear();
      continue;
    }
    p.u.assign(from(u), from(u) + size_);
    p.log_phat.assign(from(log_phat), from(log_phat) + size_);
    p.expenditure.assign(from(x), from(x) + size_);
  }
}

}  // namespace dynhat::te
