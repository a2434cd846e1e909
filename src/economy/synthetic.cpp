#include "dynhat/synthetic.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

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

/// Region sizes (log-normal-ish) and positions on a 4500 x 2500 km map, [regions] each.
struct RegionMap {
  std::vector<double> x, y, size;
};

RegionMap draw_regions(Uniform& uniform, std::size_t regions) {
  RegionMap map{std::vector<double>(regions), std::vector<double>(regions),
                std::vector<double>(regions)};
  for (std::size_t n = 0; n < regions; ++n) {
    map.x[n] = uniform(0.0, 4500.0);
    map.y[n] = uniform(0.0, 2500.0);
    map.size[n] = std::exp(uniform(-1.0, 1.5));
  }
  return map;
}

/// L0 [regions][q_count]: employment per sector market, non-employment (q = 0) a third of it.
std::vector<double> draw_employment(Uniform& uniform, const RegionMap& map, std::size_t q_count) {
  const std::size_t regions = map.size.size();
  std::vector<double> L0(regions * q_count, 0.0);
  for (std::size_t n = 0; n < regions; ++n) {
    double employed = 0.0;
    for (std::size_t q = 1; q < q_count; ++q) {
      // Sectors 0-11 (manufacturing in the CDP order) are smaller: ~14% of employment at J = 22.
      const double sector_size = q <= 12 ? 0.15 : 1.0;
      const double l = 1e5 * map.size[n] * sector_size * std::exp(uniform(-1.0, 1.0));
      L0[n * q_count + q] = l;
      employed += l;
    }
    L0[n * q_count] = uniform(0.30, 0.40) * employed;
  }
  return L0;
}

/// Zeroes the cross-region weights of region n below the 20% quantile (permanent zeros, as in
/// real flow data) and returns the sum of the cross-region weights left.
double zero_smallest_cross_flows(std::vector<double>& weight, std::size_t n, std::size_t q_count) {
  const std::size_t m = weight.size();
  std::vector<double> cross;
  for (std::size_t dest = 0; dest < m; ++dest) {
    if (dest / q_count != n) cross.push_back(weight[dest]);
  }
  const std::size_t cut = cross.size() / 5;
  std::nth_element(cross.begin(), cross.begin() + static_cast<std::ptrdiff_t>(cut), cross.end());
  const double threshold = cross[cut];
  double cross_total = 0.0;
  for (std::size_t dest = 0; dest < m; ++dest) {
    if (dest / q_count == n) continue;
    if (weight[dest] < threshold) weight[dest] = 0.0;
    cross_total += weight[dest];
  }
  return cross_total;
}

/// Row `origin` of mu0 ([m] at `row`): a stay probability, the rest split between destinations in
/// the region and across regions. `weight` ([m]) is work space.
void draw_mobility_row(Uniform& uniform, const RegionMap& map, const std::vector<double>& L0,
                       std::size_t q_count, std::size_t origin, std::vector<double>& weight,
                       double* row) {
  const std::size_t regions = map.size.size(), m = weight.size();
  const std::size_t n = origin / q_count;
  const std::size_t q = origin % q_count;
  const double stay = q == 0 ? uniform(0.80, 0.85) : uniform(0.87, 0.95);
  const double cross_region = regions > 1 ? uniform(0.03, 0.15) : 0.0;
  // Within-region destinations weighted by size; cross-region by gravity, own market favoured.
  double within_total = 0.0;
  double cross_total = 0.0;
  for (std::size_t dest = 0; dest < m; ++dest) {
    const std::size_t dn = dest / q_count;
    const std::size_t dq = dest % q_count;
    if (dest == origin) {
      weight[dest] = 0.0;
    } else if (dn == n) {
      weight[dest] = L0[dest] * uniform(0.5, 1.5);
      within_total += weight[dest];
    } else {
      const double distance = std::hypot(map.x[n] - map.x[dn], map.y[n] - map.y[dn]);
      weight[dest] =
          map.size[dn] * std::exp(-distance / 1000.0) * (dq == q ? 4.0 : 1.0) * uniform(0.5, 1.5);
      cross_total += weight[dest];
    }
  }
  if (regions > 1) cross_total = zero_smallest_cross_flows(weight, n, q_count);
  const double moving = 1.0 - stay;
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

}  // namespace

SyntheticMobility synthetic_mobility(std::size_t regions, std::size_t markets_per_region,
                                     std::uint64_t seed) {
  if (regions == 0 || markets_per_region < 2) {
    throw InvalidInput("synthetic_mobility needs >= 1 region and >= 2 markets per region");
  }
  Uniform uniform(seed);
  const std::size_t q_count = markets_per_region;
  const std::size_t m = regions * q_count;
  SyntheticMobility out;
  out.regions = regions;
  out.markets_per_region = q_count;
  out.mu0 = Matrix(m, m);
  // The draws are taken in this order (regions, employment, then the rows one by one), so a seed
  // gives the same economy everywhere.
  const RegionMap map = draw_regions(uniform, regions);
  out.L0 = draw_employment(uniform, map, q_count);
  std::vector<double> weight(m);
  for (std::size_t origin = 0; origin < m; ++origin)
    draw_mobility_row(uniform, map, out.L0, q_count, origin, weight, out.mu0.row(origin));
  return out;
}

Matrix phased_real_wage(std::size_t regions, std::size_t markets_per_region, std::size_t slots,
                        const std::vector<std::size_t>& shocked_sectors, double total_factor,
                        std::size_t quarters) {
  Matrix wage(slots, regions * markets_per_region, 1.0);
  const double per_quarter = std::pow(total_factor, 1.0 / static_cast<double>(quarters));
  for (std::size_t t = 1; t <= quarters && t < slots; ++t) {
    for (std::size_t n = 0; n < regions; ++n) {
      for (std::size_t j : shocked_sectors) {
        if (j + 1 >= markets_per_region) {
          throw InvalidInput("phased_real_wage: shocked sector index past the last sector");
        }
        wage(t, n * markets_per_region + 1 + j) = per_quarter;
      }
    }
  }
  return wage;
}

Economy synthetic_economy(std::size_t sectors, std::size_t regions, std::size_t mobile_regions,
                          std::uint64_t seed) {
  if (sectors == 0 || regions < 2 || mobile_regions > regions) {
    throw InvalidInput("synthetic_economy needs >= 1 sector, >= 2 regions and R <= N");
  }
  Uniform uniform(seed);
  const std::size_t J = sectors, N = regions;
  Economy e;
  e.sectors = J;
  e.regions = N;
  e.mobile_regions = mobile_regions;
  for (std::size_t j = 0; j < J; ++j) e.sector_names.push_back("sector " + std::to_string(j));
  for (std::size_t n = 0; n < N; ++n) e.region_names.push_back("region " + std::to_string(n));
  e.theta.resize(J);
  for (double& t : e.theta) t = uniform(2.0, 10.0);
  e.gamma.resize(J * N);
  for (double& g : e.gamma) g = uniform(0.2, 0.8);
  e.xi.resize(N);
  for (double& x : e.xi) x = uniform(0.35, 0.75);

  // IO blocks: block 0 for the mobile regions, one per other region; columns sum to 1.
  const std::size_t blocks = 1 + (N - mobile_regions);
  std::vector<double> io(blocks * J * J);
  for (std::size_t b = 0; b < blocks; ++b) {
    for (std::size_t k = 0; k < J; ++k) {
      double total = 0.0;
      for (std::size_t s = 0; s < J; ++s) total += io[(b * J + s) * J + k] = uniform(0.1, 1.0);
      for (std::size_t s = 0; s < J; ++s) io[(b * J + s) * J + k] /= total;
    }
  }
  std::vector<std::size_t> io_block(N, 0);
  for (std::size_t n = mobile_regions; n < N; ++n) io_block[n] = 1 + n - mobile_regions;

  // Gravity flows: size_n size_i exp(-distance), home bias, smallest 20% of foreign flows zero.
  std::vector<double> x(N), y(N), size(N);
  for (std::size_t n = 0; n < N; ++n) {
    x[n] = uniform(0.0, 10.0);
    y[n] = uniform(0.0, 10.0);
    size[n] = std::exp(uniform(0.0, 2.0));
  }
  e.trade_flows.assign(J * N * N, 0.0);
  for (std::size_t j = 0; j < J; ++j) {
    const double tradability = uniform(0.2, 1.0);
    for (std::size_t n = 0; n < N; ++n) {
      for (std::size_t i = 0; i < N; ++i) {
        const double distance = std::hypot(x[n] - x[i], y[n] - y[i]);
        const double flow = i == n ? 20.0 * size[n] * size[n]
                                   : size[n] * size[i] * tradability * std::exp(-distance / 3.0);
        e.trade_flows[(j * N + n) * N + i] = 100.0 * flow * uniform(0.5, 1.5);
      }
    }
  }
  std::vector<double> foreign;
  for (std::size_t k = 0; k < e.trade_flows.size(); ++k) {
    if ((k / N) % N != k % N) foreign.push_back(e.trade_flows[k]);
  }
  const std::size_t cut = foreign.size() / 5;
  std::nth_element(foreign.begin(), foreign.begin() + static_cast<std::ptrdiff_t>(cut),
                   foreign.end());
  for (std::size_t k = 0; k < e.trade_flows.size(); ++k) {
    if ((k / N) % N != k % N && e.trade_flows[k] < foreign[cut]) e.trade_flows[k] = 0.0;
  }
  derive_reference_state(e, io, io_block);
  return e;
}

}  // namespace dynhat
