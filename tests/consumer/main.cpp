// A downstream program: solves a 2-market hat path through the installed dynhat and prints the
// installed version header's version.
#include <dynhat/household.hpp>
#include <dynhat/synthetic.hpp>
#include <dynhat/version.hpp>
#include <iostream>

int main() {
  dynhat::SyntheticMobility s = dynhat::synthetic_mobility(2, 3, 1);
  dynhat::HatProblem p;
  p.mu0 = s.mu0;
  p.L0 = s.L0;
  p.real_wage = dynhat::phased_real_wage(2, 3, 20, {0}, 1.1, 4);
  const dynhat::HatResult r = solve_household_hat(dynhat::Context(dynhat::Backend::cpu), p);
  std::cout << "consumer: " << dynhat::version() << " converged=" << r.report.converged
            << " iterations=" << r.report.iterations << "\n";
  return r.report.converged ? 0 : 1;
}
