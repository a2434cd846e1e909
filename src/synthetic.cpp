#include "dynhat/synthetic.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include "dynhat/error.hpp"

namespace dynhat {

namespace {

/// Uniform in [lo, hi) from 53 random bits (portable across standard libraries, unlike
/// std::uniform_real_distribution).
class Uniform {
 public:
  explicit Uniform(std::uint64_t seed) : engine_(seed) {}
  double operator()(double lo = 0.0, double hi = 1.0) {
    return lo + (hi - lo) * static_cast<double>(engine_() >> 11) * 0x1.0p-53;
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace

SyntheticMobility synthetic_mobility(std::size_t regions, std::size_t slots_per_region,
                                     std::uint64_t seed) {
  if (regions == 0 || slots_per_region < 2) {
    throw InvalidInput("synthetic_mobility needs >= 1 region and >= 2 slots per region");
  }
  Uniform uniform(seed);
  const std::size_t q_count = slots_per_region;
  const std::size_t m = regions * q_count;
  SyntheticMobility out;
  out.regions = regions;
  out.slots_per_region = q_count;
  out.L0.assign(m, 0.0);
  out.mu0 = Matrix(m, m);

  // Region sizes (log-normal-ish) and positions on a 4500 x 2500 km map.
  std::vector<double> x(regions), y(regions), size(regions);
  for (std::size_t n = 0; n < regions; ++n) {
    x[n] = uniform(0.0, 4500.0);
    y[n] = uniform(0.0, 2500.0);
    size[n] = std::exp(uniform(-1.0, 1.5));
  }
  for (std::size_t n = 0; n < regions; ++n) {
    double employed = 0.0;
    for (std::size_t q = 1; q < q_count; ++q) {
      // Sectors 0-11 (manufacturing in the CDP order) are smaller: ~14% of employment at J = 22.
      const double sector_size = q <= 12 ? 0.15 : 1.0;
      const double l = 1e5 * size[n] * sector_size * std::exp(uniform(-1.0, 1.0));
      out.L0[n * q_count + q] = l;
      employed += l;
    }
    out.L0[n * q_count] = uniform(0.30, 0.40) * employed;
  }

  std::vector<double> weight(m);
  for (std::size_t origin = 0; origin < m; ++origin) {
    const std::size_t n = origin / q_count;
    const std::size_t q = origin % q_count;
    const double stay = q == 0 ? uniform(0.80, 0.85) : uniform(0.87, 0.95);
    const double cross_region = regions > 1 ? uniform(0.03, 0.15) : 0.0;
    // Within-region destinations weighted by size; cross-region by gravity, own slot favoured.
    double within_total = 0.0;
    double cross_total = 0.0;
    for (std::size_t dest = 0; dest < m; ++dest) {
      const std::size_t dn = dest / q_count;
      const std::size_t dq = dest % q_count;
      if (dest == origin) {
        weight[dest] = 0.0;
      } else if (dn == n) {
        weight[dest] = out.L0[dest] * uniform(0.5, 1.5);
        within_total += weight[dest];
      } else {
        const double distance = std::hypot(x[n] - x[dn], y[n] - y[dn]);
        weight[dest] =
            size[dn] * std::exp(-distance / 1000.0) * (dq == q ? 4.0 : 1.0) * uniform(0.5, 1.5);
        cross_total += weight[dest];
      }
    }
    // Zero the smallest 20% of cross-region flows (permanent zeros, as in real flow data).
    if (regions > 1) {
      std::vector<double> cross;
      for (std::size_t dest = 0; dest < m; ++dest) {
        if (dest / q_count != n) cross.push_back(weight[dest]);
      }
      const std::size_t cut = cross.size() / 5;
      std::nth_element(cross.begin(), cross.begin() + static_cast<std::ptrdiff_t>(cut),
                       cross.end());
      const double threshold = cross[cut];
      cross_total = 0.0;
      for (std::size_t dest = 0; dest < m; ++dest) {
        if (dest / q_count == n) continue;
        if (weight[dest] < threshold) weight[dest] = 0.0;
        cross_total += weight[dest];
      }
    }
    const double moving = 1.0 - stay;
    double* row = out.mu0.row(origin);
    for (std::size_t dest = 0; dest < m; ++dest) {
      if (dest == origin) continue;
      const bool same_region = dest / q_count == n;
      const double total = same_region ? within_total : cross_total;
      const double share = same_region ? 1.0 - cross_region : cross_region;
      row[dest] = total > 0.0 ? moving * share * weight[dest] / total : 0.0;
    }
    double sum = 0.0;
    for (std::size_t dest = 0; dest < m; ++dest) sum += dest == origin ? 0.0 : row[dest];
    row[origin] = 1.0 - sum;  // rows sum to 1 up to one rounding
  }
  return out;
}

Matrix phased_real_wage(std::size_t regions, std::size_t slots_per_region, std::size_t slots,
                        const std::vector<std::size_t>& shocked_sectors, double total_factor,
                        std::size_t quarters) {
  Matrix wage(slots, regions * slots_per_region, 1.0);
  const double per_quarter = std::pow(total_factor, 1.0 / static_cast<double>(quarters));
  for (std::size_t t = 1; t <= quarters && t < slots; ++t) {
    for (std::size_t n = 0; n < regions; ++n) {
      for (std::size_t j : shocked_sectors) {
        if (j + 1 >= slots_per_region) {
          throw InvalidInput("phased_real_wage: shocked sector index past the last sector");
        }
        wage(t, n * slots_per_region + 1 + j) = per_quarter;
      }
    }
  }
  return wage;
}

}  // namespace dynhat
